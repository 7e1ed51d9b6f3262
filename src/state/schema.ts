/**
 * The SQLite tables of the state file, written once: the baseline migration (src/state/migrations.ts)
 * applies them, and the modules that own each table (the ledger, campaign records) create them with the
 * same statements when they meet a file made before migrations. All `IF NOT EXISTS`, so both may run.
 */
export const SQLITE_SUPPRESSED = `
  CREATE TABLE IF NOT EXISTS suppressed (
    email      TEXT PRIMARY KEY COLLATE NOCASE,
    reason     TEXT NOT NULL,
    source     TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
`;

/** The send ledger and its runs (src/state/ledger.ts). */
export const SQLITE_LEDGER = `
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
`;

/** Sendsay campaign records (src/state/campaigns.ts). */
export const SQLITE_CAMPAIGNS = `    CREATE TABLE IF NOT EXISTS sendsay_campaigns (
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
`;
