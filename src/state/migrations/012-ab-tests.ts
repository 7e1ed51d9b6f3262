import type { Migration } from "../migrations.js";

/**
 * 12: A/B tests of subjects (docs/ab-testing.md). `send_ledger.variant`: the subject a reader got or will
 * get (0-based; NULL outside a test); a reader waiting for the winner is in the ledger as `held`.
 * `ab_tests`: one row per issue under test — its subjects (JSON), the sample per variant, the wait, the
 * metric, the newsletter id its readers' click keys are made under; `sample_done_at` / `decide_at` (ms)
 * once the sample is out; then the decision: `winner` (0-based), who decided (`worker`, `hand`,
 * `winner`), why (`reason`) and its figures (JSON).
 */
export default {
  version: 12,
  name: "ab-tests",
  sqlite: `
ALTER TABLE send_ledger ADD COLUMN variant INTEGER;
CREATE TABLE IF NOT EXISTS ab_tests (
  issue          TEXT PRIMARY KEY,
  subjects       TEXT NOT NULL,
  sample         REAL NOT NULL,
  wait_minutes   INTEGER NOT NULL,
  metric         TEXT NOT NULL,
  list_id        TEXT NOT NULL,
  sample_done_at INTEGER,
  decide_at      INTEGER,
  winner         INTEGER,
  decided_by     TEXT,
  reason         TEXT,
  figures        TEXT,
  decided_at     TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);`,
  postgres: `
ALTER TABLE send_ledger ADD COLUMN variant integer;
CREATE TABLE ab_tests (
  id             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue          text PRIMARY KEY,
  subjects       text NOT NULL,
  sample         double precision NOT NULL,
  wait_minutes   integer NOT NULL,
  metric         text NOT NULL,
  list_id        text NOT NULL,
  sample_done_at bigint,
  decide_at      bigint,
  winner         integer,
  decided_by     text,
  reason         text,
  figures        text,
  decided_at     timestamptz,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);`,
} satisfies Migration;
