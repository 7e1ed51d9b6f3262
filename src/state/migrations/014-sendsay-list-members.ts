import type { Migration } from "../migrations.js";

/**
 * 14: who was in each topic's Sendsay list at the last `rassylka sendsay sync` (docs/sendsay.md, "Topic
 * lists"): `topic`, the list's `group_id` (sendsay.topics), the reader's key (`email`, addressKey) and when
 * the sync saw them there. A reader with the topic here who was in the list and is no longer has left it
 * in Sendsay, which the list alone cannot tell from a reader who was never added. Not moved by `state
 * copy`: the first sync on a new store records the lists and takes nobody's topic away.
 */
export default {
  version: 14,
  name: "sendsay-list-members",
  sqlite: `
CREATE TABLE IF NOT EXISTS sendsay_list_members (
  topic    TEXT NOT NULL,
  group_id TEXT NOT NULL,
  email    TEXT NOT NULL,
  seen_at  TEXT NOT NULL,
  PRIMARY KEY (topic, group_id, email)
);`,
  postgres: `
CREATE TABLE sendsay_list_members (
  topic    text NOT NULL,
  group_id text NOT NULL,
  email    text NOT NULL,
  seen_at  timestamptz NOT NULL,
  PRIMARY KEY (topic, group_id, email)
);`,
} satisfies Migration;
