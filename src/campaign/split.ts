import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { AbTest } from "../issue/schema.js";
import type { SendsayLetter } from "../message/message.js";
import type { SendsayApiError, SendsayClient } from "../sendsay/client.js";

/**
 * An A/B test of subjects handed to Sendsay's own split test (`issue.split.*`) for a list campaign.
 *
 * What Sendsay documents: the actions `issue.split.create`, `issue.split.get`, `issue.split.winner` (and
 * `.list/.set/.delete`, `issue.split.variant.*`) exist in its API's list of actions; its help page
 * (sendsay-ru/sendsay-docs, docs/email-campaigns/create-your-campaign/a-b-testing.md) says a test has two to
 * five variants, a test group — a random share of the list the variants go to in equal parts — a winning
 * condition (opens, clicks, unsubscribes or by hand), a test time counted once every variant is out, and a
 * winner that then goes to the rest of the list. The field names of the requests are NOT in that repository
 * (the API reference, sendsay.ru/api/api.html, is not stored here): the names below carry exactly those
 * documented notions and nothing more, and docs/ab-testing.md says so.
 */

/** The split test's key in the campaign records (track_id column): split tests have no track of their own. */
export const SPLIT_PREFIX = "split:";

export type SplitRequest = {
  action: "issue.split.create";
  group: string;
  /** The letter as issue.send takes it, with the first subject. */
  letter: SendsayLetter;
  /** One per subject, in the front-matter's order. */
  variants: { subject: string }[];
  /** The test group, percent of the list: our per-subject sample × the number of subjects (Sendsay splits it equally). */
  "split.size": number;
  /** The test time, minutes after every variant is out. */
  "split.time": number;
  /** The winning condition. */
  "split.criterion": AbTest["metric"];
  sendwhen: "now";
};

export function splitRequest(groupId: string, letter: SendsayLetter, test: AbTest & { subjects: string[] }): SplitRequest {
  return {
    action: "issue.split.create",
    group: groupId,
    letter,
    variants: test.subjects.map((subject) => ({ subject })),
    "split.size": Math.round(test.sample * test.subjects.length * 1000) / 10,
    "split.time": test.waitMinutes,
    "split.criterion": test.metric,
    sendwhen: "now",
  };
}

/** Sendsay's split test as read back: its id, its state as Sendsay words it, and the winner once decided. */
export interface SplitDecision {
  splitId: string;
  status: string | null;
  /** The winning subject, from 1 as the front-matter lists them; null: not decided yet. */
  winner: number | null;
  subject: string | null;
}

/**
 * `issue.split.get`: the split test's state and, once Sendsay decided, its winner (`winner`, from 1).
 * `subjects` (when known) names the winner and bounds its number.
 */
export async function readSplit(client: SendsayClient, splitId: string, subjects: string[] = []): Promise<SplitDecision> {
  const answer = await client.request<{ obj?: Record<string, unknown> }>({ action: "issue.split.get", id: splitId }, { idempotent: true });
  const obj = answer.obj ?? {};
  const n = Number(obj.winner);
  const winner =
    obj.winner !== undefined && obj.winner !== null && Number.isInteger(n) && n >= 1 && (!subjects.length || n <= subjects.length)
      ? n
      : null;
  return {
    splitId,
    status: obj.status === undefined || obj.status === null ? null : String(obj.status),
    winner,
    subject: winner ? (subjects[winner - 1] ?? null) : null,
  };
}

/** The split request was refused (say, the account's plan has no split tests): nothing went out. */
export function splitRefused(error: SendsayApiError, file: string, groupId: string): RassylkaError {
  return new RassylkaError({
    ruleId: "sendsay/ab-split-refused",
    severity: "error",
    file,
    field: "subject",
    message: t("ab:splitRefused", { group: groupId, id: error.errorId, explain: error.explain ? ` (${error.explain})` : "" }),
    fix: t("ab:splitRefused.fix"),
  });
}
