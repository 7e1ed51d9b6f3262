import type { NewsletterConfig } from "../config/schema.js";
import { defaultTopics } from "../send/subscribers.js";
import type { SendsayClient } from "../sendsay/client.js";
import type { StateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import { type CampaignOptions, type CampaignOutcome, runCampaign } from "./campaign.js";
import { type SyncResult, syncStopLists } from "./stoplist.js";
import { syncTopicLists, type TopicSyncResult } from "./topic-sync.js";

/**
 * The campaign use-cases over the state store at `location` (a SQLite file or the PostgreSQL database
 * every machine shares): each opens it, does its one job and closes it.
 */
export async function sendCampaign(location: StateLocation, options: Omit<CampaignOptions, "campaigns">): Promise<CampaignOutcome> {
  // "submitting" is committed before the request leaves: fsync on every commit for SQLite
  const store = await openStore(location, { durability: "full" });
  try {
    return await runCampaign({ ...options, campaigns: store.campaigns });
  } finally {
    await store.close();
  }
}

/**
 * `rassylka sendsay sync`: Sendsay's stop lists and our suppression list, each into the other; then, for
 * the topics mapped to Sendsay lists (`lists`), topic unsubscribes both ways (./topic-sync.ts).
 */
export async function syncStopListsAt(
  location: StateLocation,
  client: SendsayClient,
  options: { dryRun?: boolean; config?: Pick<NewsletterConfig, "topics" | "sendsay"> } = {},
): Promise<SyncResult & TopicSyncResult> {
  const store = await openStore(location);
  try {
    const stop = await syncStopLists(client, store.suppressions, options);
    const lists = { mapping: options.config?.sendsay?.topics ?? {}, defaults: options.config ? defaultTopics(options.config) : [] };
    const topics = await syncTopicLists(client, store, lists, options);
    return { ...stop, ...topics };
  } finally {
    await store.close();
  }
}
