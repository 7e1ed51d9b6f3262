import type Database from "better-sqlite3";
import { error, RassylkaError } from "../diagnostics.js";
import { POSTGRES_BOUNCES, SQLITE_BOUNCES } from "./bounces.js";
import { SQLITE_CAMPAIGNS, SQLITE_LEDGER, SQLITE_SUPPRESSED } from "./schema.js";
import { POSTGRES_SUBSCRIBERS, SQLITE_SUBSCRIBERS } from "./subscribers.js";

/**
 * Versioned schema migrations, one numbered list per backend. A database records what it has in
 * `schema_migrations (version, name, applied_at)`; opening a store applies the missing ones (and
 * `rassylka state migrate` does it explicitly and says what it applied). Never edit a migration that
 * has shipped: add the next number. Both lists must give the same tables the same meaning, so a row
 * copied from one backend to the other (`rassylka state copy`) means the same thing there.
 *
 * SQLite 1 is the schema every state file already has (src/state/schema.ts, every statement `IF NOT
 * EXISTS`), so an existing file is adopted as version 1 unchanged. src/state/campaigns.ts still runs its
 * statement too, and the ledger (src/state/ledger-sqlite.ts) adds `in_doubt` and `deferred_since` in
 * place to files made before them; every later column comes as a numbered migration (`ALTER TABLE`).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationResult {
  /** What this call applied, in order (empty when the database was up to date). */
  applied: { version: number; name: string }[];
  /** The database's schema version afterwards. */
  version: number;
}

/**
 * 2: leases instead of the pid lock (src/state/ledger.ts). Each ledger row in flight carries
 * its worker (`claimed_by`, kept afterwards as the worker that last handled it: `status` counts per
 * worker from it) and its lease expiry; `listed_by` is the worker whose list last named the reader (so a
 * worker joining a run does not count the first worker's readers as its duplicates); `send_workers` is
 * one row per worker of an issue with its own lease, which says whether a run is being sent now.
 * SQLite keeps leases as ms since the epoch (one machine's clock); `send_runs.pid`/`host` stay unused.
 */
const SQLITE_LEASES = `
ALTER TABLE send_ledger ADD COLUMN claimed_by TEXT;
ALTER TABLE send_ledger ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE send_ledger ADD COLUMN listed_by TEXT;
CREATE INDEX IF NOT EXISTS send_ledger_in_flight ON send_ledger (issue, claimed_by) WHERE state = 'in_flight';
CREATE TABLE IF NOT EXISTS send_workers (
  worker           TEXT NOT NULL,
  issue            TEXT NOT NULL,
  run_id           INTEGER NOT NULL,
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  started_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  lease_expires_at INTEGER NOT NULL,
  ended_at         TEXT,
  PRIMARY KEY (worker, issue)
);
CREATE INDEX IF NOT EXISTS send_workers_issue ON send_workers (issue);
`;

/** 2 in PostgreSQL: `claimed_by` and `lease_expires_at` came with the baseline; leases use the server's clock. */
const POSTGRES_LEASES = `
ALTER TABLE send_ledger ADD COLUMN listed_by text;
CREATE INDEX send_ledger_in_flight ON send_ledger (issue, claimed_by) WHERE state = 'in_flight';
CREATE TABLE send_workers (
  worker           text NOT NULL,
  issue            text NOT NULL,
  run_id           integer NOT NULL,
  host             text NOT NULL,
  pid              integer NOT NULL,
  started_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  lease_expires_at timestamptz NOT NULL,
  ended_at         timestamptz,
  PRIMARY KEY (worker, issue)
);
CREATE INDEX send_workers_issue ON send_workers (issue);
`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "baseline",
    sql: [SQLITE_SUPPRESSED, SQLITE_LEDGER, SQLITE_CAMPAIGNS].join("\n"),
  },
  { version: 2, name: "leases", sql: SQLITE_LEASES },
  // numbers are per feature (2 leases, 3 bounces, 4 subscribers); the runner applies whatever is missing, in order
  { version: 3, name: "bounces", sql: SQLITE_BOUNCES },
  /** The subscriber list and the subscribe form's abuse counters (src/state/subscribers.ts). */
  { version: 4, name: "subscribers", sql: SQLITE_SUBSCRIBERS },
  /** The list's rows that are not addresses, kept in the store for `status` (not in the send's memory). */
  {
    version: 5,
    name: "invalid rows",
    sql: `
CREATE TABLE IF NOT EXISTS send_invalid (
  issue   TEXT NOT NULL,
  run_id  INTEGER NOT NULL,
  line    INTEGER NOT NULL,
  address TEXT NOT NULL,
  reason  TEXT NOT NULL,
  PRIMARY KEY (issue, run_id, line)
);`,
  },
];

