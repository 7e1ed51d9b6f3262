import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CampaignLedger } from "../../src/state/campaigns.js";
import { openState } from "../../src/state/db.js";
import { migrateSqlite, SQLITE_MIGRATIONS } from "../../src/state/migrations.js";
import { SQLITE_LEDGER, SQLITE_SUPPRESSED } from "../../src/state/schema.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rsk-migrations-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Columns (name, type, not null, default, pk) and indexes of a table: its shape, not its data. */
function shape(db: Database.Database, table: string) {
  return {
    columns: db.prepare(`PRAGMA table_info(${table})`).all(),
    indexes: (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; unique: number }[])
      .map((i) => ({ name: i.name, unique: i.unique, columns: db.prepare(`PRAGMA index_info(${i.name})`).all() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

describe("SQLite migrations", () => {
  test("a state file the code made before migrations (schema.ts, then the campaign ledger) ends up in the very shape of a new one", () => {
    const byCode = new Database(":memory:");
    byCode.exec([SQLITE_SUPPRESSED, SQLITE_LEDGER].join("\n"));
    new CampaignLedger(byCode);
    migrateSqlite(byCode, ":memory:");
    const migrated = new Database(":memory:");
    migrateSqlite(migrated, ":memory:");
    for (const table of ["send_runs", "send_ledger", "sendsay_campaigns", "send_workers"])
      expect(shape(migrated, table), table).toEqual(shape(byCode, table));
    // 2: the lease columns and the workers
    const columns = (byCode.prepare("PRAGMA table_info(send_ledger)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(["claimed_by", "lease_expires_at", "listed_by"]));
  });

  test("a migration numbered below one already applied is still applied (numbers are per feature: 3 may come before 2)", () => {
    const db = new Database(":memory:");
    const one = { version: 1, name: "one", sql: "CREATE TABLE a (x)" };
    const two = { version: 2, name: "two", sql: "CREATE TABLE b (x)" };
    const three = { version: 3, name: "three", sql: "CREATE TABLE c (x)" };
    expect(migrateSqlite(db, ":memory:", [one, three])).toEqual({
      applied: [one, three].map(({ version, name }) => ({ version, name })),
      version: 3,
    });
    expect(migrateSqlite(db, ":memory:", [one, two, three])).toEqual({ applied: [{ version: 2, name: "two" }], version: 3 });
    expect(migrateSqlite(db, ":memory:", [one, two, three])).toEqual({ applied: [], version: 3 });
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b', 'c') ORDER BY name").pluck().all(),
    ).toEqual(["a", "b", "c"]);
  });

  test("a state file from before migrations is adopted as version 1 with its rows", () => {
    const file = join(dir, "old.sqlite");
    const old = new Database(file);
    old.exec(`CREATE TABLE suppressed (
      email TEXT PRIMARY KEY COLLATE NOCASE, reason TEXT NOT NULL, source TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
      INSERT INTO suppressed (email, reason) VALUES ('anna@example.ru', 'unsubscribed');`);
    old.close();
    const db = openState(file);
    try {
      // adopted as 1, then the later migrations on top
      expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual(
        SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      expect(db.prepare("SELECT email FROM suppressed").pluck().all()).toEqual(["anna@example.ru"]);
      expect(db.prepare("SELECT count(*) FROM send_ledger").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  test("opening an up-to-date file takes no write lock (a running send is not disturbed)", () => {
    const file = join(dir, "busy.sqlite");
    openState(file).close();
    const writer = openState(file);
    writer.prepare("BEGIN IMMEDIATE").run();
    try {
      const t = Date.now();
      openState(file).close();
      expect(Date.now() - t).toBeLessThan(1000);
    } finally {
      writer.prepare("ROLLBACK").run();
      writer.close();
    }
  });
});

test("a migration missing below the newest one applied (made on another branch) is still applied", () => {
  const file = join(dir, "gap.sqlite");
  const db = new Database(file);
  try {
    const one = { version: 1, name: "one", sql: "CREATE TABLE one (x INTEGER)" };
    const two = { version: 2, name: "two", sql: "CREATE TABLE two (x INTEGER)" };
    const four = { version: 4, name: "four", sql: "CREATE TABLE four (x INTEGER)" };
    expect(migrateSqlite(db, file, [one, four]).applied.map((m) => m.version)).toEqual([1, 4]);
    expect(migrateSqlite(db, file, [one, two, four])).toEqual({ applied: [{ version: 2, name: "two" }], version: 4 });
    expect(migrateSqlite(db, file, [one, two, four]).applied).toEqual([]);
  } finally {
    db.close();
  }
});
