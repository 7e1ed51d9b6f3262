import type { Migration } from "../migrations.js";

/**
 * 8: what readers did with an issue (docs/report.md). `issue_links`: the tracked links as the send
 * started (a click token can only lead to one of them: never an open redirect). `click_events`: one row per
 * click, with the reader's key (a hash, never the address; NULL when the newsletter counts anonymously) and
 * the class of what clicked (human, proxy, automated). `event_id` names a click across databases
 * (`state copy`).
 */
export default {
  version: 8,
  name: "clicks",
  sqlite: `
CREATE TABLE IF NOT EXISTS issue_links (
  issue TEXT NOT NULL,
  link  INTEGER NOT NULL,
  url   TEXT NOT NULL,
  PRIMARY KEY (issue, link)
);
CREATE TABLE IF NOT EXISTS click_events (
  event_id TEXT PRIMARY KEY,
  issue    TEXT NOT NULL,
  link     INTEGER NOT NULL,
  reader   TEXT,
  ua_class TEXT NOT NULL,
  trial    INTEGER NOT NULL DEFAULT 0,
  at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS click_events_issue ON click_events (issue, at);`,
  postgres: `
CREATE TABLE issue_links (
  id    bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue text NOT NULL,
  link  integer NOT NULL,
  url   text NOT NULL,
  PRIMARY KEY (issue, link)
);
CREATE TABLE click_events (
  id       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  event_id text PRIMARY KEY,
  issue    text NOT NULL,
  link     integer NOT NULL,
  reader   text,
  ua_class text NOT NULL,
  trial    integer NOT NULL DEFAULT 0,
  at       timestamptz NOT NULL
);
CREATE INDEX click_events_issue ON click_events (issue, at);`,
} satisfies Migration;
