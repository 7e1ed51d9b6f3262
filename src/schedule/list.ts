import { loadConfig } from "../config/load.js";
import { stateLocation } from "../state/location.js";
import type { ScheduleState } from "../state/schedule.js";
import { openStore } from "../state/store.js";
import { sendsayGroupOf } from "./audience.js";
import type { SendsayState } from "./sendsay.js";

/**
 * `rassylka schedule list` (docs/schedule.md): each recorded issue, its time and state, and its
 * audience's size now (`readers`; null for a Sendsay list, whose size Sendsay knows). For a Sendsay list
 * Sendsay is asked what it holds (`sendsay`): our record says what was handed over, Sendsay what became of it.
 */
export interface ScheduledIssue {
  slug: string;
  subject: string;
  /** ISO 8601, UTC. */
  sendAt: string;
  state: ScheduleState;
  /** `"subscribers"` or `{"sendsay": "<group>"}`. */
  audience: unknown;
  readers: number | null;
  /** Why a row is as it is (late by how much, a send waiting), when there is something to say. */
  note: string | null;
  /** Sendsay's id of the campaign it holds for a Sendsay list. */
  sendsayIssueId?: string;
  /** For a Sendsay list: what Sendsay says of the campaign now (track.get), asked at every list. */
  sendsay?: SendsayState;
}

export async function listSchedule(options: { root: string; state?: string; env?: NodeJS.ProcessEnv }): Promise<ScheduledIssue[]> {
  const location = stateLocation(options.root, options.state, options.env ?? process.env);
  const store = await openStore(location);
  try {
    const rows = await store.schedule.all();
    const subscribers = rows.some((r) => sendsayGroupOf(r.audience) === undefined) ? await store.schedule.subscriberReaders() : 0;
    const held = rows.filter((r) => r.sendsayIssueId && r.state !== "cancelled").map((r) => r.sendsayIssueId as string);
    const sendsay = held.length ? await askSendsay(options.root, options.env ?? process.env, held) : new Map<string, SendsayState>();
    return rows.map((r) => ({
      slug: r.slug,
      subject: r.subject,
      sendAt: r.sendAt,
      state: r.state,
      audience: JSON.parse(r.audience),
      readers: sendsayGroupOf(r.audience) === undefined ? subscribers : null,
      note: r.note,
      ...(r.sendsayIssueId ? { sendsayIssueId: r.sendsayIssueId } : {}),
      ...(r.sendsayIssueId && sendsay.has(r.sendsayIssueId) ? { sendsay: sendsay.get(r.sendsayIssueId) } : {}),
    }));
  } finally {
    await store.close();
  }
}

/**
 * Sendsay's state of the campaigns it holds (src/schedule/sendsay.ts), loaded only when there are some. The
 * login comes from newsletter.yaml when the list runs in the repository, else from SENDSAY_LOGIN:
 * a machine without the repository can list too.
 */
async function askSendsay(root: string, env: NodeJS.ProcessEnv, ids: string[]): Promise<Map<string, SendsayState>> {
  const config = await loadConfig(root).then(
    (c) => c.config,
    () => undefined,
  );
  const { sendsayStates } = await import("./sendsay.js");
  return sendsayStates(config, env, ids);
}
