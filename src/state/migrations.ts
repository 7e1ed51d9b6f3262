import type Database from "better-sqlite3";
import { error, RassylkaError } from "../diagnostics.js";

/**
 * Versioned schema migrations, one numbered list per backend. A database records what it has in
 * `schema_migrations (version, name, applied_at)`; opening a store applies the missing ones (and
 * `rassylka state migrate` does it explicitly and says what it applied). Never edit a migration that
 * has shipped: add the next number. Both lists must give the same tables the same meaning, so a row
 * copied from one backend to the other (`rassylka state copy`) means the same thing there.
 *
 * SQLite 1 is the schema every state file already has (every statement `IF NOT EXISTS`), so an existing
 * file is adopted as version 1 unchanged. Until phase 2 of issue 13 moves the ledger behind the store,
 * src/send/ledger.ts and src/state/campaigns.ts still create their tables themselves with the same
 * statements (the baseline holds the send-hardening columns `in_doubt` and `deferred_since`, which
 * ledger.ts also adds in place to files made before them); a column added later must come here as
 * SQLite 2 (`ALTER TABLE`), or files created by a
 * migrated open miss it (tests/state/migrations.test.ts compares the two).
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

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "baseline",
    sql: `
CREATE TABLE IF NOT EXISTS suppressed (
  email      TEXT PRIMARY KEY COLLATE NOCASE,
  reason     TEXT NOT NULL,
  source     TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS send_runs (
  issue        TEXT PRIMARY KEY,
  content_hash TEXT NOT NULL,
  subject      TEXT NOT NULL,
  run_id       INTEGER NOT NULL DEFAULT 0,
  pid          INTEGER,
  host         TEXT,
  total        INTEGER NOT NULL DEFAULT 0,
  invalid      INTEGER NOT NULL DEFAULT 0,
  duplicates   INTEGER NOT NULL DEFAULT 0,
  started_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS send_ledger (
  id            INTEGER PRIMARY KEY,
  issue         TEXT NOT NULL,
  email         TEXT NOT NULL,
  address       TEXT NOT NULL,
  fields        TEXT NOT NULL DEFAULT '{}',
  line          INTEGER,
  run_id        INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending',
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_code     INTEGER,
  last_response TEXT,
  message_id    TEXT NOT NULL,
  provider_id   TEXT,
  next_at       INTEGER NOT NULL DEFAULT 0,
  resent        INTEGER NOT NULL DEFAULT 0,
  in_doubt      INTEGER NOT NULL DEFAULT 0,
  deferred_since INTEGER,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  sent_at       TEXT,
  UNIQUE (issue, email)
);
CREATE INDEX IF NOT EXISTS send_ledger_claim ON send_ledger (issue, run_id, state);
CREATE TABLE IF NOT EXISTS sendsay_campaigns (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  issue        TEXT NOT NULL,
  group_id     TEXT NOT NULL,
  login        TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  subject      TEXT NOT NULL,
  state        TEXT NOT NULL,
  track_id     TEXT,
  track_status INTEGER,
  error        TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS sendsay_campaigns_issue ON sendsay_campaigns (issue, group_id, login);
`,
  },
];

/**
 * The same tables in PostgreSQL. Differences, all deliberate:
 * - times are `timestamptz` (SQLite keeps ISO text; the store reads them back in that same text);
 * - `suppressed.email` is plain text holding the canonical key (src/identity/address.ts `addressKey`:
 *   trimmed, lower-cased), written and looked up only through that function, which is what SQLite's
 *   `COLLATE NOCASE` guards in the file (no citext: it is an extension not every server has);
 * - `send_ledger.fields` is jsonb; ids are identities (bigint);
 * - no `pid`/`host` on send_runs: the pid lock is what issue 13 replaces. Instead each ledger row carries
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
 * Applies the missing SQLite migrations. Checked first without a lock (the common case: up to date);
 * otherwise in one `BEGIN IMMEDIATE` transaction that re-reads the version, so two processes opening a
 * new file at once apply each migration once (the second waits on the busy timeout, then finds it done).
 */
export function migrateSqlite(db: Database.Database, where: string, migrations: readonly Migration[] = SQLITE_MIGRATIONS): MigrationResult {
  const known = latestVersion(migrations);
  const current = sqliteVersion(db);
  if (current > known) throw newerSchemaError(where, current, known);
  if (current === known) return { applied: [], version: current };
  return db
    .transaction(() => {
      db.exec(SQLITE_VERSION_TABLE);
      const version = sqliteVersion(db);
      const applied: MigrationResult["applied"] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (m.version <= version) continue;
        db.exec(m.sql);
        db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(m.version, m.name);
        applied.push({ version: m.version, name: m.name });
      }
      return { applied, version: Math.max(version, known) };
    })
    .immediate();
}
