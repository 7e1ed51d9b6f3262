import pg from "pg";
import { error, RassylkaError } from "../diagnostics.js";
import { addressKey } from "../identity/address.js";
import type { BounceStore } from "./bounces.js";
import { PostgresBounces } from "./bounces-postgres.js";
import type { CampaignStore } from "./campaigns.js";
import type { LedgerStore } from "./ledger.js";
import { PostgresLedger } from "./ledger-postgres.js";
import { DATABASE_URL_ENV, maskUrl, urlParts } from "./location.js";
import { latestVersion, type MigrationResult, newerSchemaError, POSTGRES_MIGRATIONS } from "./migrations.js";
import { PostgresCampaigns } from "./postgres-campaigns.js";
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
import { SUBSCRIBER_TIMES, type SubscriberStore } from "./subscribers.js";
import { PostgresSubscribers } from "./subscribers-postgres.js";
import type { Suppression, SuppressionReason } from "./suppressions.js";

/**
 * The PostgreSQL store: one database that `serve` on the web host, sends from laptops and CI runners
 * and `suppress` all share (issue 13). A `pg` Pool; every operation is one statement or one
 * transaction. Times are read back as the ISO text SQLite keeps (`to_char`), so both backends answer
 * the same rows.
 */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One lock for schema changes: concurrent first opens (two senders, serve) apply each migration once. */
const MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('rassylka:schema_migrations'))";

const TIMES = new Set(["started_at", "updated_at", "created_at", "sent_at", "bounced_at", ...SUBSCRIBER_TIMES]);
const INTEGERS = new Set([
  "run_id",
  "total",
  "invalid",
  "duplicates",
  "line",
  "attempts",
  "last_code",
  "resent",
  "track_status",
  "messages",
]);
/** The column that pages a table in `rows()`. */
const ORDER: Record<StateTable, string> = {
  send_runs: "issue",
  send_ledger: "id",
  suppressed: "email",
  sendsay_campaigns: "id",
  subscribers: "email",
  bounces: "id",
  bounce_messages: "message_key",
  send_invalid: "id",
};

function columnType(column: string): string {
  if (TIMES.has(column)) return "timestamptz";
  if (INTEGERS.has(column)) return "integer";
  if (column === "next_at") return "bigint";
  return "text";
}

function selectExpression(column: string): string {
  if (TIMES.has(column)) return `${ISO(column)} AS ${column}`;
  if (column === "next_at") return "next_at::float8 AS next_at";
  return column;
}

/** Never let the password reach a message, whatever the driver put in it. */
function scrub(text: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {}
  return password.length >= 3 ? text.split(password).join("***") : text;
}

