import { describe, expect, test } from "vitest";
import { noteText, readNote } from "../../src/i18n/notes.js";
import { backoff, decideOutcome, initialPolicyState, type PolicyState, type RetryPolicy } from "../../src/send/outcome.js";
import type { DeliveryResult } from "../../src/send/transport.js";

const POLICY: RetryPolicy = { maxAttempts: 5, retryDelay: 60_000, retryWindow: 12 * 3600_000, pauseAfter: 3, samePermanentStop: 3 };
const NOW = Date.parse("2026-12-07T10:00:00Z");
const row = (id: number, attempts = 0, deferredSince?: number) => ({ id, attempts, deferredSince });
const half = () => 0.5;

const refused = (who: string): DeliveryResult => ({
  status: "permanent",
  code: 550,
  response: `550 5.1.1 <${who}>: Recipient address rejected`,
});
const relayDenied: DeliveryResult = { status: "permanent", code: 554, response: "554 5.7.1 Relay access denied" };
const greylisted: DeliveryResult = { status: "transient", code: 450, response: "450 4.2.0 greylisted", recipient: true };
const down: DeliveryResult = { status: "transient", response: "connect ECONNREFUSED 127.0.0.1:25" };

describe("one answer: what the ledger records and how the run counts it", () => {
  test.each([
    [
      "sent",
      { status: "sent", code: 250, response: "250 ok", providerId: "q1" },
      row(1),
      { state: "sent", attempts: 1, providerId: "q1" },
      "sent",
    ],
    ["a reader refused", refused("a@x.ru"), row(1), { state: "failed", attempts: 1, code: 550 }, "failed"],
    ["greylisted: retried after the backoff", greylisted, row(1), { state: "deferred", attempts: 1, nextAt: NOW + 60_000 }, "retrying"],
    [
      "the second retry waits twice as long",
      greylisted,
      row(1, 1, NOW - 1000),
      { state: "deferred", attempts: 2, nextAt: NOW + 120_000 },
      "retrying",
    ],
    [
      "the last attempt",
      greylisted,
      row(1, 4, NOW - 1000),
      { state: "failed", attempts: 5, response: expect.stringMatching(/^gave up after 5 attempts over 1 s: 450/) },
      "failed",
    ],
    [
      "past the window",
      greylisted,
      row(1, 1, NOW - 13 * 3600_000),
      { state: "failed", attempts: 2, response: expect.stringMatching(/over 13 h/) },
      "failed",
    ],
    [
      "the retry at the end of the window, never after",
      greylisted,
      row(1, 1, NOW - 12 * 3600_000 + 10_000),
      { state: "deferred", nextAt: NOW + 10_000 },
      "retrying",
    ],
    [
      "the sender's problem: back to the queue as it was",
      { status: "sender", response: "535 auth failed", fix: "check the password" },
      row(1, 2),
      { state: "pending", attempts: 2 },
      undefined,
    ],
  ] as const)("%s", (_, result, r, outcome, counted) => {
    const d = decideOutcome(r, result as DeliveryResult, initialPolicyState(), POLICY, NOW, half);
    // what the ledger keeps of our own sentences is data, written out when read (here in English)
    expect({ ...d.outcome, response: noteText(d.outcome.response, "en") }).toMatchObject({ id: 1, ...outcome });
    expect(d.counted).toBe(counted);
    expect(d.requeue).toEqual([]);
  });
});

/** A run of answers through the policy, as the loop feeds them. */
function run(results: DeliveryResult[], start: PolicyState = initialPolicyState()) {
  let state = start;
  return results.map((result, i) => {
    const d = decideOutcome(row(i + 1), result, state, POLICY, NOW, half);
    state = d.state;
    return d;
  });
}

describe("a reader given up on: the ledger keeps data, not an English sentence", () => {
  test("the code, the attempts, the time and the server's raw reply; written in the reader's language when shown", () => {
    const d = decideOutcome(row(1, 4, NOW - 90_000), greylisted, initialPolicyState(), POLICY, NOW, half);
    const note = readNote(d.outcome.response);
    expect(note).toEqual({ code: "send/gave-up", params: { count: 5, overMs: 90_000, response: expect.stringMatching(/^450 /) } });
    expect(noteText(d.outcome.response, "en")).toMatch(/^gave up after 5 attempts over 90 s: 450 /);
    expect(noteText(d.outcome.response, "ru")).toMatch(/^не доставлено за 5 попыток в течение 90 с: 450 /);
  });
});

describe("answers in a row: when the run stops", () => {
  test("the same refusal for three different readers is the sender's problem: all three back to the queue, uncounted", () => {
    const ds = run([relayDenied, relayDenied, relayDenied]);
    expect(ds.map((d) => d.counted)).toEqual(["failed", "failed", undefined]);
    expect(ds[2].requeue).toEqual([
      { id: 1, state: "pending", attempts: 0 },
      { id: 2, state: "pending", attempts: 0 },
    ]);
    expect(ds[2].state.stop).toBe("sender");
    expect(noteText(ds[2].state.pauseReason, "en")).toMatch(/same refusal for 3 different readers/);
    expect(noteText(ds[2].state.pauseReason, "ru")).toMatch(
      /^один и тот же отказ 3 разным читателям подряд: 554 5\.7\.1 Relay access denied$/,
    );
  });

  test("refusals that differ but for the address count as the same; another reply in between starts again", () => {
    expect(run([refused("a@x.ru"), refused("b@y.ru"), refused("c@z.ru")])[2].state.stop).toBe("sender");
    const broken = run([refused("a@x.ru"), refused("b@y.ru"), { status: "sent", code: 250, response: "ok" }, refused("c@z.ru")]);
    expect(broken.map((d) => d.state.stop)).toEqual([undefined, undefined, undefined, undefined]);
    expect(broken[3].state.permanentStreak.rows).toHaveLength(1);
  });

  test("transient failures not about one reader pause the run after pauseAfter; a reader's own (greylisting) never does", () => {
    expect(run([down, down, down]).map((d) => d.state.stop)).toEqual([undefined, undefined, "paused"]);
    expect(run([greylisted, greylisted, greylisted, greylisted]).map((d) => d.state.stop)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(run([down, down, { status: "sent", code: 250, response: "ok" }, down]).at(-1)?.state.stop).toBeUndefined();
  });

  test("a sender's problem replaces a pause, never a stop already decided (a signal, a lost lease)", () => {
    const sender: DeliveryResult = { status: "sender", response: "535 auth failed", fix: "check the password" };
    expect(run([sender], { ...initialPolicyState(), stop: "paused" })[0].state.stop).toBe("sender");
    expect(run([sender], { ...initialPolicyState(), stop: "signal" })[0].state.stop).toBe("signal");
    expect(run([relayDenied, relayDenied, relayDenied], { ...initialPolicyState(), stop: "lease" })[2].state.stop).toBe("lease");
  });

  test("the state given is not changed", () => {
    const before = initialPolicyState();
    run([relayDenied, relayDenied, down]);
    decideOutcome(row(1), relayDenied, before, POLICY, NOW, half);
    expect(before).toEqual(initialPolicyState());
  });
});

test.each([
  [1, 0, 30_000],
  [1, 0.5, 60_000],
  [3, 0.5, 240_000],
  [30, 0.5, 3600_000],
])("backoff for attempt %i with jitter %d is %i ms", (attempt, jitter, ms) => {
  expect(backoff(60_000, attempt, () => jitter)).toBe(ms);
});
