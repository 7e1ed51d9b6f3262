import type { SendsayClient } from "../sendsay/client.js";
import { parseZonedTime } from "../util/zoned-time.js";

/**
 * A campaign's figures, read back from Sendsay after its track ends and on `rassylka status`: one
 * `stat.uni` over the issue fields (docs/sendsay-api/basic-stat-uni.md in sendsay-ru/sendsay-docs). The
 * answer is `{"list": [[…]]}`, one row per issue with the values in the order of `select`.
 */
export interface CampaignStats {
  /** Recipients of the issue. */
  members: number;
  delivered: number;
  undelivered: number;
  /** Unique opens. */
  opened: number;
  /** Unique clicks. */
  clicked: number;
  unsubscribed: number;
}

/** `select` of the request, in the order of the answer's columns, and the figure each one is. */
export const STAT_COLUMNS: [string, keyof CampaignStats][] = [
  ["issue.members", "members"],
  ["issue.deliv_ok", "delivered"],
  ["issue.deliv_bad", "undelivered"],
  ["issue.u_readed", "opened"],
  ["issue.u_clicked", "clicked"],
  ["issue.unsubed", "unsubscribed"],
];

/** The issue's row is selected by the campaign's track id (the id issue.send answered with). */
export function statsRequest(trackId: string) {
  return {
    action: "stat.uni",
    result: "response",
    select: STAT_COLUMNS.map(([column]) => column),
    filter: [{ a: "issue.track.id", op: "==", v: trackId }],
  };
}

/** The figures of the campaign with this track, or null while Sendsay has no row for it yet. */
export async function readCampaignStats(client: SendsayClient, trackId: string): Promise<CampaignStats | null> {
  const answer = await client.request<{ list?: unknown[][] }>(statsRequest(trackId), { idempotent: true });
  const row = Array.isArray(answer.list) ? answer.list[0] : undefined;
  if (!Array.isArray(row)) return null;
  const stats = {} as CampaignStats;
  STAT_COLUMNS.forEach(([, name], i) => {
    const n = Number(row[i]);
    stats[name] = Number.isFinite(n) ? n : 0;
  });
  return stats;
}

/**
 * A campaign's breakdowns, read with `stat.uni` from the areas its documentation names (sendsay-ru/sendsay-docs
 * docs/sendsay-api/basic-stat-uni.md and how-to-unite-requests.md): `click.*` (a row per click:
 * `click.issue.id`, `click.link.url`, `click.member.email`) and `deliv.*` (a row per message:
 * `deliv.issue.id`, `deliv.member.email`, `deliv.status`), with `count(*)` grouping by the other columns,
 * `order`, `skip` and `first`. What those pages do not document is not asked for:
 * - no field holds an address's domain: it is cut from `click.member.email` / `deliv.member.email` here,
 *   each address counted under its domain and never kept;
 * - the values of `deliv.status` are not documented, so no bounce is read per domain (`bounced: null`);
 * - the time of a click: the pages name an event's own time `dt` (`unsub.dt`, `delivstream.dt`) and the
 *   time modifiers `:Ys` (to the second), `:YD` (day) and `:YM` (month), no hour: the clicks are asked
 *   per second (`click.dt:Ys`) and summed into hours here;
 * - `stat.activity` (named in the issue that asked for this report) is documented nowhere in the
 *   repository or its pages: it is never called.
 * Times come as Sendsay writes them, "YYYY-MM-DD hh:mm:ss" on Moscow's clock ("Система работает по
 * московскому времени", docs/email-campaigns/create-your-campaign/send-by-time-zone.mdx).
 */
export const STAT_PAGE = 10_000;
export const SENDSAY_CLOCK = "Europe/Moscow";

type Filter = { a: string; op: string; v: unknown }[];

/**
 * stat.uni's rows in pages of `first` after `skip`, in `order`: without an order the rows "come unsorted,
 * each time differently" (basic-stat-uni.md, «Последовательность работы запроса»), so pages would overlap.
 */
