import { readerKey } from "../identity/click-token.js";
import { type Db, empty, raw, sql } from "./sql.js";

/**
 * A/B tests of subjects (migration 12, docs/ab-testing.md): the test's settings as its send began, the
 * sample's figures, and the decision. The readers themselves stay in the send ledger: `variant` is the
 * sample group a reader was sent in (NULL for everybody else), and the rest wait there as `held` until
 * the decision puts them back in the queue — in the same transaction that records it, so two workers
 * deciding at once decide once.
 */
export type AbMetric = "clicks" | "opens";
/** Who decided: the worker after the wait, an editor now (`--ab-decide`), or an editor's pick (`--ab-winner`). */
export type AbDecider = "worker" | "hand" | "winner";
/** Why the winner won: the test found a difference, found none, the sample was too small, or an editor chose. */
export type AbReason = "significant" | "no-difference" | "too-small" | "chosen";

export interface AbSettings {
  subjects: string[];
  sample: number;
  waitMinutes: number;
  metric: AbMetric;
  /** The newsletter id readers' click keys are made under (identity/click-token.ts readerKey). */
  listId: string;
}

export interface VariantFigures {
  /** 0-based. */
  variant: number;
  subject: string;
  /** Sample messages delivered with this subject. */
  delivered: number;
  /** Of those readers, how many clicked (or opened, for `metric: opens`) as a person. */
  unique: number;
  /** unique / delivered (0 when nothing was delivered). */
  rate: number;
}

export interface AbDecision {
  winner: number;
  by: AbDecider;
  reason: AbReason;
  /** The figures the decision was made on, and the test's statistic. */
  figures: { variants: VariantFigures[]; chiSquare?: number; pValue?: number; minDelivered: number };
}

export interface AbTestRow extends AbSettings {
  issue: string;
  /** ms since the epoch: when the sample was out (no sample reader waiting any more). */
  sampleDoneAt: number | null;
  /** ms: when the decision is due (sampleDoneAt + wait). */
  decideAt: number | null;
  decision?: AbDecision & { at: string };
}

export interface AbTestRecord {
  issue: string;
  subjects: string;
  sample: number;
  wait_minutes: number;
  metric: string;
  list_id: string;
  sample_done_at: number | null;
  decide_at: number | null;
  winner: number | null;
  decided_by: string | null;
  reason: string | null;
  figures: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

/** How an issue's test stands, as a send's summary, `status` and `report` show it. */
export interface AbSummary {
  subjects: string[];
  metric: AbMetric;
  sample: number;
  waitMinutes: number;
  variants: VariantFigures[];
  /** Readers outside the sample: still held, waiting in the queue, delivered the winner. */
  rest: { held: number; waiting: number; delivered: number };
  /** When the decision is due (ISO), once the sample is out. */
  decideAt?: string;
  decision?: AbDecision & { at: string };
  /** The run that returned this summary made the decision. */
  decidedNow: boolean;
}

const PAGE = 5000;

export class SqlAbTests {
  constructor(private readonly db: Db) {}

  async get(issue: string): Promise<AbTestRow | undefined> {
    const r = await this.db.get<AbTestRecord>(sql`SELECT * FROM ab_tests WHERE issue = ${issue}`);
    if (!r) return undefined;
    return {
      issue: r.issue,
      subjects: JSON.parse(r.subjects),
      sample: Number(r.sample),
      waitMinutes: Number(r.wait_minutes),
      metric: r.metric === "opens" ? "opens" : "clicks",
      listId: r.list_id,
      sampleDoneAt: r.sample_done_at === null ? null : Number(r.sample_done_at),
      decideAt: r.decide_at === null ? null : Number(r.decide_at),
      decision:
        r.winner === null
          ? undefined
          : {
              winner: Number(r.winner),
              by: r.decided_by as AbDecider,
              reason: r.reason as AbReason,
              figures: JSON.parse(r.figures ?? "{}"),
              at: r.decided_at ?? "",
            },
    };
  }

  /** The test as its first send begins; a later send of the same issue keeps the first record. */
  async begin(issue: string, s: AbSettings): Promise<void> {
    const now = this.db.dialect.now;
    await this.db.run(sql`INSERT INTO ab_tests (issue, subjects, sample, wait_minutes, metric, list_id, created_at, updated_at)
      VALUES (${issue}, ${JSON.stringify(s.subjects)}, ${s.sample}, ${s.waitMinutes}, ${s.metric}, ${s.listId}, ${now}, ${now})
      ON CONFLICT (issue) DO NOTHING`);
  }