/** A failed connection or migration → what happened, where (masked), and what to do. */
export function postgresError(url: string, cause: unknown, doing = "connect to"): RassylkaError {
  const where = maskUrl(url);
  const { host, port, database, user } = urlParts(url);
  const e = cause as { code?: string; message?: string };
  const message = scrub(e.message ?? String(cause), url);
  const diagnostic = (text: string, fix: string) =>
    new RassylkaError(error("state/postgres", `cannot ${doing} PostgreSQL at ${where}: ${text}`, { field: DATABASE_URL_ENV, fix }), {
      cause,
    });
  const where2 = `the host and port in ${DATABASE_URL_ENV} (or --state)`;
  switch (e.code) {
    case "ECONNREFUSED":
      return diagnostic(`nothing listens on ${host}:${port}`, `start PostgreSQL on ${host}, or correct ${where2}`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return diagnostic(`the host "${host}" is not known`, `correct ${where2}`);
    case "ETIMEDOUT":
      return diagnostic(`no answer from ${host}:${port}`, `check ${where2} and any firewall between this machine and the server`);
    case "28P01":
    case "28000":
      return diagnostic(`the server refused user "${user}" (${message})`, `check the user name and password in ${DATABASE_URL_ENV}`);
    case "3D000":
      return diagnostic(
        `the database "${database}" does not exist`,
        `create it (createdb -h ${host} -p ${port} -U ${user} ${database}), or name an existing database in the URL`,
      );
    case "42501":
      return diagnostic(
        `user "${user}" may not create the tables (${message})`,
        `run \`rassylka state migrate\` once as the database's owner, or grant the user CREATE on the schema (GRANT CREATE ON SCHEMA public TO "${user}")`,
      );
  }
  if (/timeout/i.test(message))
    return diagnostic(`no answer from ${host}:${port} (${message})`, `check ${where2} and any firewall on the way`);
  return diagnostic(message, `check ${DATABASE_URL_ENV} (postgres://user:password@host:5432/database) and that the server is up`);
}

export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  readonly location: string;
  readonly suppressions: SuppressionStore;
  readonly campaigns: CampaignStore;
  readonly subscribers: SubscriberStore;
  readonly bounces: BounceStore;
  readonly ledger: LedgerStore;

  constructor(
    readonly pool: pg.Pool,
    readonly url: string,
    worker?: string,
  ) {
    this.location = maskUrl(url);
    this.suppressions = new PostgresSuppressions(pool);
    this.campaigns = new PostgresCampaigns(pool);
    this.subscribers = new PostgresSubscribers(pool);
    this.bounces = new PostgresBounces(pool);
    this.ledger = new PostgresLedger(pool, this.location, { worker });
  }

  private async tableExists(table: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [table]);
    return rows[0].ok;
  }

  async schemaVersion(): Promise<number> {
    if (!(await this.tableExists("schema_migrations"))) return 0;
    const { rows } = await this.pool.query<{ v: number }>("SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations");
    return rows[0].v;
  }

  /**
   * Up to date: answered without a lock or any DDL (a user without CREATE can run `serve` once the owner
   * migrated). Otherwise one transaction under an advisory lock re-reads the version and applies the rest.
   */
  async migrate(migrations = POSTGRES_MIGRATIONS): Promise<MigrationResult> {
    const known = latestVersion(migrations);
    const current = await this.schemaVersion();
    if (current > known) throw newerSchemaError(this.location, current, known);
    const done = async () =>
      current === 0
        ? new Set<number>()
        : new Set((await this.pool.query<{ v: number }>("SELECT version AS v FROM schema_migrations")).rows.map((r) => r.v));
    // by set, not by the highest number: a database that has 4 but not 2 (made while 2 was on another branch) still gets 2
    const before = await done();
    if (migrations.every((m) => before.has(m.version))) return { applied: [], version: current };
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(MIGRATION_LOCK);
      await client.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      const { rows } = await client.query<{ v: number }>("SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations");
      const version = rows[0].v;
      const have = new Set((await client.query<{ v: number }>("SELECT version AS v FROM schema_migrations")).rows.map((r) => r.v));
      const applied: MigrationResult["applied"] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (have.has(m.version)) continue;
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
        applied.push({ version: m.version, name: m.name });
      }
      await client.query("COMMIT");
      return { applied, version: Math.max(version, known) };
    } catch (cause) {
      await client.query("ROLLBACK").catch(() => {});
      if (cause instanceof RassylkaError) throw cause;
      throw postgresError(this.url, cause, "migrate");
    } finally {
      client.release();
    }
  }

  async *rows<T extends StateTable>(table: T, batchSize = 1000): AsyncIterable<StateRows[T][]> {
    if (!(await this.tableExists(table))) return;
    const order = ORDER[table];
    const select = `SELECT ${order} AS _key, ${COPY_COLUMNS[table].map(selectExpression).join(", ")} FROM ${table}`;
    let after: unknown;
    for (;;) {
      const { rows } =
        after === undefined
          ? await this.pool.query(`${select} ORDER BY ${order} LIMIT $1`, [batchSize])
          : await this.pool.query(`${select} WHERE ${order} > $1 ORDER BY ${order} LIMIT $2`, [after, batchSize]);
      if (!rows.length) return;
      after = rows[rows.length - 1]._key;
      yield rows.map(({ _key, ...r }) => ("fields" in r ? { ...r, fields: JSON.stringify(r.fields) } : r) as StateRows[T]);
      if (rows.length < batchSize) return;
    }
  }

  async insertMissing<T extends StateTable>(table: T, rows: StateRows[T][]): Promise<number> {
    if (!rows.length) return 0;
    const columns = COPY_COLUMNS[table];
    const keys = COPY_KEYS[table];
    const definition = columns.map((c) => `${c} ${columnType(c)}`).join(", ");
    const values = columns.map((c) => (c === "fields" ? "x.fields::jsonb" : `x.${c}`)).join(", ");
    const sql =
      table === "sendsay_campaigns"
        ? `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS x(${definition})
           WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${keys.map((k) => `t.${k} = x.${k}`).join(" AND ")})`
        : `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS x(${definition})
           ON CONFLICT (${keys.join(", ")}) ${copyConflict(table, columns, keys, table)}`;
    const payload = table === "suppressed" ? rows.map((r) => ({ ...r, email: addressKey((r as Suppression).email) })) : rows;
    const result = await this.pool.query(sql, [JSON.stringify(payload)]);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PostgresSuppressions implements SuppressionStore {
  constructor(private readonly pool: pg.Pool) {}

  async add(email: string, reason: SuppressionReason | string = "manual", source?: string): Promise<boolean> {
    const r = await this.pool.query("INSERT INTO suppressed (email, reason, source) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING", [
      addressKey(email),
      reason,
      source ?? null,
    ]);
    return r.rowCount === 1;
  }

  /** One statement (one commit) for the whole group; RETURNING names the rows that were new. */
  async addMany(entries: readonly { email: string; reason?: string; source?: string }[]): Promise<boolean[]> {
    if (!entries.length) return [];
    const keys = entries.map((e) => addressKey(e.email));
    const { rows } = await this.pool.query<{ email: string }>(
      `INSERT INTO suppressed (email, reason, source)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (email) DO NOTHING RETURNING email`,
      [keys, entries.map((e) => e.reason ?? "manual"), entries.map((e) => e.source ?? null)],
    );
    const fresh = new Set(rows.map((r) => r.email));
    // an address twice in one group: the first is the new one
    return keys.map((k) => fresh.delete(k));
  }

  async remove(email: string): Promise<boolean> {
    return (await this.pool.query("DELETE FROM suppressed WHERE email = $1", [addressKey(email)])).rowCount === 1;
  }

  async has(email: string): Promise<boolean> {
    return ((await this.pool.query("SELECT 1 FROM suppressed WHERE email = $1", [addressKey(email)])).rowCount ?? 0) > 0;
  }

  async list(): Promise<Suppression[]> {
    const { rows } = await this.pool.query<Suppression>(
      `SELECT email, reason, source, ${ISO("created_at")} AS created_at FROM suppressed ORDER BY created_at, email`,
    );
    return rows;
  }

  async count(): Promise<number> {
    return (await this.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM suppressed")).rows[0].n;
  }
}

/** Connects (so a wrong URL fails here, with its fix) and migrates unless `migrate: false`. */
export async function openPostgresStore(url: string, options: OpenStoreOptions = {}): Promise<PostgresStore> {
  try {
    new URL(url);
  } catch {
    throw new RassylkaError(
      error("state/bad-url", `${maskUrl(url)} is not a valid URL`, {
        field: DATABASE_URL_ENV,
        fix: "write it as postgres://user:password@host:5432/database (percent-encode @, : and / inside the password)",
      }),
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000, application_name: "rassylka" });
  // an idle connection dropped by the server must not crash the process; the next query reports it
  pool.on("error", (e) => options.onError?.(new Error(scrub(e.message, url))));
  const store = new PostgresStore(pool, url, options.worker);
  try {
    await pool.query("SELECT 1");
  } catch (cause) {
    await pool.end().catch(() => {});
    throw postgresError(url, cause);
  }
  if (options.migrate !== false && !options.readonly) {
    try {
      await store.migrate();
    } catch (cause) {
      await pool.end().catch(() => {});
      throw cause;
    }
  }
  return store;
}
