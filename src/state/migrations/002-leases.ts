import type { Migration } from "../migrations.js";

/**
 * 2: leases instead of the pid lock (src/state/ledger.ts). Each ledger row in flight carries its worker
 * (`claimed_by`, kept afterwards as the worker that last handled it: `status` counts per worker from it)
 * and its lease expiry; `listed_by` is the worker whose list last named the reader (so a worker joining a
 * run does not count the first worker's readers as its duplicates); `send_workers` is one row per worker
 * of an issue with its own lease, which says whether a run is being sent now. SQLite keeps leases as ms
 * since the epoch (one machine's clock; `send_runs.pid`/`host` stay unused); PostgreSQL had `claimed_by`
 * and `lease_expires_at` from its baseline and uses the server's clock.
 */
export default {
  version: 2,
  name: "leases",
  sqlite: `
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
`,
  postgres: `
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
`,
} satisfies Migration;
