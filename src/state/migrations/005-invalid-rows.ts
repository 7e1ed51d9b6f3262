import type { Migration } from "../migrations.js";

/** 5: the list's rows that are not addresses, kept in the store for `status` (not in the send's memory). */
export default {
  version: 5,
  name: "invalid rows",
  sqlite: `
CREATE TABLE IF NOT EXISTS send_invalid (
  issue   TEXT NOT NULL,
  run_id  INTEGER NOT NULL,
  line    INTEGER NOT NULL,
  address TEXT NOT NULL,
  reason  TEXT NOT NULL,
  PRIMARY KEY (issue, run_id, line)
);`,
  postgres: `
CREATE TABLE send_invalid (
  id      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue   text NOT NULL,
  run_id  integer NOT NULL,
  line    integer NOT NULL,
  address text NOT NULL,
  reason  text NOT NULL,
  PRIMARY KEY (issue, run_id, line)
);`,
} satisfies Migration;
