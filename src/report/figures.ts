import { readerKeyer } from "../identity/click-token.js";
import type { PollResult } from "../polls/results.js";
import type { AbSummary } from "../state/ab.js";
import type { ClassFigures, DayCount, IssueRow, LinkFigures, ReportStore } from "../state/report.js";

/**
 * What `rassylka report <issue> --json` prints, exactly these keys (docs/report.md says what each one
 * counts): the send, its bounces, complaints and unsubscribes, clicks by class, opens when tracked, the
 * links, the receiving domains and the clicks over time.
 */
export interface IssueFigures {
  issue: string;
  /** `bounced` and `complained` are null when the source does not give them (a Sendsay campaign: docs/report.md). */
  counts: { listed: number; sent: number; failed: number; bounced: number | null; complained: number | null; unsubscribed: number };
  clicks: ClassFigures;
  opens: ClassFigures | null;
  links: LinkFigures[];
  domains: DomainRow[];
  timeline: { at: string; clicks: number }[];
  /** The issue's polls with their votes (docs/polls.md), when it has any. */
  polls?: PollResult[];
  /** The issue's A/B test of subjects (docs/ab-testing.md): each variant's figures and the decision. */
  ab?: AbSummary;
  /** A Sendsay campaign's breakdowns Sendsay did not give, with why (its stat.uni refused the request). */
  unavailable?: { timeline?: Unavailable; domains?: Unavailable };
}

/** Why a breakdown is missing: `reason` in English whatever the editor's language (scripts read it), `note` in theirs. */
export interface Unavailable {
  reason: string;
  note: string;
}

export interface DomainRow {
  domain: string;
  sent: number;
  /** Readers there who bounced; null when the source does not say (a Sendsay campaign: docs/report.md). */
  bounced: number | null;
  /** Readers there with a human click. */
  clicked: number;
}

/** The figures and what the page and the summary say beside them. */
export interface IssueReport {
  figures: IssueFigures;
  subject: string | null;
  /** Who the send went to, as recorded when it started (docs/audiences.md); for a Sendsay campaign, its list. */
  audience?: string;
  /** When the send started (ISO), null when the state has no send of the issue. */
  sentAt: string | null;
  bounces: { hard: number; soft: number };
  unsubscribed: { oneClick: number; page: number };
  /** Readers with a human click among those sent, and among those who opened (null without opens). */
  rates: { clickThrough: number | null; clickToOpen: number | null };
  /** Where the figures come from: our state, or Sendsay's statistics for a campaign. */
  source: "state" | "sendsay";
}

/** Domains listed one by one; the rest are summed in one row named `(other)`. */
export const DOMAIN_ROWS = 30;
export const OTHER_DOMAINS = "(other)";
/** Clicks are counted per hour for this long after the send, then per day. */
export const HOURLY_FOR_HOURS = 72;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface FigureOptions {
  /** The newsletter's id (src/identity/newsletter.ts), which keys readers in click events; without it no domain's clicks are counted. */
  newsletterId?: string;
  /** Whether the issue tracks opens; undefined: it does when the state holds open events. */
  opens?: boolean;
}

/** The issue's figures, every one aggregated by the database. */
export async function issueReport(report: ReportStore, issue: string, options: FigureOptions = {}): Promise<IssueReport> {
  const send = await report.sendCounts(issue);
  const run = await report.started(issue);
  const bounces = await report.bounces(issue);
  const unsubscribed = await report.unsubscribed(issue);
  const clicks = await report.clicks(issue);
  // what the send kept of its settings first; the issue's file (as it is now) when the state has none
  const tracksOpens = (await report.tracksOpens(issue)) ?? options.opens;
  const opens = tracksOpens === false ? null : ((await report.opens(issue)) ?? (tracksOpens ? zeroClasses() : null));
  const links = await report.links(issue);
  const domains = await domainRows(report, issue, options.newsletterId);
  const start = run?.startedAt ?? null;
  const figures: IssueFigures = {
    issue,
    counts: {
      listed: send.listed,
      sent: send.sent,
      failed: send.failed,
      bounced: bounces.bounced,
      complained: bounces.complained,
      unsubscribed: unsubscribed.oneClick + unsubscribed.page,
    },
    clicks,
    opens,
    links,
    domains,
    timeline: await clickTimeline(report, issue, start),
  };
  return {
    figures,
    subject: run?.subject ?? null,
    sentAt: start,
    bounces: { hard: bounces.hard, soft: bounces.soft },
    unsubscribed,
    rates: {
      clickThrough: send.sent ? clicks.unique / send.sent : null,
      clickToOpen: opens?.unique ? clicks.unique / opens.unique : null,
    },
    source: "state",
  };
}

