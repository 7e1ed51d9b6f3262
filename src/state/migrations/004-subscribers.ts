import type { Migration } from "../migrations.js";

/**
 * 4: the subscriber list (src/state/subscribers.ts) and the subscribe form's abuse counters
 * (src/subscribe/limits.ts). PostgreSQL: times timestamptz, fields jsonb; `email` holds addressKey.
 */
export default {
  version: 4,
  name: "subscribers",
  sqlite: `
CREATE TABLE IF NOT EXISTS subscribers (
  email                TEXT PRIMARY KEY,
  address              TEXT NOT NULL,
  fields               TEXT NOT NULL DEFAULT '{}',
  status               TEXT NOT NULL,
  source               TEXT NOT NULL,
  consent_at           TEXT,
  consent_ip           TEXT,
  consent_user_agent   TEXT,
  consent_page         TEXT,
  consent_text         TEXT,
  consent_hash         TEXT,
  confirm_nonce        TEXT,
  confirm_sent_at      TEXT,
  confirmed_at         TEXT,
  confirmed_ip         TEXT,
  confirmed_user_agent TEXT,
  unsubscribed_at      TEXT,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subscribers_status ON subscribers (status, email);
CREATE TABLE IF NOT EXISTS subscribe_limits (
  key TEXT NOT NULL,
  at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS subscribe_limits_key ON subscribe_limits (key, at);
`,
  postgres: `
CREATE TABLE subscribers (
  email                text PRIMARY KEY,
  address              text NOT NULL,
  fields               jsonb NOT NULL DEFAULT '{}',
  status               text NOT NULL,
  source               text NOT NULL,
  consent_at           timestamptz,
  consent_ip           text,
  consent_user_agent   text,
  consent_page         text,
  consent_text         text,
  consent_hash         text,
  confirm_nonce        text,
  confirm_sent_at      timestamptz,
  confirmed_at         timestamptz,
  confirmed_ip         text,
  confirmed_user_agent text,
  unsubscribed_at      timestamptz,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE INDEX subscribers_status ON subscribers (status, email);
CREATE TABLE subscribe_limits (
  key text NOT NULL,
  at  bigint NOT NULL
);
CREATE INDEX subscribe_limits_key ON subscribe_limits (key, at);
`,
} satisfies Migration;
