import { storeNote } from "../i18n/notes.js";
import type { LedgerRow, Outcome } from "../state/ledger.js";
import type { DeliveryResult } from "./transport.js";

/**
 * The retry/stop policy of a send, apart from the loop that runs it (src/send/delivery.ts): given a
 * reader, what the transport answered, what came before and the time, what the ledger records and
 * whether the run stops. Pure: no clock, no randomness but what it is given, nothing written.
 */

/** Why a run stopped before everyone was delivered. */
export type StopReason = "paused" | "signal" | "sender" | "deferred" | "lease";

export interface RetryPolicy {
  /** Attempts per reader for temporary failures (Infinity: only the window limits them). */
  maxAttempts: number;
  /** Base of the exponential backoff, ms. */
  retryDelay: number;
  /** How long after its first temporary failure a reader is still retried, ms; then it is failed. */
  retryWindow: number;
  /** Transient failures in a row that pause the run (replies about one reader, such as greylisting, excluded). */
  pauseAfter: number;
  /** The same permanent reply for this many different readers in a row is the sender's problem: stop. */
  samePermanentStop: number;
}

/** What the policy remembers from one answer to the next. */
export interface PolicyState {
  /** Transient failures in a row that were not about one reader. */
  transientInARow: number;
  /** Readers refused in a row with the same permanent reply (to put back if it proves to be the sender's). */
  permanentStreak: { shape: string; rows: { id: number; attempts: number }[] };
  stop?: StopReason;
  /** The last error before a pause, or the sender's problem. */
  pauseReason?: string;
  /** For `sender`: what to fix. */
  fix?: string;
}

export const initialPolicyState = (): PolicyState => ({ transientInARow: 0, permanentStreak: { shape: "", rows: [] } });

export interface Decision {
  outcome: Outcome;
  state: PolicyState;
  /** How the run's figures count it (nothing: back to the queue). */
  counted?: "sent" | "failed" | "retrying";
  /** Readers refused earlier in the same way, now back to the queue uncounted: take them off `failed`. */
  requeue: Outcome[];
}

const MAX_BACKOFF_MS = 60 * 60_000;

/** Exponential backoff with jitter: base · 2^(attempt−1) · (0.5…1.5), at most an hour. */
export function backoff(base: number, attempt: number, random = Math.random): number {
  return Math.min(MAX_BACKOFF_MS, Math.round(base * 2 ** Math.max(0, attempt - 1) * (0.5 + random())));
}

/** A permanent reply with its addresses taken out: the same refusal for different readers has one shape. */
export function replyShape(code: number | undefined, response: string): string {
  return `${code ?? ""} ${response.replace(/<[^>]*>|[^\s<>]+@[^\s<>]+/g, "<>")}`;
}

/** A stop already decided stays, but for a pause, which a sender's problem replaces. */
const mayStop = (s: PolicyState) => s.stop === undefined || s.stop === "paused";

export function decideOutcome(
  row: Pick<LedgerRow, "id" | "attempts" | "deferredSince">,
  result: DeliveryResult,
  before: PolicyState,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): Decision {
  const attempts = row.attempts + 1;
  const { id } = row;
  const state: PolicyState = { ...before };
  const requeue: Outcome[] = [];
  if (result.status === "sender") {
    // not this reader's failure: back to the queue as it was, and nothing more is claimed
    if (mayStop(state)) Object.assign(state, { stop: "sender", pauseReason: result.response, fix: result.fix });
    return { outcome: { id, state: "pending", attempts: row.attempts }, state, requeue };
  }
  if (result.status !== "permanent") state.permanentStreak = { shape: "", rows: [] };
  if (result.status === "sent") {
    state.transientInARow = 0;
    const outcome: Outcome = {
      id,
      state: "sent",
      attempts,
      code: result.code,
      response: result.response,
      providerId: result.providerId,
    };
    return { outcome, state, counted: "sent", requeue };
  }
  if (result.status === "permanent") {
    state.transientInARow = 0;
    const shape = replyShape(result.code, result.response);
    const rows = shape === before.permanentStreak.shape ? before.permanentStreak.rows : [];
    state.permanentStreak = { shape, rows: [...rows, { id, attempts: row.attempts }] };
    const streak = state.permanentStreak.rows.length;
    if (streak >= policy.samePermanentStop) {
      // the same refusal for every reader (relay access denied, a blocked sender): the sender's problem,
      // so the readers refused so far go back to the queue too, uncounted
      if (streak === policy.samePermanentStop)
        for (const r of state.permanentStreak.rows.slice(0, -1)) requeue.push({ id: r.id, state: "pending", attempts: r.attempts });
      if (mayStop(state)) {
        state.stop = "sender";
        state.pauseReason = storeNote("send/same-refusal", { count: streak, response: result.response });
        state.fix = storeNote("send/same-refusal.fix");
      }
      return { outcome: { id, state: "pending", attempts: row.attempts }, state, requeue };
    }
    return { outcome: { id, state: "failed", attempts, code: result.code, response: result.response }, state, counted: "failed", requeue };
  }
  if (!result.recipient) {
    state.transientInARow++;
    if (state.transientInARow >= policy.pauseAfter && !state.stop) {
      state.stop = "paused";
      state.pauseReason = result.response;
    }
  }
  const since = row.deferredSince ?? now;
  const windowEnd = since + policy.retryWindow;
  if (attempts >= policy.maxAttempts || now >= windowEnd) {
    // stored as data: status and report write it in their reader's language (src/i18n/notes.ts)
    const response = storeNote("send/gave-up", { count: attempts, overMs: now - since, response: result.response });
    return { outcome: { id, state: "failed", attempts, code: result.code, response }, state, counted: "failed", requeue };
  }
  const outcome: Outcome = {
    id,
    state: "deferred",
    attempts,
    code: result.code,
    response: result.response,
    // the last try comes at the end of the window
    nextAt: Math.min(now + backoff(policy.retryDelay, attempts, random), windowEnd),
  };
  return { outcome, state, counted: "retrying", requeue };
}