export async function* statPages(client: SendsayClient, select: string[], filter: Filter, order: string[]): AsyncIterable<unknown[][]> {
  for (let skip = 0; ; skip += STAT_PAGE) {
    const answer = await client.request<{ list?: unknown[][] }>(
      { action: "stat.uni", result: "response", select, filter, order, skip, first: STAT_PAGE },
      { idempotent: true },
    );
    const rows = Array.isArray(answer.list) ? answer.list.filter(Array.isArray) : [];
    if (rows.length) yield rows;
    if (rows.length < STAT_PAGE) return;
  }
}

/** The issue id of a campaign's track (`issue.track.id`, as `status` reads it), or undefined before Sendsay counts it. */
export async function campaignIssueId(client: SendsayClient, trackId: string): Promise<string | undefined> {
  const answer = await client.request<{ list?: unknown[][] }>(
    { action: "stat.uni", result: "response", select: ["issue.id"], filter: [{ a: "issue.track.id", op: "==", v: trackId }] },
    { idempotent: true },
  );
  const id = Array.isArray(answer.list) && Array.isArray(answer.list[0]) ? answer.list[0][0] : undefined;
  return id === undefined || id === null ? undefined : String(id);
}

const domainOf = (email: unknown) => {
  const text = String(email);
  return text.slice(text.lastIndexOf("@") + 1).toLowerCase();
};

/** Clicks per link: the readers (distinct addresses) and the clicks on each address of a link. */
export async function clicksPerLink(client: SendsayClient, issueId: string): Promise<{ url: string; unique: number; total: number }[]> {
  const byLink = new Map<string, { unique: number; total: number }>();
  const filter = [{ a: "click.issue.id", op: "==", v: issueId }];
  for await (const page of statPages(client, ["click.link.url", "click.member.email", "count(*)"], filter, [
    "click.link.url",
    "click.member.email",
  ]))
    for (const [url, , n] of page) {
      const link = byLink.get(String(url)) ?? { unique: 0, total: 0 };
      link.unique++;
      link.total += Number(n) || 0;
      byLink.set(String(url), link);
    }
  return [...byLink].map(([url, l]) => ({ url, ...l }));
}

/** Clicks per second of Sendsay's clock, as UTC milliseconds, in time order. */
export async function* clicksPerSecond(client: SendsayClient, issueId: string): AsyncIterable<{ ms: number; n: number }[]> {
  const filter = [{ a: "click.issue.id", op: "==", v: issueId }];
  for await (const page of statPages(client, ["click.dt:Ys", "count(*)"], filter, ["click.dt:Ys"])) {
    const out: { ms: number; n: number }[] = [];
    for (const [at, n] of page) {
      const ms = parseZonedTime(String(at), SENDSAY_CLOCK)?.getTime();
      if (ms !== undefined && !Number.isNaN(ms)) out.push({ ms, n: Number(n) || 0 });
    }
    yield out;
  }
}

/** Per receiving domain: messages Sendsay sent there (`deliv` rows) and readers there with a click. */
export async function domainsOf(client: SendsayClient, issueId: string): Promise<Map<string, { sent: number; clicked: number }>> {
  const byDomain = new Map<string, { sent: number; clicked: number }>();
  const row = (domain: string) => byDomain.get(domain) ?? byDomain.set(domain, { sent: 0, clicked: 0 }).get(domain)!;
  for await (const page of statPages(
    client,
    ["deliv.member.email"],
    [{ a: "deliv.issue.id", op: "==", v: issueId }],
    ["deliv.member.email"],
  ))
    for (const [email] of page) row(domainOf(email)).sent++;
  // one row per address that clicked (count(*) groups by it)
  const clicks = [{ a: "click.issue.id", op: "==", v: issueId }];
  for await (const page of statPages(client, ["click.member.email", "count(*)"], clicks, ["click.member.email"]))
    for (const [email] of page) row(domainOf(email)).clicked++;
  return byDomain;
}