/**
 * The same tables in PostgreSQL. Differences, all deliberate:
 * - times are `timestamptz` (SQLite keeps ISO text; the store reads them back in that same text);
 * - `suppressed.email` is plain text holding the canonical key (src/identity/address.ts `addressKey`:
 *   trimmed, lower-cased), written and looked up only through that function, which is what SQLite's
 *   `COLLATE NOCASE` guards in the file (no citext: it is an extension not every server has);
 * - `send_ledger.fields` is jsonb; ids are identities (bigint);
 * - no `pid`/`host` on send_runs: the pid lock is what leases replace. Instead each ledger row carries
 *   its lease: `claimed_by` (the worker id) and `lease_expires_at`, renewed by the worker's heartbeat; an
 *   in-flight row whose lease has expired is free to claim again (and is reported as resent). Phase 2
 *   claims with `FOR UPDATE SKIP LOCKED` on the claim index; the lease index finds the expired ones.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "baseline",
    sql: `
CREATE TABLE suppressed (
  email      text PRIMARY KEY,
  reason     text NOT NULL,
  source     text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE send_runs (
  issue        text PRIMARY KEY,
  content_hash text NOT NULL,
  subject      text NOT NULL,
  run_id       integer NOT NULL DEFAULT 0,
  total        integer NOT NULL DEFAULT 0,
  invalid      integer NOT NULL DEFAULT 0,
  duplicates   integer NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE TABLE send_ledger (
  id               bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  issue            text NOT NULL,
  email            text NOT NULL,
  address          text NOT NULL,
  fields           jsonb NOT NULL DEFAULT '{}',
  line             integer,
  run_id           integer NOT NULL,
  state            text NOT NULL DEFAULT 'pending',
  attempts         integer NOT NULL DEFAULT 0,
  last_code        integer,
  last_response    text,
  message_id       text NOT NULL,
  provider_id      text,
  next_at          bigint NOT NULL DEFAULT 0,
  resent           integer NOT NULL DEFAULT 0,
  in_doubt         integer NOT NULL DEFAULT 0,
  deferred_since   bigint,
  claimed_by       text,
  lease_expires_at timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  sent_at          timestamptz,
  UNIQUE (issue, email)
);
CREATE INDEX send_ledger_claim ON send_ledger (issue, run_id, state, id);
CREATE INDEX send_ledger_leases ON send_ledger (lease_expires_at) WHERE state = 'in_flight';
CREATE TABLE sendsay_campaigns (
  id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  issue        text NOT NULL,
  group_id     text NOT NULL,
  login        text NOT NULL,
  content_hash text NOT NULL,
  subject      text NOT NULL,
  state        text NOT NULL,
  track_id     text,
  track_status integer,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sendsay_campaigns_issue ON sendsay_campaigns (issue, group_id, login);
`,
  },
  { version: 2, name: "leases", sql: POSTGRES_LEASES },
  { version: 3, name: "bounces", sql: POSTGRES_BOUNCES },
  /** The subscriber list and the subscribe form's abuse counters (src/state/subscribers.ts). */
  { version: 4, name: "subscribers", sql: POSTGRES_SUBSCRIBERS },
  {
    version: 5,
    name: "invalid rows",
    sql: `
CREATE TABLE send_invalid (
  id      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue   text NOT NULL,
  run_id  integer NOT NULL,
  line    integer NOT NULL,
  address text NOT NULL,
  reason  text NOT NULL,
  PRIMARY KEY (issue, run_id, line)
);`,
  },
];

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 0);
}

/** A database migrated by a newer rassylka: this one does not know its tables, so it must not write them. */
export function newerSchemaError(where: string, version: number, known: number): RassylkaError {
  return new RassylkaError(
    error("state/newer-schema", `the state at ${where} has schema version ${version}; this rassylka knows up to ${known}`, {
      fix: "upgrade rassylka on this machine to the version that migrated it",
    }),
  );
}

const SQLITE_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)`;

function sqliteVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  return (db.prepare("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").get() as { v: number }).v;
}

/**
 * The versions a database records. Migrations are applied by what is missing, not by what is above
 * the highest: numbers are handed out per feature (2 leases, 3 bounces, 4 subscribers), so a database
 * may have 3 before the code that brings 2 arrives.
 */
function sqliteApplied(db: Database.Database): Set<number> {
  if (!sqliteVersion(db)) return new Set();
  return new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
}

/**
 * Applies the missing SQLite migrations. Checked first without a lock (the common case: up to date);
 * otherwise in one `BEGIN IMMEDIATE` transaction that re-reads the version, so two processes opening a
 * new file at once apply each migration once (the second waits on the busy timeout, then finds it done).
 */
export function migrateSqlite(db: Database.Database, where: string, migrations: readonly Migration[] = SQLITE_MIGRATIONS): MigrationResult {
  const known = latestVersion(migrations);
  const current = sqliteVersion(db);
  if (current > known) throw newerSchemaError(where, current, known);
  // by set, not by the highest number: a database that has 4 but not 2 (made while 2 was on another branch) still gets 2
  if (migrations.every((m) => sqliteApplied(db).has(m.version))) return { applied: [], version: current };
  return db
    .transaction(() => {
      db.exec(SQLITE_VERSION_TABLE);
      const version = sqliteVersion(db);
      const done = sqliteApplied(db);
      const applied: MigrationResult["applied"] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        db.exec(m.sql);
        db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(m.version, m.name);
        applied.push({ version: m.version, name: m.name });
      }
      return { applied, version: Math.max(version, known) };
    })
    .immediate();
}
