import sql, { bulk, empty, join, raw, type Sql } from "sql-template-tag";

/**
 * The one SQL seam every subject of the state goes through (pg-boss's `executeSql`, graphile-worker's
 * `withPgClient`): a query is written once as a tagged template, `sql\`… WHERE issue = ${issue}\``, and
 * each driver adapter renders it — `?` for better-sqlite3 (src/state/sqlite.ts), `$1` for `pg`
 * (src/state/postgres.ts) — and keeps its prepared statement in a cache keyed by the text. The few
 * places where the two databases really differ are the named fragments of `Dialect` below; everything
 * else is one statement for both.
 *
 * Values come back the same from both: times as ISO 8601 text in UTC with milliseconds (what SQLite
 * stores; PostgreSQL's timestamptz is read into it), bigints as numbers, JSON as its text.
 */
export { bulk, empty, join, raw, type Sql, sql };

/** What the adapters run: a rendered text (`?` and `$1` forms) and its values. `Sql` is one. */
export interface Query {
  readonly sql: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * A value taken when the statement runs, not when its text is built: SQLite's lease clock
 * (`Date.now()`), so a statement built once (`statement` below) still reads the time of each call.
 */
export class Late {
  constructor(readonly read: () => unknown) {}
}

/** The values to bind: `Late` ones read now (a copy only when there are any: the drivers never change the array). */
export function bindValues(values: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v instanceof Late)) continue;
    out ??= values.slice();
    out[i] = v.read();
  }
  return out ?? (values as unknown[]);
}

/** A named parameter of a `statement`: where the call's value goes. */
class Param {
  constructor(readonly name: string) {}
}

/**
 * A query whose shape is fixed and only its values change (the send loop's claim and record, run once
 * per few readers): `build` is rendered once per dialect, with each `p.name` a placeholder, and each
 * call only fills in the values — no template is re-rendered and the text (the adapters' statement
 * cache key) is the same string every time.
 */
export function statement<P extends object>(
  build: (p: { readonly [K in keyof P]: Sql }, dialect: Dialect) => Sql,
): (dialect: Dialect, params: P) => Query {
  const shapes = new Map<string, { sql: string; text: string; slots: readonly unknown[] }>();
  const shapeOf = (dialect: Dialect) => {
    let shape = shapes.get(dialect.name);
    if (!shape) {
      const p = new Proxy({} as { [K in keyof P]: Sql }, { get: (_, name) => sql`${new Param(String(name))}` });
      const built = build(p, dialect);
      shape = { sql: built.sql, text: built.text, slots: built.values };
      shapes.set(dialect.name, shape);
    }
    return shape;
  };
  return (dialect, params) => {
    const { sql: text, text: numbered, slots } = shapeOf(dialect);
    const values = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      values[i] = slot instanceof Param ? (params as Record<string, unknown>)[slot.name] : slot;
    }
    return { sql: text, text: numbered, values };
  };
}

export interface Db {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(query: Query): Promise<T[]>;
  get<T = Record<string, unknown>>(query: Query): Promise<T | undefined>;
  /** Runs a statement; how many rows it changed. */
  run(query: Query): Promise<number>;
  /** A script of statements without parameters (a migration's DDL). */
  exec(script: string): Promise<void>;
  /**
   * One transaction: `BEGIN IMMEDIATE` on SQLite (the write lock first, so it never has to be upgraded),
   * `BEGIN` plus an advisory lock per key on PostgreSQL (sorted, so overlapping sets never deadlock).
   * Inside, use the `Db` given to `fn`; within a transaction `tx` just runs `fn`.
   */
  tx<T>(fn: (db: Db) => Promise<T>, locks?: readonly string[]): Promise<T>;
  /** Runs a unit written as `Steps` (below); `tx`: as one transaction, like `tx()`. */
  work<T>(steps: () => Steps<T>, options?: { tx?: boolean }): Promise<T>;
}

/**
 * A unit of work written once for both databases as a generator that yields its statements
 * (`const rows = yield* step.all<Row>(query)`). The SQLite adapter answers each the moment it is yielded,
 * the whole unit synchronously inside its `BEGIN IMMEDIATE` — no promise per statement, which the send
 * loop's record-and-claim (once per few readers) would otherwise pay; PostgreSQL awaits each round trip.
 */
export interface Step {
  readonly kind: "all" | "get" | "run";
  readonly query: Query;
}
export type Steps<T> = Generator<Step, T, unknown>;
export const step = {
  *all<T>(query: Query): Steps<T[]> {
    return (yield { kind: "all", query }) as T[];
  },
  *get<T>(query: Query): Steps<T | undefined> {
    return (yield { kind: "get", query }) as T | undefined;
  },
  *run(query: Query): Steps<number> {
    return (yield { kind: "run", query }) as number;
  },
};

/** Drives `steps`, each statement answered by `answer` (synchronously on SQLite, a promise on PostgreSQL). */
export function drive<T>(steps: Steps<T>, answer: (s: Step) => unknown): T {
  let next = steps.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = answer(next.value);
    } catch (e) {
      next = steps.throw(e);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

/** The same over a `Db` whose answers are promises. */
export async function driveAsync<T>(db: Db, steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let value: unknown;
    try {
      const { kind, query } = next.value;
      value = await (kind === "all" ? db.all(query) : kind === "get" ? db.get(query) : db.run(query));
    } catch (e) {
      next = steps.throw(e);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

/** What differs between the two databases, by name. */
export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** The time now, for the ISO-time columns (`*_at`). */
  readonly now: Sql;
  /** The lease clock now: ms since the epoch on SQLite (one machine), the server's clock on PostgreSQL. */
  leaseNow(): Sql;
  /** The lease clock `ms` from now. */
  leaseUntil(ms: number | Sql): Sql;
  /** A lease that ran out long ago (what an ended worker's rows get, and `coalesce` of no lease). */
  readonly leaseGone: Sql;
  /** ms until the lease in `column` runs out (negative when it has). */
  msUntil(column: Sql): Sql;
  /** `FOR UPDATE SKIP LOCKED` where rows can be locked (PostgreSQL); nothing on SQLite, whose claim holds the file's write lock. */
  readonly skipLocked: Sql;
  /** The UTC day (`YYYY-MM-DD`) of an ISO-time column. */
  day(column: Sql): Sql;
  /** One row when the table exists. */
  hasTable(name: string): Sql;
  /** The column that pages a table in insertion order for `state copy`. */
  pageKey(table: string): Sql;
  /** `schema_migrations`, created when missing. */
  readonly migrationsTable: string;
}

/** One time representation: ISO 8601, UTC, milliseconds (`2026-12-01T10:00:00.000Z`). */
export function isoNow(): string {
  return new Date().toISOString();
}

export async function tableExists(db: Db, name: string): Promise<boolean> {
  return (await db.get(db.dialect.hasTable(name))) !== undefined;
}
