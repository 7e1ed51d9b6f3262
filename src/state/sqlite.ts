import type Database from "better-sqlite3";
import { addressKey } from "../identity/address.js";
import { bindValues, type Db, type Dialect, drive, Late, type Query, raw, type Step, type Steps, sql } from "./sql.js";
import { StateStore } from "./store.js";

/**
 * The SQLite adapter of the seam (src/state/sql.ts): better-sqlite3 is synchronous, so every call runs
 * to its end before it returns a settled promise. A transaction is `BEGIN IMMEDIATE` and short, so
 * sends of different issues on one file wait a few milliseconds for each other instead of failing with
 * "database is locked". Leases are ms since the epoch on this machine's clock (the file is on one machine).
 */
export type StateDb = Database.Database;

const ISO_NOW = raw("strftime('%Y-%m-%dT%H:%M:%fZ','now')");
/** This machine's clock in ms, read when the statement runs. */
const NOW_MS = sql`${new Late(Date.now)}`;

export const SQLITE: Dialect = {
  name: "sqlite",
  now: ISO_NOW,
  leaseNow: () => NOW_MS,
  leaseUntil: (ms) => sql`(${NOW_MS} + ${ms})`,
  leaseGone: raw("0"),
  msUntil: (column) => sql`${column} - ${NOW_MS}`,
  skipLocked: raw(""),
  hasTable: (name) => sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${name}`,
  pageKey: () => raw("rowid"),
  migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))`,
};

/**
 * Transactions of every connection in this process, one at a time: an await inside one must not let
 * another connection's `BEGIN IMMEDIATE` (or a write) wait on the busy timeout, which blocks the thread
 * the first needs to finish. Other processes wait on the busy timeout, as ever.
 */
let queue: Promise<unknown> = Promise.resolve();
/** Transactions queued and not yet settled: with none, a synchronous one may run at once. */
let queued = 0;
let holder: SqliteDb | undefined;
const settled = () => {
  queued--;
};
const [BEGIN, COMMIT, ROLLBACK] = ["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"].map(raw);

export class SqliteDb implements Db {
  readonly dialect = SQLITE;
  /** The same connection inside a transaction (one per connection, made once). */
  private inner?: SqliteDb;
  constructor(
    readonly db: StateDb,
    private readonly inTx = false,
    private readonly statements = new Map<string, Database.Statement>(),
  ) {}

  private prepared(query: Query): Database.Statement {
    const text = query.sql;
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      if (this.statements.size >= 500) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Outside a transaction while one is open: after it (it would otherwise join it, or wait on the lock). */
  private when<T>(fn: () => T): Promise<T> {
    if (this.inTx || !holder) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.exclusive(async () => fn());
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    queued++;
    const run = queue.then(fn);
    queue = run.then(settled, settled);
    return run;
  }

  /** One statement of a `Steps` unit, now. */
  private answer = (s: Step): unknown => {
    const statement = this.prepared(s.query);
    const values = bindValues(s.query.values);
    return s.kind === "all" ? statement.all(values) : s.kind === "get" ? statement.get(values) : statement.run(values).changes;
  };

  all<T>(query: Query): Promise<T[]> {
    return this.when(() => this.prepared(query).all(bindValues(query.values)) as T[]);
  }
  get<T>(query: Query): Promise<T | undefined> {
    return this.when(() => this.prepared(query).get(bindValues(query.values)) as T | undefined);
  }
  run(query: Query): Promise<number> {
    return this.when(() => this.prepared(query).run(bindValues(query.values)).changes);
  }
  exec(script: string): Promise<void> {
    return this.when(() => void this.db.exec(script));
  }

  tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    return this.exclusive(() => {
      this.inner ??= new SqliteDb(this.db, true, this.statements);
      return this.transaction(() => fn(this.inner!));
    });
  }

  /** `BEGIN IMMEDIATE`, `body`, `COMMIT` (or `ROLLBACK`): synchronous when `body` is. */
  private transaction<T>(body: () => T): T;
  private transaction<T>(body: () => Promise<T>): Promise<T>;
  private transaction<T>(body: () => T | Promise<T>): T | Promise<T> {
    this.prepared(BEGIN).run();
    holder = this;
    const fail = (e: unknown): never => {
      holder = undefined;
      if (this.db.inTransaction) this.prepared(ROLLBACK).run();
      throw e;
    };
    const commit = (value: T): T => {
      try {
        this.prepared(COMMIT).run();
      } catch (e) {
        fail(e);
      }
      holder = undefined;
      return value;
    };
    let result: T | Promise<T>;
    try {
      result = body();
    } catch (e) {
      return fail(e);
    }
    return result instanceof Promise ? result.then(commit, fail) : commit(result);
  }

  work<T>(steps: () => Steps<T>, options: { tx?: boolean } = {}): Promise<T> {
    const run = () => drive(steps(), this.answer);
    if (!options.tx || this.inTx) return this.when(run);
    // nothing queued: the whole transaction now, synchronously (no other can start before it ends)
    if (queued === 0) return this.when(() => this.transaction(run));
    return this.exclusive(async () => this.transaction(run));
  }
}

/** The SQLite store: the state file (src/state/db.ts) behind the seam. */
export class SqliteStore extends StateStore {
  /** `owned`: close() closes the connection (false when the caller opened it and keeps using it). */
  constructor(
    readonly db: StateDb,
    location: string,
    private readonly owned = true,
    worker?: string,
  ) {
    super("sqlite", location, new SqliteDb(db), worker);
  }

  async checkpoint(): Promise<void> {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}

/** A store on a connection the caller opened (and closes): the send engine's, or a test's. */
export function sqliteStore(db: StateDb, location = db.name, worker?: string): SqliteStore {
  return new SqliteStore(db, location, false, worker);
}

/**
 * Suppressions recorded before identities held A-labels (`user@пример.рф`): under their key now
 * (`user@xn--e1afmkfd.xn--p1ai`), so they still match. Only rows with non-ASCII text are looked at.
 */
export function rekeySuppressions(db: StateDb): void {
  const old = db.prepare("SELECT email FROM suppressed WHERE email GLOB ?").pluck().all("*[^ -~]*") as string[];
  if (!old.length) return;
  const move = db.prepare("UPDATE OR IGNORE suppressed SET email = ? WHERE email = ?");
  const drop = db.prepare("DELETE FROM suppressed WHERE email = ?");
  db.transaction(() => {
    for (const email of old) {
      const key = addressKey(email);
      if (key !== email && move.run(key, email).changes === 0) drop.run(email); // the new key was already there
    }
  })();
}
