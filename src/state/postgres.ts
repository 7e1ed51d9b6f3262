import { createHash } from "node:crypto";
import pg from "pg";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { DATABASE_URL_ENV, maskUrl, urlParts } from "./location.js";
import { bindValues, type Db, type Dialect, driveAsync, type Query, raw, type Steps, sql } from "./sql.js";
import { type OpenStoreOptions, StateStore } from "./store.js";

/**
 * The PostgreSQL adapter of the seam (src/state/sql.ts): one database that `serve` on the web host,
 * sends from laptops and CI runners and `suppress` all share. A `pg` Pool; each statement is prepared
 * once per connection (named by its text's hash). Leases are the server's clock (`now()`), so machines
 * whose clocks disagree still agree on whose lease ran out.
 */
export const POSTGRES: Dialect = {
  name: "postgres",
  now: raw("now()"),
  leaseNow: () => raw("now()"),
  leaseUntil: (ms) => sql`now() + ${ms}::int * interval '1 millisecond'`,
  leaseGone: raw("'-infinity'"),
  msUntil: (column) => sql`extract(epoch FROM ${column} - now()) * 1000`,
  skipLocked: raw("FOR UPDATE SKIP LOCKED"),
  day: (column) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  hasTable: (name) => sql`SELECT 1 WHERE to_regclass(${name}) IS NOT NULL`,
  pageKey: (table) => raw(PAGE_KEYS[table] ?? "id"),
  migrationsTable:
    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
};
const PAGE_KEYS: Record<string, string> = {
  send_runs: "issue",
  suppressed: "email",
  subscribers: "email",
  bounce_messages: "message_key",
  scheduled_issues: "slug",
};

const timestamp = pg.types.getTypeParser(1184, "text");
/** Rows as SQLite gives them: bigints and numerics as numbers, times as ISO text, JSON as text. */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700 || oid === 701) return Number;
    if (oid === 1184)
      return (text: string) => {
        const t = timestamp(text) as Date | number;
        return t instanceof Date && Number.isFinite(t.getTime()) ? t.toISOString() : text;
      };
    if (oid === 3802 || oid === 114) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

type Queryable = Pick<pg.Pool, "query">;

/** A prepared statement's name: its text's hash, worked out once per text. */
const NAMES = new Map<string, string>();
function statementName(text: string): string {
  let name = NAMES.get(text);
  if (!name) {
    name = `r${createHash("sha1").update(text).digest("base64url").slice(0, 20)}`;
    if (NAMES.size >= 1000) NAMES.delete(NAMES.keys().next().value as string);
    NAMES.set(text, name);
  }
  return name;
}

class PostgresDb implements Db {
  readonly dialect = POSTGRES;
  constructor(
    private readonly client: Queryable,
    private readonly pool?: pg.Pool,
  ) {}

  private async query(query: Query) {
    const text = query.text;
    return this.client.query({ name: statementName(text), text, values: bindValues(query.values) });
  }
  async all<T>(query: Query): Promise<T[]> {
    return (await this.query(query)).rows as T[];
  }
  async get<T>(query: Query): Promise<T | undefined> {
    return (await this.query(query)).rows[0] as T | undefined;
  }
  async run(query: Query): Promise<number> {
    return (await this.query(query)).rowCount ?? 0;
  }
  async exec(script: string): Promise<void> {
    await this.client.query(script);
  }
  work<T>(steps: () => Steps<T>, options: { tx?: boolean } = {}): Promise<T> {
    return options.tx ? this.tx((t) => driveAsync(t, steps())) : driveAsync(this, steps());
  }
  async tx<T>(fn: (db: Db) => Promise<T>, locks: readonly string[] = []): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      for (const key of [...new Set(locks)].sort()) await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [key]);
      const result = await fn(new PostgresDb(client));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }
}

export class PostgresStore extends StateStore {
  constructor(
    readonly pool: pg.Pool,
    readonly url: string,
    worker?: string,
  ) {
    super("postgres", maskUrl(url), new PostgresDb(pool, pool), worker);
  }

  /** A failed migration names the server (masked) and what to do. */
  override async migrate(...args: Parameters<StateStore["migrate"]>) {
    return super.migrate(...args).catch((cause) => {
      throw cause instanceof RassylkaError ? cause : postgresError(this.url, cause, "migrate");
    });
  }

  async checkpoint(): Promise<void> {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects (so a wrong URL fails here, with its fix) and migrates unless `migrate: false`. */
export async function openPostgresStore(url: string, options: OpenStoreOptions = {}): Promise<PostgresStore> {
  try {
    new URL(url);
  } catch {
    throw new RassylkaError(
      error("state/bad-url", t("state:pg.badUrl", { url: maskUrl(url) }), {
        field: DATABASE_URL_ENV,
        fix: t("state:pg.badUrl.fix"),
      }),
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 10_000, application_name: "rassylka", types: TYPES });
  // an idle connection dropped by the server must not crash the process; the next query reports it
  pool.on("error", (e) => options.onError?.(new Error(scrub(e.message, url))));
  const store = new PostgresStore(pool, url, options.worker);
  try {
    await pool.query("SELECT 1");
    if (options.migrate !== false && !options.readonly) await store.migrate();
  } catch (cause) {
    await pool.end().catch(() => {});
    throw cause instanceof RassylkaError ? cause : postgresError(url, cause);
  }
  return store;
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
export function postgresError(url: string, cause: unknown, doing: "connect" | "migrate" | "record" = "connect"): RassylkaError {
  const { host, port, database, user } = urlParts(url);
  const e = cause as { code?: string; message?: string };
  const message = scrub(e.message ?? String(cause), url);
  const diagnostic = (text: string, fix: string) =>
    new RassylkaError(error("state/postgres", t(`state:pg.${doing}`, { url: maskUrl(url), text }), { field: DATABASE_URL_ENV, fix }), {
      cause,
    });
  const where = t("state:pg.where", { env: DATABASE_URL_ENV });
  switch (e.code) {
    case "ECONNREFUSED":
      return diagnostic(t("state:pg.refused", { host, port }), t("state:pg.refused.fix", { host, where }));
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return diagnostic(t("state:pg.unknownHost", { host }), t("state:pg.unknownHost.fix", { where }));
    case "ETIMEDOUT":
      return diagnostic(t("state:pg.noAnswer", { host, port }), t("state:pg.noAnswer.fix", { where }));
    case "28P01":
    case "28000":
      return diagnostic(t("state:pg.refusedUser", { user, message }), t("state:pg.refusedUser.fix", { env: DATABASE_URL_ENV }));
    case "3D000":
      return diagnostic(t("state:pg.noDatabase", { database }), t("state:pg.noDatabase.fix", { host, port, user, database }));
    case "42501":
      return diagnostic(t("state:pg.noCreate", { user, message }), t("state:pg.noCreate.fix", { user }));
  }
  if (/timeout/i.test(message)) return diagnostic(t("state:pg.slow", { host, port, message }), t("state:pg.slow.fix", { where }));
  return diagnostic(message, t("state:pg.other.fix", { env: DATABASE_URL_ENV }));
}
