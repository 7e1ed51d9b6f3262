import { countSelection, issueSelection } from "../audience/count.js";
import { loadConfig } from "../config/load.js";
import { isRassylkaError } from "../diagnostics.js";
import { noteText } from "../i18n/notes.js";
import type { PreparedIssue } from "../send/send-issue.js";
import { stateLocation } from "../state/location.js";
import type { ScheduleState } from "../state/schedule.js";
import { openStore, type Store } from "../state/store.js";
import { sendsayGroupOf } from "./audience.js";
import type { SendsayState } from "./sendsay.js";

/**
 * `rassylka schedule list` (docs/schedule.md): each recorded issue, its time and state, and its
 * audience's size now (`readers`: the confirmed subscribers its send would reach — its `topic:` and
 * audience file, docs/audiences.md; null for a Sendsay list, whose size Sendsay knows). For a Sendsay list
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
    // each issue's audience as its send would select it (its topic and audience file), counted once per selection
    const counted = new Map<string, Promise<number | null>>();
    const readersOf = async (slug: string): Promise<number | null> => {
      const payload = await store.schedule.issue(slug);
      const prepared = payload ? (JSON.parse(payload) as PreparedIssue) : undefined;
      const issue: { topic?: string; audience?: unknown } = prepared?.compiled ?? {};
      const narrowed = !!issue.topic || (typeof issue.audience === "string" && issue.audience !== "subscribers");
      if (!prepared || !narrowed) return store.schedule.subscriberReaders();
      const key = JSON.stringify([issue.topic ?? null, issue.audience ?? null]);
      if (!counted.has(key)) counted.set(key, countFor(store, options.root, prepared));
      return counted.get(key) as Promise<number | null>;
    };
    const held = rows.filter((r) => r.sendsayIssueId && r.state !== "cancelled").map((r) => r.sendsayIssueId as string);
    const sendsay = held.length ? await askSendsay(options.root, options.env ?? process.env, held) : new Map<string, SendsayState>();
    const readers = new Map<string, number | null>();
    for (const r of rows) if (sendsayGroupOf(r.audience) === undefined) readers.set(r.slug, await readersOf(r.slug));
    return rows.map((r) => ({
      slug: r.slug,
      subject: r.subject,
      sendAt: r.sendAt,
      state: r.state,
      audience: JSON.parse(r.audience),
      readers: readers.get(r.slug) ?? null,
      // stored as data by the worker (src/i18n/notes.ts): written in the reader's language
      note: noteText(r.note) ?? null,
      ...(r.sendsayIssueId ? { sendsayIssueId: r.sendsayIssueId } : {}),
      ...(r.sendsayIssueId && sendsay.has(r.sendsayIssueId) ? { sendsay: sendsay.get(r.sendsayIssueId) } : {}),
    }));
  } finally {
    await store.close();
  }
}

/**
 * The readers a send of `prepared` selects now, with the topics of the config it was pushed with and the
 * audience file of the repository at `root`; null when that file does not load here (a machine without
 * the repository, or a file since broken: the send itself will say so).
 */
async function countFor(store: Store, root: string, prepared: PreparedIssue): Promise<number | null> {
  const topics = prepared.config.topics ?? [];
  try {
    const selection = await issueSelection(
      root,
      prepared.compiled,
      topics.map((x) => x.id),
    );
    return (await countSelection(store, selection, topics)).readers;
  } catch (error) {
    if (isRassylkaError(error)) return null;
    throw error;
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
