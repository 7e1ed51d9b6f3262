import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { abBucket, abGroup } from "../identity/ab-bucket.js";
import { abTestOf } from "../issue/ab-test.js";
import type { CompiledIssue } from "../render/pipeline.js";
import type { AbDecider, AbDecision, AbSummary, AbTestRow, SqlAbTests } from "../state/ab.js";
import { verdict } from "./ab-stats.js";

/**
 * A/B tests of subjects in a send (docs/ab-testing.md). The engine asks this module three things: how
 * the test stands as a run begins (deciding first when asked to, or when the worker finds the wait over),
 * which group a reader is in, and what to report when the run ends. The readers stay in the ledger: a
 * sample reader carries its `variant`, the rest wait as `held` until the decision (src/state/ab.ts).
 */

/** What a send is asked to do about the test: decide when the wait is over (the worker), decide now, or take an editor's winner. */
export interface AbRequest {
  decide?: "due" | "now";
  /** 1-based, as editors count subjects. */
  winner?: number;
}

export { abProblems, abTestOf } from "../issue/ab-test.js";

/** `--ab-decide` / `--ab-winner` for an issue without a test, or for test copies and dry runs: refused. */
export function refuseAbRequest(compiled: CompiledIssue, request: AbRequest | undefined, mode: string): void {
  if (!request || (request.decide === undefined && request.winner === undefined) || request.decide === "due") return;
  const flag = request.winner !== undefined ? "--ab-winner" : "--ab-decide";
  if (!abTestOf(compiled))
    throw new RassylkaError(error("ab/no-test", t("ab:noTest", { flag }), { file: compiled.source, field: flag, fix: t("ab:noTest.fix") }));
  if (mode !== "send")
    throw new RassylkaError(error("ab/not-a-send", t("ab:notASend", { flag }), { field: flag, fix: t("ab:notASend.fix") }));
}

/** A run's view of the test: each reader's group, each group's subject. */
export class AbRun {
  constructor(
    readonly test: AbTestRow,
    private readonly secret: string,
    readonly decidedNow: boolean,
  ) {}

  get decided(): boolean {
    return this.test.decision !== undefined;
  }

  /** A reader's sample group (0-based), or null for the rest: held until the decision, then sent the winner. */
  group(slug: string, email: string): { variant: number | null; held: boolean } {
    const g = abGroup(abBucket(this.secret, this.test.listId, slug, email), this.test.subjects.length, this.test.sample);
    if (g !== "held") return { variant: g, held: false };
    return { variant: null, held: !this.decided };
  }

  /** The subject of a group; the rest get the winner's (the first subject's until there is one). */
  subject(variant: number | null): string {
    return this.test.subjects[variant ?? this.test.decision?.winner ?? 0];
  }
}

/**
 * The test as a run of the issue begins: recorded on the first run, decided first when asked to (and
 * not decided yet). `--ab-decide` / `--ab-winner` on a decided test is refused: the rest may be on
 * their way with the winner already.
 */
export async function beginAb(
  store: SqlAbTests,
  compiled: CompiledIssue,
  options: { secret: string; listId: string; request?: AbRequest; now?: number },
): Promise<AbRun> {
  const plan = abTestOf(compiled)!;
  const slug = compiled.slug;
  await store.begin(slug, {
    subjects: plan.subjects,
    sample: plan.sample,
    waitMinutes: plan.waitMinutes,
    metric: plan.metric,
    listId: options.listId,
  });
  let test = (await store.get(slug))!;
  const request = options.request ?? {};
  const byHand = request.winner !== undefined || request.decide === "now";
  if (test.decision && byHand) {
    throw new RassylkaError(
      error(
        "ab/decided",
        t("ab:already", { n: test.decision.winner + 1, subject: test.subjects[test.decision.winner], at: test.decision.at }),
        {
          file: compiled.source,
          fix: t("ab:already.fix"),
        },
      ),
    );
  }
  if (
    request.winner !== undefined &&
    !(Number.isInteger(request.winner) && request.winner >= 1 && request.winner <= test.subjects.length)
  ) {
    throw new RassylkaError(
      error("ab/bad-winner", t("ab:badWinner", { n: request.winner, count: test.subjects.length }), {
        field: "--ab-winner",
        fix: t("ab:badWinner.fix", { count: test.subjects.length }),
      }),
    );
  }
  const due = request.decide === "due" && test.decideAt !== null && (options.now ?? Date.now()) >= test.decideAt;
  let decidedNow = false;
  if (!test.decision && (byHand || due)) {
    const by: AbDecider = request.winner !== undefined ? "winner" : due && !byHand ? "worker" : "hand";
    decidedNow = await store.decide(slug, await decision(store, test, by, request.winner));
    test = (await store.get(slug))!;
  }
  return new AbRun(test, options.secret, decidedNow);
}

/** The decision on the test's figures now (or an editor's pick, with the figures for the record). */
async function decision(store: SqlAbTests, test: AbTestRow, by: AbDecider, winner?: number): Promise<AbDecision> {
  const variants = await store.figures(test.issue, test);
  const minDelivered = Math.min(...variants.map((v) => v.delivered));
  if (winner !== undefined) return { winner: winner - 1, by, reason: "chosen", figures: { variants, minDelivered } };
  const v = verdict(variants);
  return { winner: v.winner, by, reason: v.reason, figures: { variants, chiSquare: v.chiSquare, pValue: v.pValue, minDelivered } };
}

/** After a run: the sample is out once no sample reader waits (the wait starts then); how the test stands. */
export async function endAb(store: SqlAbTests, run: AbRun, now = Date.now()): Promise<AbSummary> {
  const slug = run.test.issue;
  if (!run.decided && (await store.sampleWaiting(slug)) === 0) await store.sampleDone(slug, now, run.test.waitMinutes);
  return (await store.summary(slug, run.decidedNow))!;
}
