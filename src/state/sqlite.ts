import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { error, RassylkaError } from "../diagnostics.js";
import { addressKey } from "../identity/address.js";
import type { BounceStore } from "./bounces.js";
import { SqliteBounces } from "./bounces-sqlite.js";
import { type CampaignStore, SqliteCampaigns } from "./campaigns.js";
import { openState, type StateDb } from "./db.js";
import type { LedgerStore } from "./ledger.js";
import { SqliteLedger } from "./ledger-sqlite.js";
import { type MigrationResult, migrateSqlite } from "./migrations.js";
import {
  COPY_COLUMNS,
  COPY_KEYS,
  copyConflict,
  type OpenStoreOptions,
  type StateRows,
  type StateTable,
  type Store,
  type SuppressionStore,
} from "./store.js";
import type { SubscriberStore } from "./subscribers.js";
import { SqliteSubscribers } from "./subscribers-sqlite.js";
import { type SuppressionReason, Suppressions } from "./suppressions.js";

/**
 * The SQLite store: the state file of src/state/db.ts behind the Promise-based seam. Every call runs
 * synchronously on better-sqlite3 and returns a settled promise, so the file behaves exactly as before
 * (WAL, busy timeout, one transaction per group of unsubscribes).
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly suppressions: SuppressionStore;
  readonly campaigns: CampaignStore;
  readonly subscribers: SubscriberStore;
  readonly bounces: BounceStore;
  private sendLedger?: SqliteLedger;

  /** `owned`: close() closes the connection (false when the caller opened it and keeps using it). */
  constructor(
    readonly db: StateDb,
    readonly location: string,
    private readonly owned = true,
    private readonly worker?: string,
  ) {
    this.suppressions = new SqliteSuppressions(db);
    this.campaigns = new SqliteCampaigns(db);
    this.subscribers = new SqliteSubscribers(db);
    this.bounces = new SqliteBounces(db);
  }

  /** Made on first use: a store opened read-only or without migrations may not have the tables. */
  get ledger(): LedgerStore {
    this.sendLedger ??= new SqliteLedger(this.db, { location: this.location, worker: this.worker });
    return this.sendLedger;
  }

  async migrate(): Promise<MigrationResult> {
    return migrateSqlite(this.db, this.location);
  }

  async schemaVersion(): Promise<number> {
    if (!this.hasTable("schema_migrations")) return 0;
    return (this.db.prepare("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  async *rows<T extends StateTable>(table: T, batchSize = 1000): AsyncIterable<StateRows[T][]> {
    if (!this.hasTable(table)) return;
    const columns = COPY_COLUMNS[table];
    // keyset pages by rowid: no statement stays open between the batches the caller awaits
    const page = this.db.prepare(`SELECT rowid AS _row, ${columns.join(", ")} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = page.all(after, batchSize) as (StateRows[T] & { _row: number })[];
      if (!rows.length) return;
      after = rows[rows.length - 1]._row;
      yield rows.map(({ _row, ...r }) => r as unknown as StateRows[T]);
      if (rows.length < batchSize) return;
    }
  }

  async insertMissing<T extends StateTable>(table: T, rows: StateRows[T][]): Promise<number> {
    if (!rows.length) return 0;
    const columns = COPY_COLUMNS[table];
    const keys = COPY_KEYS[table];
    const values = columns.map((c) => `@${c}`).join(", ");
    // runs, ledger rows and suppressions have a unique key; campaign records are matched by their identity
    const sql =
      table === "sendsay_campaigns"
        ? `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values}
           WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${keys.map((k) => `${k} = @${k}`).join(" AND ")})`
        : `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values}) ON CONFLICT (${keys.join(", ")}) ${copyConflict(table, columns, keys, table)}`;
    const insert = this.db.prepare(sql);
    return this.db.transaction(() => {
      let n = 0;
      for (const row of rows) {
        const r = table === "suppressed" ? { ...row, email: addressKey((row as StateRows["suppressed"]).email) } : row;
        n += insert.run(r).changes;
      }
      return n;
    })();
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}

class SqliteSuppressions implements SuppressionStore {
  private prepared?: { sync: Suppressions; addAll: (entries: readonly { email: string; reason?: string; source?: string }[]) => boolean[] };
  constructor(private readonly db: StateDb) {}
  /** Prepared on first use: a store opened without migrations (or read-only) may not have the table yet. */
  private get sync(): Suppressions {
    return this.statements().sync;
  }
  private get addAll() {
    return this.statements().addAll;
  }
  private statements() {
    if (!this.prepared) {
      const sync = new Suppressions(this.db);
      const addAll = this.db.transaction((entries: readonly { email: string; reason?: string; source?: string }[]) =>
        entries.map((e) => sync.add(e.email, e.reason ?? "manual", e.source)),
      );
      this.prepared = { sync, addAll };
    }
    return this.prepared;
  }
  async add(email: string, reason: SuppressionReason | string = "manual", source?: string) {
    return this.sync.add(email, reason, source);
  }
  async addMany(entries: readonly { email: string; reason?: string; source?: string }[]) {
    return entries.length ? this.addAll(entries) : [];
  }
  async remove(email: string) {
    return this.sync.remove(email);
  }
  async has(email: string) {
    return this.sync.has(email);
  }
  async list() {
    return this.sync.list();
  }
  async count() {
    return this.sync.count();
  }
}

/**
 * Opens (creating) the state file, migrated unless `migrate: false`. `readonly` opens an existing file
 * as it is — no migration, nothing written — for the source of `rassylka state copy`.
 */
export async function openSqliteStore(file: string, options: OpenStoreOptions = {}): Promise<SqliteStore> {
  if (options.readonly) {
    if (!existsSync(file)) {
      throw new RassylkaError(
        error("state/no-file", `there is no state file at ${file}`, {
          fix: "give the path of an existing state file (the default is .rassylka/state.sqlite under the newsletter's folder)",
        }),
      );
    }
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return new SqliteStore(db, file);
  }
  const db = openState(file, { durability: options.durability, migrate: options.migrate, onCreate: options.onCreate });
  return new SqliteStore(db, file, true, options.worker);
}

/** A store on a connection the caller opened (and closes): the send engine's, or a test's. */
export function sqliteStore(db: StateDb, location = db.name, worker?: string): SqliteStore {
  return new SqliteStore(db, location, false, worker);
}