function zeroClasses(): ClassFigures {
  return { unique: 0, total: 0, human: 0, proxy: 0, automated: 0 };
}

/**
 * Per receiving domain, the readers sent, bounced and with a human click. A click event keeps only the
 * reader's key (a keyed hash of the address); the send keeps it in the ledger too, so the database joins
 * the clickers to their domains. The issue's readers are paged through once, each counted under its
 * domain; only those whose ledger row has no key (written before the key was kept) are hashed here and
 * looked up among the clickers. The few not sent and the bounces come per domain from the database.
 * Memory: the domains, and the clickers' keys only when some rows have no key; never the list.
 */
async function domainRows(report: ReportStore, issue: string, newsletterId: string | undefined): Promise<DomainRow[]> {
  const byDomain = new Map<string, DomainRow>();
  const row = (domain: string) => {
    let r = byDomain.get(domain);
    if (!r) {
      r = { domain, sent: 0, bounced: 0, clicked: 0 };
      byDomain.set(domain, r);
    }
    return r;
  };
  for await (const page of report.readerPages(issue)) for (const email of page) row(email.slice(email.indexOf("@") + 1)).sent++;
  if (newsletterId) {
    for (const d of await report.domainClickers(issue)) row(d.domain).clicked += d.n;
    let clickers: Set<string> | undefined;
    let key: ((email: string) => string) | undefined;
    for await (const page of report.unkeyedPages(issue)) {
      if (!clickers) {
        clickers = new Set();
        for await (const keys of report.clickers(issue)) for (const k of keys) clickers.add(k);
        key = readerKeyer(newsletterId);
      }
      if (!clickers.size) break;
      for (const email of page) if (clickers.has(key!(email))) row(email.slice(email.indexOf("@") + 1)).clicked++;
    }
  }
  for (const e of await report.domainExceptions(issue)) {
    const row = byDomain.get(e.domain);
    if (!row) continue;
    row.sent -= e.notSent;
    row.bounced = e.bounced;
  }
  const rows = [...byDomain.values()].sort(byReadersSent);
  return foldDomains(rows);
}

/** The DOMAIN_ROWS largest domains (the rows come sorted), the rest summed in one row named OTHER_DOMAINS. */
export function foldDomains(rows: DomainRow[]): DomainRow[] {
  if (rows.length <= DOMAIN_ROWS) return rows;
  const other: DomainRow = { domain: OTHER_DOMAINS, sent: 0, bounced: rows[0].bounced === null ? null : 0, clicked: 0 };
  for (const r of rows.slice(DOMAIN_ROWS)) {
    other.sent += r.sent;
    if (other.bounced !== null) other.bounced += r.bounced ?? 0;
    other.clicked += r.clicked;
  }
  return [...rows.slice(0, DOMAIN_ROWS), other];
}

/** Domains by readers sent, most first (then by name). */
export function byReadersSent(a: DomainRow, b: DomainRow): number {
  return b.sent - a.sent || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0);
}

const iso = (ms: number) => new Date(ms).toISOString();
const dayMs = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

/**
 * The timeline's slots for a send that started at `startMs`: an hour each for the first HOURLY_FOR_HOURS
 * (to the end of that day, so the hourly part ends where the first whole day begins), then a day each
 * (UTC). Shared by the state's report and a Sendsay campaign's (./sendsay.ts).
 */
