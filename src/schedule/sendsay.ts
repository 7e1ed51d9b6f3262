import { campaignRequest } from "../campaign/campaign.js";
import type { NewsletterConfig } from "../config/schema.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import { wallTime } from "../util/zoned-time.js";
import type { SendsayScheduler } from "./audience.js";

/**
 * A `{sendsay: group}` audience (docs/schedule.md): the push hands the campaign to Sendsay, which sends
 * it to the list at the time. Sendsay's API: `issue.send` with `sendwhen: "later"` and `later.time`
 * answers the campaign's `track.id`, by which `issue.later.set` moves it and `issue.later.delete`
 * cancels it. Sendsay reads `later.time` as the account's wall-clock time, Moscow's for Russian accounts.
 */
export const SENDSAY_ZONE = "Europe/Moscow";

/** `2026-12-08 10:00:00` in Moscow for an ISO instant. */
export function sendsayTime(iso: string, zone = SENDSAY_ZONE): string {
  return wallTime(iso, zone);
}

export function sendsayScheduler(config: NewsletterConfig, env: NodeJS.ProcessEnv): SendsayScheduler {
  const client = new SendsayClient(sendsayCredentials(config, env));
  return {
    async schedule({ compiled, config: issueConfig }, group, sendAt) {
      const body = { ...campaignRequest(compiled, issueConfig, group), sendwhen: "later", "later.time": sendsayTime(sendAt) };
      // not repeated when its fate is unknown: a second issue.send would be a second campaign
      const answer = await client.request(body, { idempotent: false });
      return String(answer["track.id"]);
    },
    async move(id, sendAt) {
      await client.request({ action: "issue.later.set", id, "later.time": sendsayTime(sendAt) }, { idempotent: true });
    },
    async cancel(id) {
      await client.request({ action: "issue.later.delete", id }, { idempotent: true });
    },
  };
}
