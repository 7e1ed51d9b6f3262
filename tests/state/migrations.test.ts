import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openState } from "../../src/state/db.js";
import { MIGRATIONS, migrate } from "../../src/state/migrations.js";
import { SqliteDb } from "../../src/state/sqlite.js";
import { openStore } from "../../src/state/store.js";
import { dump, migration, seedSqlite } from "./backends.js";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/state/written-by-schema-5.sqlite");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rsk-migrations-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Columns (name, type, not null, default, pk) and indexes of a table: its shape, not its data or column order. */
function shape(db: Database.Database, table: string) {
  return {
    columns: (db.prepare(`PRAGMA table_info(${table})`).all() as { cid?: number; name: string }[])
      .map(({ cid, ...c }) => c)
      .sort((a, b) => a.name.localeCompare(b.name)),
    indexes: (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; unique: number }[])
      .map((i) => ({ name: i.name, unique: i.unique, columns: db.prepare(`PRAGMA index_info(${i.name})`).all() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

const TABLES = ["suppressed", "send_runs", "send_ledger", "sendsay_campaigns", "send_workers", "bounces", "subscribers", "send_invalid"];

describe("SQLite migrations", () => {
  test("a state file made before migrations (and before the ledger's in_doubt and deferred_since) ends up in the very shape of a new one", async () => {
    const old = new Database(":memory:");
    old.exec(`CREATE TABLE suppressed (email TEXT PRIMARY KEY COLLATE NOCASE, reason TEXT NOT NULL, source TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
      CREATE TABLE send_runs (issue TEXT PRIMARY KEY, content_hash TEXT NOT NULL, subject TEXT NOT NULL, run_id INTEGER NOT NULL DEFAULT 0,
        pid INTEGER, host TEXT, total INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE send_ledger (id INTEGER PRIMARY KEY, issue TEXT NOT NULL, email TEXT NOT NULL, address TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '{}', line INTEGER, run_id INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0, last_code INTEGER, last_response TEXT, message_id TEXT NOT NULL, provider_id TEXT,
        next_at INTEGER NOT NULL DEFAULT 0, resent INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        sent_at TEXT, UNIQUE (issue, email));
      CREATE INDEX send_ledger_claim ON send_ledger (issue, run_id, state);`);
    await migrate(new SqliteDb(old), ":memory:");
    const fresh = new Database(":memory:");
    await migrate(new SqliteDb(fresh), ":memory:");
    for (const table of TABLES) expect(shape(old, table), table).toEqual(shape(fresh, table));
  });

  test("a state file written by the version before this one (schema 5, every table filled) opens, migrates and reads the same", async () => {
    const file = join(dir, "written.sqlite");
    await copyFile(FIXTURE, file);
    const seeded = join(dir, "seeded.sqlite");
    await seedSqlite(seeded);
    const store = await openStore({ kind: "sqlite", file });
    const fresh = await openStore({ kind: "sqlite", file: seeded });
    try {
      expect(await store.schemaVersion()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      const [before, now] = [await dump(store), await dump(fresh)];
      // tables of later migrations the seed fills: a schema-5 file has none of their rows
      for (const table of ["polls", "poll_votes", "scheduled_issues", "ab_tests"] as const) {
        expect(before[table], table).toEqual([]);
        delete (before as Partial<typeof before>)[table];
        delete (now as Partial<typeof now>)[table];
      }
      // reader keys (migration 13) are written by sends after it: a schema-5 file's rows have none
      for (const row of now.send_ledger) (row as { reader_key: string | null }).reader_key = null;
      const times = (rows: Record<string, unknown[]>) =>
        JSON.parse(
          JSON.stringify(rows)
            .replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"T"')
            .replace(/"[^"]*:\d+:[0-9a-f]{8}"/g, '"W"'),
        );
      expect(times(before)).toEqual(times(now));
      expect(await store.suppressions.has("UNSUB@example.ru")).toBe(true);
      expect((await store.ledger.counts("2026-11-10-a")).sent).toBe(1);
    } finally {
      await store.close();
      await fresh.close();
    }
  });

  test("a migration missing below the newest one applied (made on another branch) is still applied", async () => {
    const db = new SqliteDb(new Database(":memory:"));
    const [one, two, four] = [1, 2, 4].map((v) => migration(v, `CREATE TABLE t${v} (x INTEGER)`));
    expect((await migrate(db, "test", [one, four])).applied.map((m) => m.version)).toEqual([1, 4]);
    expect(await migrate(db, "test", [one, two, four])).toEqual({ applied: [{ version: 2, name: "m2" }], version: 4 });
    expect((await migrate(db, "test", [one, two, four])).applied).toEqual([]);
  });

  test("a state file from before migrations is adopted as version 1 with its rows", async () => {
    const file = join(dir, "old.sqlite");
    const old = new Database(file);
    old.exec(`CREATE TABLE suppressed (
      email TEXT PRIMARY KEY COLLATE NOCASE, reason TEXT NOT NULL, source TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
      INSERT INTO suppressed (email, reason) VALUES ('anna@example.ru', 'unsubscribed');`);
    old.close();
    const db = await openState(file);
    try {
      // adopted as 1, then the later migrations on top
      expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual(
        MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      expect(db.prepare("SELECT email FROM suppressed").pluck().all()).toEqual(["anna@example.ru"]);
      expect(db.prepare("SELECT count(*) FROM send_ledger").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  test("opening an up-to-date file takes no write lock (a running send is not disturbed)", async () => {
    const file = join(dir, "busy.sqlite");
    (await openState(file)).close();
    const writer = await openState(file);
    writer.prepare("BEGIN IMMEDIATE").run();
    try {
      const t = Date.now();
      (await openState(file)).close();
      expect(Date.now() - t).toBeLessThan(1000);
    } finally {
      writer.prepare("ROLLBACK").run();
      writer.close();
    }
  });
});