export function timelineSlots(startMs: number): { bucketOf: (ms: number) => number; next: (at: number) => number } {
  const hourlyUntil = Math.ceil((startMs + HOURLY_FOR_HOURS * HOUR_MS) / DAY_MS) * DAY_MS;
  const size = (ms: number) => (ms < hourlyUntil ? HOUR_MS : DAY_MS);
  return { bucketOf: (ms) => Math.floor(ms / size(ms)) * size(ms), next: (at) => at + size(at) };
}

/** Every slot from the first counted to the last (zeros too, so a chart shows the gaps), oldest first. */
export function filledTimeline(byStart: ReadonlyMap<number, number>, next: (at: number) => number): { at: string; clicks: number }[] {
  if (!byStart.size) return [];
  const out: { at: string; clicks: number }[] = [];
  for (let at = Math.min(...byStart.keys()), last = Math.max(...byStart.keys()); at <= last; at = next(at))
    out.push({ at: iso(at), clicks: byStart.get(at) ?? 0 });
  return out;
}

/**
 * Human clicks per hour for the first HOURLY_FOR_HOURS after the send started (to the end of that day),
 * then per day (UTC), every hour or day from the first click to the last (zeros too, so a chart shows the
 * gaps). Each hour or day is counted by the database as a range of times; folded events keep their day
 * only and are counted at its first hour.
 */
export async function clickTimeline(report: ReportStore, issue: string, start: string | null): Promise<{ at: string; clicks: number }[]> {
  const span = await report.clickSpan(issue);
  const folded = await report.foldedClicksByDay(issue);
  const times = [...(span ? [Date.parse(span.first), Date.parse(span.last)] : []), ...folded.map((d) => dayMs(d.day))];
  if (!times.length) return [];
  const { bucketOf, next } = timelineSlots(start ? Date.parse(start) : Math.min(...times));
  const starts: number[] = [];
  for (let at = bucketOf(Math.min(...times)), last = bucketOf(Math.max(...times)); at <= last; at = next(at)) starts.push(at);
  const counts = span ? await report.clicksBetween(issue, [...starts, next(starts[starts.length - 1])].map(iso)) : starts.map(() => 0);
  const byStart = new Map(starts.map((at, i) => [at, counts[i]]));
  for (const d of folded) {
    const at = bucketOf(dayMs(d.day));
    byStart.set(at, (byStart.get(at) ?? 0) + d.n);
  }
  return filledTimeline(byStart, next);
}

/** The newsletter over time: its issues, the list per week, complaint rates. */
export interface NewsletterReport {
  issues: (IssueRow & { unsubscribed: number; complaintRate: number | null })[];
  /** Monday of each week (UTC) with the subscribers confirmed, the unsubscribes and the hard bounces of that week. */
  weeks: { week: string; confirmed: number; unsubscribed: number; bounced: number }[];
}

/** Gmail's bulk-sender rules: keep the complaint rate under 0.1 %, never reach 0.3 %. */
export const COMPLAINT_LINES = [0.001, 0.003] as const;

export async function newsletterReport(report: ReportStore): Promise<NewsletterReport> {
  const issues: NewsletterReport["issues"] = [];
  for (const row of await report.issues()) {
    const u = await report.unsubscribed(row.issue);
    issues.push({ ...row, unsubscribed: u.oneClick + u.page, complaintRate: row.sent ? row.complained / row.sent : null });
  }
  const days = await report.listDays();
  const weeks = new Map<string, { week: string; confirmed: number; unsubscribed: number; bounced: number }>();
  const add = (list: readonly DayCount[], key: "confirmed" | "unsubscribed" | "bounced") => {
    for (const d of list) {
      const week = mondayOf(d.day);
      const w = weeks.get(week) ?? { week, confirmed: 0, unsubscribed: 0, bounced: 0 };
      w[key] += d.n;
      weeks.set(week, w);
    }
  };
  add(days.confirmed, "confirmed");
  add(days.unsubscribed, "unsubscribed");
  add(days.bounced, "bounced");
  return { issues, weeks: [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week)) };
}

/** The Monday (UTC) of the ISO week a day is in. */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY_MS).toISOString().slice(0, 10);
}
