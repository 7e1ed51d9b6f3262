import { stateLocation } from "../state/location.js";
import type { ScheduleState } from "../state/schedule.js";
import { openStore } from "../state/store.js";
import { sendsayGroupOf } from "./audience.js";

/**
 * `rassylka schedule list` (docs/schedule.md): each recorded issue, its time and state, and its
 * audience's size now (`readers`; null for a Sendsay list, whose size Sendsay knows).
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
}

export async function listSchedule(options: { root: string; state?: string; env?: NodeJS.ProcessEnv }): Promise<ScheduledIssue[]> {
  const location = stateLocation(options.root, options.state, options.env ?? process.env);
  const store = await openStore(location);
  try {
    const rows = await store.schedule.all();
    const subscribers = rows.some((r) => sendsayGroupOf(r.audience) === undefined) ? await store.schedule.subscriberReaders() : 0;
    return rows.map((r) => ({
      slug: r.slug,
      subject: r.subject,
      sendAt: r.sendAt,
      state: r.state,
      audience: JSON.parse(r.audience),
      readers: sendsayGroupOf(r.audience) === undefined ? subscribers : null,
      note: r.note,
      ...(r.sendsayIssueId ? { sendsayIssueId: r.sendsayIssueId } : {}),
    }));
  } finally {
    await store.close();
  }
}
