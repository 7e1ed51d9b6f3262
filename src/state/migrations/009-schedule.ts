import type { Migration } from "../migrations.js";

/**
 * 9: scheduled issues (docs/schedule.md). `rassylka schedule push` records each issue with a `sendAt`,
 * compiled (`issue`: the compiled issue and the newsletter's config as JSON), so the machine that sends
 * needs neither the repository nor the build; `rassylka worker` moves a row scheduled → sending → sent
 * (or → missed past `late_limit_ms`), and a push → cancelled. `sendsay_issue_id`: the campaign Sendsay
 * holds for a `{sendsay: group}` audience.
 */
export default {
  version: 9,
  name: "schedule",
  sqlite: `
CREATE TABLE IF NOT EXISTS scheduled_issues (
  slug            TEXT PRIMARY KEY,
  subject         TEXT NOT NULL,
  send_at         TEXT NOT NULL,
  late_limit_ms   INTEGER NOT NULL,
  state           TEXT NOT NULL,
  audience        TEXT NOT NULL,
  content_hash    TEXT NOT NULL,
  issue           TEXT NOT NULL,
  sendsay_issue_id TEXT,
  started_by      TEXT,
  started_at      TEXT,
  finished_at     TEXT,
  note            TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS scheduled_issues_due ON scheduled_issues (state, send_at);`,
  postgres: `
CREATE TABLE scheduled_issues (
  slug             text PRIMARY KEY,
  subject          text NOT NULL,
  send_at          timestamptz NOT NULL,
  late_limit_ms    bigint NOT NULL,
  state            text NOT NULL,
  audience         text NOT NULL,
  content_hash     text NOT NULL,
  issue            text NOT NULL,
  sendsay_issue_id text,
  started_by       text,
  started_at       timestamptz,
  finished_at      timestamptz,
  note             text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scheduled_issues_due ON scheduled_issues (state, send_at);`,
} satisfies Migration;
