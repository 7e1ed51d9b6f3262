import type { Migration } from "../migrations.js";

/**
 * 10: polls in an issue (docs/polls.md). `polls`: each poll as its issue's send started (serve's vote
 * page and `poll results` read the question and the answers from here, so the web host needs no build).
 * `poll_votes`: one row per voter and poll — voting again changes the row (`updated_at`), so a reader
 * counts once; `voter` is the reader's key or, with `tracking.anonymous`, a key of this poll alone.
 */
export default {
  version: 10,
  name: "polls",
  sqlite: `
CREATE TABLE IF NOT EXISTS polls (
  poll       TEXT PRIMARY KEY,
  issue      TEXT NOT NULL,
  question   TEXT NOT NULL,
  answers    TEXT NOT NULL,
  closes     TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS poll_votes (
  poll       TEXT NOT NULL,
  voter      TEXT NOT NULL,
  answer     INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (poll, voter)
);`,
  postgres: `
CREATE TABLE polls (
  id         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  poll       text PRIMARY KEY,
  issue      text NOT NULL,
  question   text NOT NULL,
  answers    text NOT NULL,
  closes     text,
  updated_at timestamptz NOT NULL
);
CREATE TABLE poll_votes (
  id         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  poll       text NOT NULL,
  voter      text NOT NULL,
  answer     integer NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (poll, voter)
);`,
} satisfies Migration;
