import type { Migration } from "../migrations.js";

/**
 * 8: what readers did with an issue (docs/report.md).
 * - `tracked_issues`: what a send of the issue measures (clicks, opens, anonymous, keepDays), kept as the
 *   send starts: `serve` follows it (an anonymous issue's events get no reader; keep_days folds them).
 * - `issue_links`: the tracked links as the send started (a click token can only lead to one of
 *   them: never an open redirect); a trial's links (`trial` 1) apart from the real send's.
 * - `click_events` and `open_events`: one row per click or pixel fetch, with the reader's key (a hash,
 *   never the address; NULL when the issue counts anonymously), the class of what clicked (human, proxy,
 *   automated), the rule that said so, and `trial` (kept apart, counted in no figure). `event_id` names an
 *   event across databases (`state copy`).
 * - `event_totals`: events older than `keepDays`, folded per issue, kind (click, open), link (-1: the
 *   whole issue), class and day: `events` of them, from `readers` distinct readers (of that row's events).
 * Three indexes cover the aggregations of `rassylka report` (src/state/report.ts), each read in its own
 * order so that no query sorts a million clicks: `click_events_report` (readers per class), `click_events_links`
 * (readers per link) and `click_events_time` (clicks per hour, counted as ranges). Each is a scan of the
 * index, never of the rows (docs/performance.md). The last two came after this migration first merged:
 * a state made before them gives the same figures, more slowly.
 */
export default {
  version: 8,
  name: "clicks",
  sqlite: `
CREATE TABLE IF NOT EXISTS tracked_issues (
  issue      TEXT PRIMARY KEY,
  clicks     INTEGER NOT NULL,
  opens      INTEGER NOT NULL,
  anonymous  INTEGER NOT NULL,
  keep_days  INTEGER,
  started_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS issue_links (
  issue TEXT NOT NULL,
  trial INTEGER NOT NULL DEFAULT 0,
  link  INTEGER NOT NULL,
  url   TEXT NOT NULL,
  PRIMARY KEY (issue, trial, link)
);
CREATE TABLE IF NOT EXISTS click_events (
  event_id TEXT PRIMARY KEY,
  issue    TEXT NOT NULL,
  link     INTEGER NOT NULL,
  reader   TEXT,
  ua_class TEXT NOT NULL,
  rule     TEXT NOT NULL DEFAULT '',
  trial    INTEGER NOT NULL DEFAULT 0,
  at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS click_events_issue ON click_events (issue, at);
CREATE INDEX IF NOT EXISTS click_events_report ON click_events (issue, trial, ua_class, reader, link, at);
CREATE INDEX IF NOT EXISTS click_events_links ON click_events (issue, trial, ua_class, link, reader);
CREATE INDEX IF NOT EXISTS click_events_time ON click_events (issue, trial, ua_class, at);
CREATE TABLE IF NOT EXISTS open_events (
  event_id TEXT PRIMARY KEY,
  issue    TEXT NOT NULL,
  reader   TEXT,
  ua_class TEXT NOT NULL,
  rule     TEXT NOT NULL DEFAULT '',
  trial    INTEGER NOT NULL DEFAULT 0,
  at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS open_events_issue ON open_events (issue, at);
CREATE TABLE IF NOT EXISTS event_totals (
  issue    TEXT NOT NULL,
  kind     TEXT NOT NULL,
  link     INTEGER NOT NULL,
  ua_class TEXT NOT NULL,
  day      TEXT NOT NULL,
  events   INTEGER NOT NULL,
  readers  INTEGER NOT NULL,
  PRIMARY KEY (issue, kind, link, ua_class, day)
);`,
  postgres: `
CREATE TABLE tracked_issues (
  id         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue      text PRIMARY KEY,
  clicks     integer NOT NULL,
  opens      integer NOT NULL,
  anonymous  integer NOT NULL,
  keep_days  integer,
  started_at timestamptz NOT NULL
);
CREATE TABLE issue_links (
  id    bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue text NOT NULL,
  trial integer NOT NULL DEFAULT 0,
  link  integer NOT NULL,
  url   text NOT NULL,
  PRIMARY KEY (issue, trial, link)
);
CREATE TABLE click_events (
  id       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  event_id text PRIMARY KEY,
  issue    text NOT NULL,
  link     integer NOT NULL,
  reader   text,
  ua_class text NOT NULL,
  rule     text NOT NULL DEFAULT '',
  trial    integer NOT NULL DEFAULT 0,
  at       timestamptz NOT NULL
);
CREATE INDEX click_events_issue ON click_events (issue, at);
CREATE INDEX click_events_report ON click_events (issue, trial, ua_class, reader, link, at);
CREATE INDEX click_events_links ON click_events (issue, trial, ua_class, link, reader);
CREATE INDEX click_events_time ON click_events (issue, trial, ua_class, at);
CREATE TABLE open_events (
  id       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  event_id text PRIMARY KEY,
  issue    text NOT NULL,
  reader   text,
  ua_class text NOT NULL,
  rule     text NOT NULL DEFAULT '',
  trial    integer NOT NULL DEFAULT 0,
  at       timestamptz NOT NULL
);
CREATE INDEX open_events_issue ON open_events (issue, at);
CREATE TABLE event_totals (
  id       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  issue    text NOT NULL,
  kind     text NOT NULL,
  link     integer NOT NULL,
  ua_class text NOT NULL,
  day      text NOT NULL,
  events   integer NOT NULL,
  readers  integer NOT NULL,
  PRIMARY KEY (issue, kind, link, ua_class, day)
);`,
} satisfies Migration;
