import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CampaignLedger } from "../../src/state/campaigns.js";
import { openState } from "../../src/state/db.js";
import { migrateSqlite } from "../../src/state/migrations.js";
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
      expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual([
        { version: 1, name: "baseline" },
        { version: 2, name: "leases" },
      ]);
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
