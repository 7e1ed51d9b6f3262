import { campaignRequest, describeStatus, type TrackPhase, trackPhase } from "../campaign/campaign.js";
import type { NewsletterConfig } from "../config/schema.js";
import { errorMessage, errorMessageInEnglish, isRassylkaError } from "../diagnostics.js";
import { translator } from "../i18n/index.js";
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

/**
 * What Sendsay says of a campaign it holds (`schedule list`): `track.get` on the id `issue.send` answered,
 * its `obj.status` read as the campaign send reads it (src/campaign/campaign.ts trackPhase): a deferred
 * campaign waits (a negative status other than -1/-2/-3), then runs (0…), then is done (-1), failed (-2)
 * or cancelled (-3). `unknown` when Sendsay could not be asked (no key, no answer): `reason` says why.
 */
export interface SendsayState {
  state: TrackPhase | "unknown";
  /** track.get's `obj.status`; null when unknown. */
  status: number | null;
  /** The state in words (the sendsay catalogue), or why it is unknown: in English, whatever the editor's language. */
  text: string;
  /** `text` in the editor's language. */
  note: string;
  /** Sendsay's `obj.error` for a failed campaign. */
  error?: string;
}

export async function sendsayStates(
  config: NewsletterConfig | undefined,
  env: NodeJS.ProcessEnv,
  ids: string[],
): Promise<Map<string, SendsayState>> {
  const states = new Map<string, SendsayState>();
  const unknown = (english: string, note = english): SendsayState => ({ state: "unknown", status: null, text: english, note });
  let client: SendsayClient;
  try {
    client = new SendsayClient(sendsayCredentials(config, env));
  } catch (e) {
    if (!isRassylkaError(e)) throw e;
    const english = e.english?.join("; ") ?? e.diagnostics.map((d) => d.message).join("; ");
    for (const id of ids) states.set(id, unknown(english, e.diagnostics.map((d) => d.message).join("; ")));
    return states;
  }
  for (const id of ids) {
    try {
      const answer = await client.request<{ obj?: Record<string, unknown> }>({ action: "track.get", id }, { idempotent: true });
      const status = Number(answer.obj?.status);
      if (!Number.isFinite(status)) {
        states.set(id, unknown(`track.get ${id}: no status`));
        continue;
      }
      const error = answer.obj?.error;
      states.set(id, {
        state: trackPhase(status),
        status,
        text: describeStatus(status, translator("en")),
        note: describeStatus(status),
        ...(error === undefined || error === null || error === "" ? {} : { error: String(error) }),
      });
    } catch (e) {
      states.set(id, unknown(client.mask(errorMessageInEnglish(e)), client.mask(errorMessage(e))));
    }
  }
  return states;
}