  /** The sample is out at `at` (ms): the decision is due `wait` later. The first call counts. */
  async sampleDone(issue: string, at: number, waitMinutes: number): Promise<void> {
    await this.db.run(sql`UPDATE ab_tests SET sample_done_at = ${at}, decide_at = ${at + waitMinutes * 60_000}, updated_at = ${this.db.dialect.now}
      WHERE issue = ${issue} AND sample_done_at IS NULL`);
  }

  /**
   * Records the decision and puts the held readers back in the queue, in one transaction; false (and
   * nothing changed) when the test was decided already.
   */
  async decide(issue: string, d: AbDecision): Promise<boolean> {
    return this.db.tx(
      async (t) => {
        const now = t.dialect.now;
        const changed = await t.run(sql`UPDATE ab_tests SET winner = ${d.winner}, decided_by = ${d.by}, reason = ${d.reason},
          figures = ${JSON.stringify(d.figures)}, decided_at = ${now}, updated_at = ${now} WHERE issue = ${issue} AND winner IS NULL`);
        if (changed === 0) return false;
        await t.run(sql`UPDATE send_ledger SET state = 'pending', updated_at = ${now} WHERE issue = ${issue} AND state = 'held'`);
        return true;
      },
      [`rassylka:ab:${issue}`],
    );
  }

  /** Readers waiting for the winner. */
  async held(issue: string): Promise<number> {
    const r = await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM send_ledger WHERE issue = ${issue} AND state = 'held'`);
    return Number(r?.n ?? 0);
  }

  /** Sample readers not delivered yet (pending, in flight, deferred): the sample is out when none is left. */
  async sampleWaiting(issue: string): Promise<number> {
    const r = await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM send_ledger WHERE issue = ${issue} AND variant IS NOT NULL
      AND state IN ('pending', 'in_flight', 'deferred')`);
    return Number(r?.n ?? 0);
  }

  /** Delivered and rest counts of the readers outside the sample (the winner's messages). */
  async rest(issue: string): Promise<{ delivered: number; held: number; waiting: number }> {
    const rows = await this.db.all<{ state: string; n: number }>(
      sql`SELECT state, count(*) AS n FROM send_ledger WHERE issue = ${issue} AND variant IS NULL GROUP BY state`,
    );
    const n = (s: string[]) => rows.filter((r) => s.includes(r.state)).reduce((a, r) => a + Number(r.n), 0);
    return { delivered: n(["sent"]), held: n(["held"]), waiting: n(["pending", "in_flight", "deferred"]) };
  }

  /**
   * Each variant's figures: sample messages delivered, and how many of those readers clicked (or opened)
   * as a person — events of trials and of scanners and image proxies (src/tracking/classify.ts) never count.
   */
  async figures(issue: string, test: Pick<AbTestRow, "subjects" | "metric" | "listId">): Promise<VariantFigures[]> {
    const variantOf = new Map<string, number>();
    const delivered = test.subjects.map(() => 0);
    for (let after = 0; ; ) {
      const rows = await this.db.all<{ id: number; email: string; variant: number }>(sql`SELECT id, email, variant FROM send_ledger
        WHERE issue = ${issue} AND variant IS NOT NULL AND state = 'sent' AND id > ${after} ORDER BY id LIMIT ${PAGE}`);
      for (const r of rows) {
        const v = Number(r.variant);
        if (v < 0 || v >= delivered.length) continue;
        delivered[v]++;
        variantOf.set(readerKey(test.listId, r.email), v);
      }
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].id);
    }
    const table = raw(test.metric === "opens" ? "open_events" : "click_events");
    // the canary link (0) is followed by scanners only; a person's click is on a real link
    const link = test.metric === "opens" ? empty : sql`AND link > 0`;
    const readers = await this.db.all<{ reader: string }>(
      sql`SELECT DISTINCT reader FROM ${table} WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human' AND reader IS NOT NULL ${link}`,
    );
    const unique = test.subjects.map(() => 0);
    for (const { reader } of readers) {
      const v = variantOf.get(reader);
      if (v !== undefined) unique[v]++;
    }
    return test.subjects.map((subject, variant) => ({
      variant,
      subject,
      delivered: delivered[variant],
      unique: unique[variant],
      rate: delivered[variant] > 0 ? unique[variant] / delivered[variant] : 0,
    }));
  }

  /** How the issue's test stands; undefined for an issue without one. */
  async summary(issue: string, decidedNow = false): Promise<AbSummary | undefined> {
    const test = await this.get(issue);
    if (!test) return undefined;
    return {
      subjects: test.subjects,
      metric: test.metric,
      sample: test.sample,
      waitMinutes: test.waitMinutes,
      variants: await this.figures(issue, test),
      rest: await this.rest(issue),
      decideAt: test.decideAt === null ? undefined : new Date(test.decideAt).toISOString(),
      decision: test.decision,
      decidedNow,
    };
  }
}
