import { addressKey } from "../identity/address.js";
import type { SendsayClient } from "../sendsay/client.js";
import type { SqlSendsayLists } from "../state/sendsay-lists.js";
import type { SubscriberStore } from "../state/subscribers.js";
import { addressesOf } from "./stoplist.js";

/**
 * Topic unsubscribes both ways (`rassylka sendsay sync`, docs/sendsay.md "Topic lists"), for every topic
 * newsletter.yaml maps to a Sendsay list (`sendsay.topics: {treningi: <group id>}`):
 *
 *   a reader who left topic X here (the preference page, a one-click with `unsubscribe.scope: topic`, an
 *     import, the form — any change of theirs that is not the sync's own) and is in X's list
 *     → taken out of X's list in Sendsay;
 *   a reader who has X here and was in X's list at the last sync but is not now (they left it in Sendsay,
 *     or the account took them out) → loses X here, recorded with the time and source `sendsay`.
 *
 * "Was in the list at the last sync" is kept in the state (migration 14): without it a reader who left the
 * list could not be told from one never added to it, and every reader who subscribed here since would lose
 * the topic. So the first sync only records the lists. Readers who unsubscribed from everything are left to
 * the stop-list sync (src/campaign/stoplist.ts); nobody is added to a Sendsay list, and no topic is given
 * to anybody here.
 *
 * The Sendsay calls. Sendsay's own documentation (sendsay-ru/sendsay-docs) names `member.list` — members,
 * "for everyone and for a directly given filter" (docs/updates/list/2024/updates-january-2024.mdx) — and
 * `member.set` (updates-june-2024.mdx), and calls a list's id `group` wherever it sends to or reads one
 * (issue.send, sequence.member.start/stop in docs/sendsay-api/workflow-members-management-with-api.mdx);
 * it documents no request fields of either action, and no call that takes one member out of a list. What
 * is used here is an INFERENCE, to check against the API reference (sendsay.ru/api/api.html) before
 * relying on it: `member.list` with `group`, `addr_type: "email"`, `page` (from 1) and `pagesize`,
 * answering `list` of records carrying `member.email` (the field name stat.uni uses, docs/sendsay-api/
 * basic-stat-uni.md); and `member.set` with `email`, `addr_type` and `obj: {"-group": {<group id>: 0}}`,
 * the member's list memberships as data, 0 taking them out.
 */
export interface TopicListChange {
  email: string;
  topic: string;
  /** The topic's Sendsay list (group id). */
  group: string;
}

export interface TopicSyncResult {
  /** Readers who left the topic here: taken out of its Sendsay list. */
  topicsToSendsay: TopicListChange[];
  /** Readers who left the topic's Sendsay list: the topic taken away here. */
  topicsToLocal: TopicListChange[];
}

export interface TopicLists {
  /** Topic id → Sendsay group id (newsletter.yaml `sendsay.topics`). */
  mapping: Record<string, string>;
  /** The topics a reader who never chose gets (`default: true`). */
  defaults: readonly string[];
}

/** Members per member.list page. */
const PAGE = 1000;
/** The source a topic change made by the sync is recorded with. */
export const SYNC_SOURCE = "sendsay";

/** The addresses (keys) in a Sendsay list, page by page. */
export async function readListMembers(client: SendsayClient, group: string): Promise<Set<string>> {
  const members = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await client.request<{ list?: unknown[] }>(
      { action: "member.list", group, addr_type: "email", page, pagesize: PAGE },
      { idempotent: true },
    );
    const emails = addressesOf(answer.list);
    let fresh = 0;
    for (const e of emails) {
      const key = addressKey(e);
      if (members.has(key)) continue;
      members.add(key);
      fresh++;
    }
    // a short page is the last; a page of nothing new (an API that ignores `page`) too
    if (emails.length < PAGE || fresh === 0) return members;
  }
}

export async function syncTopicLists(
  client: SendsayClient,
  stores: { subscribers: SubscriberStore; sendsayLists: SqlSendsayLists },
  lists: TopicLists,
  options: { dryRun?: boolean; now?: () => Date } = {},
): Promise<TopicSyncResult> {
  const result: TopicSyncResult = { topicsToSendsay: [], topicsToLocal: [] };
  const entries = Object.entries(lists.mapping);
  if (!entries.length) return result;
  const readers = (await stores.subscribers.list()).filter((s) => s.status !== "unsubscribed");
  const at = (options.now ?? (() => new Date()))().toISOString();
  for (const [topic, group] of entries) {
    const there = await readListMembers(client, group);
    const seen = await stores.sendsayLists.members(topic, group);
    const out: TopicListChange[] = [];
    const dropped: TopicListChange[] = [];
    for (const r of readers) {
      const key = addressKey(r.email);
      const hasHere = (r.topics ?? lists.defaults).includes(topic);
      // left here, by a choice of theirs (the sync's own changes come from Sendsay: not sent back)
      if (!hasHere && r.topics !== null && r.topicsChanged.source !== SYNC_SOURCE && there.has(key)) out.push({ email: key, topic, group });
      else if (hasHere && seen.has(key) && !there.has(key)) dropped.push({ email: key, topic, group });
    }
    result.topicsToSendsay.push(...out);
    result.topicsToLocal.push(...dropped);
    if (options.dryRun) continue;
    for (const c of out)
      await client.request(
        { action: "member.set", email: c.email, addr_type: "email", obj: { "-group": { [group]: 0 } } },
        { idempotent: true },
      );
    for (const c of dropped) await stores.subscribers.dropTopic(c.email, topic, lists.defaults, { at, source: SYNC_SOURCE });
    for (const c of out) there.delete(c.email);
    await stores.sendsayLists.replace(topic, group, there, at);
  }
  return result;
}
