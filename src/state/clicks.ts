import { randomUUID } from "node:crypto";
import { bulk, type Db, join, raw, sql } from "./sql.js";

/** What clicked: a person, an image proxy fetching on delivery, or a scanner (docs/report.md). */
export type ClickClass = "human" | "proxy" | "automated";

/** A click on a tracked link, or (`kind: "open"`) a fetch of the open pixel. */
export type EventKind = "click" | "open";

export interface ClickEvent {
  /** "click" unless said. */
  kind?: EventKind;
  issue: string;
  /** The link's number in the issue's list (0: the invisible canary); 0 for an open. */
  link: number;
  /** The reader's key (identity/click-token.ts readerKey), or null when the issue counts anonymously. */
  reader: string | null;
  uaClass: ClickClass;
  /** The classification rule that decided `uaClass` (src/tracking/rules.json), e.g. `ua:isbot`. */
  rule?: string;
  /** A trial send's event: kept apart, counted in no figure. */
  trial?: boolean;
  /** ISO time; now when left out. */
  at?: string;
  /** Made when left out. */
  eventId?: string;
}

export interface ClickRecord {
  event_id: string;
  issue: string;
  link: number;
  reader: string | null;
  ua_class: string;
  rule: string;
  trial: number;
  at: string;
}

export interface OpenRecord {
  event_id: string;
  issue: string;
  reader: string | null;
  ua_class: string;
  rule: string;
  trial: number;
  at: string;
}

export interface IssueLinkRecord {
  issue: string;
  trial: number;
  link: number;
  url: string;
}

/** What a send of an issue measures, kept as it starts (`serve` follows it). */
export interface TrackedIssueRecord {
  issue: string;
  clicks: number;
  opens: number;
  anonymous: number;
  keep_days: number | null;
  started_at: string;
}

/** Events older than keepDays, folded: `events` of one issue, kind, link (-1: the whole issue), class and day. */
export interface EventTotalRecord {
  issue: string;
  kind: string;
  link: number;
  ua_class: string;
  day: string;
  events: number;
  /** Distinct readers among this row's folded events (anonymous events count none). */
  readers: number;
}

export interface IssueTrackingSettings {
  clicks: boolean;
  opens: boolean;
  anonymous: boolean;
  keepDays?: number;
}

export interface ClickStore {
  /**
   * As a send starts: what it measures, and its tracked links (link n at index n - 1). A real send's
   * links replace the issue's (an edited issue sent again leads to its new links); a trial's are kept
   * apart from them, and a trial never changes the real send's settings.
   */
  startIssue(issue: string, settings: IssueTrackingSettings, links: readonly string[], options?: { trial?: boolean }): Promise<void>;
  /** The issue's links only (no settings), as `startIssue` keeps them. */
  saveLinks(issue: string, links: readonly string[], options?: { trial?: boolean }): Promise<void>;
  /** What the issue's send measures, or undefined when no send of it tracked anything. */
  issue(issue: string): Promise<TrackedIssueRecord | undefined>;
  trackedIssues(): Promise<TrackedIssueRecord[]>;
  /** The address of link `n` of the issue (of its trial when asked), or undefined when it has no such link. */
  link(issue: string, n: number, options?: { trial?: boolean }): Promise<string | undefined>;
  /** The real send's links. */
  links(issue: string): Promise<IssueLinkRecord[]>;
  /** Records one event, committed before it returns. */
  record(event: ClickEvent): Promise<void>;
  /** Records events in one transaction, committed before it returns; their ids, in order. */
  recordMany(events: readonly ClickEvent[]): Promise<string[]>;
  /** A new class for events already recorded (a burst found after its first clicks). */
  reclassify(kind: EventKind, eventIds: readonly string[], uaClass: ClickClass, rule: string): Promise<void>;
  /** The issue's clicks, oldest first (trial clicks left out unless asked). */
  events(issue: string, options?: { trial?: boolean }): Promise<ClickRecord[]>;
  /** The issue's opens, oldest first (trial opens left out unless asked). */
  opens(issue: string, options?: { trial?: boolean }): Promise<OpenRecord[]>;
  /**
   * Folds the issue's events before `before` (ISO time) into `event_totals` and deletes them, in one
   * transaction; trial events are deleted without folding. How many events went.
   */
  fold(issue: string, before: string): Promise<number>;
  /** The issue's folded totals. */
  totals(issue: string): Promise<EventTotalRecord[]>;
}

const EVENT_TABLE = { click: "click_events", open: "open_events" } as const;

interface FoldRow {
  link: number;
  ua_class: string;
  day: string;
  events: number;
  readers: number;
}

export class SqlClicks implements ClickStore {
  constructor(private readonly db: Db) {}

  async startIssue(issue: string, s: IssueTrackingSettings, links: readonly string[], options: { trial?: boolean } = {}): Promise<void> {
    const row = [issue, s.clicks ? 1 : 0, s.opens ? 1 : 0, s.anonymous ? 1 : 0, s.keepDays ?? null, new Date().toISOString()];
    const insert = sql`INSERT INTO tracked_issues (issue, clicks, opens, anonymous, keep_days, started_at) VALUES ${bulk([row])}`;
    await this.db.tx(async (t) => {
      await t.run(
        options.trial
          ? sql`${insert} ON CONFLICT (issue) DO NOTHING`
          : sql`${insert} ON CONFLICT (issue) DO UPDATE SET clicks = excluded.clicks, opens = excluded.opens,
                  anonymous = excluded.anonymous, keep_days = excluded.keep_days`,
      );
      await this.saveLinksIn(t, issue, links, options.trial ?? false);
    });
  }

  async saveLinks(issue: string, links: readonly string[], options: { trial?: boolean } = {}): Promise<void> {
    await this.db.tx((t) => this.saveLinksIn(t, issue, links, options.trial ?? false));
  }

  private async saveLinksIn(t: Db, issue: string, links: readonly string[], trial: boolean): Promise<void> {
    for (let i = 0; i < links.length; i += 500) {
      const rows = links.slice(i, i + 500).map((url, k) => [issue, trial ? 1 : 0, i + k + 1, url]);
      await t.run(
        sql`INSERT INTO issue_links (issue, trial, link, url) VALUES ${bulk(rows)}
            ON CONFLICT (issue, trial, link) DO UPDATE SET url = excluded.url`,
      );
    }
  }

  issue(issue: string): Promise<TrackedIssueRecord | undefined> {
    return this.db.get<TrackedIssueRecord>(
      sql`SELECT issue, clicks, opens, anonymous, keep_days, started_at FROM tracked_issues WHERE issue = ${issue}`,
    );
  }

  trackedIssues(): Promise<TrackedIssueRecord[]> {
    return this.db.all<TrackedIssueRecord>(
      sql`SELECT issue, clicks, opens, anonymous, keep_days, started_at FROM tracked_issues ORDER BY issue`,
    );
  }

  async link(issue: string, n: number, options: { trial?: boolean } = {}): Promise<string | undefined> {
    const trial = options.trial ? 1 : 0;
    const row = await this.db.get<{ url: string }>(
      sql`SELECT url FROM issue_links WHERE issue = ${issue} AND trial = ${trial} AND link = ${n}`,
    );
    return row?.url;
  }

  links(issue: string): Promise<IssueLinkRecord[]> {
    return this.db.all<IssueLinkRecord>(
      sql`SELECT issue, trial, link, url FROM issue_links WHERE issue = ${issue} AND trial = 0 ORDER BY link`,
    );
  }

  async record(e: ClickEvent): Promise<void> {
    await this.recordMany([e]);
  }

  async recordMany(events: readonly ClickEvent[]): Promise<string[]> {
    const ids = events.map((e) => e.eventId ?? randomUUID());
    if (!events.length) return ids;
    const now = new Date().toISOString();
    const row = (e: ClickEvent, i: number) => [ids[i], e.issue, e.reader, e.uaClass, e.rule ?? "", e.trial ? 1 : 0, e.at ?? now];
    const clicks = events.flatMap((e, i) => ((e.kind ?? "click") === "click" ? [[...row(e, i), e.link]] : []));
    const opens = events.flatMap((e, i) => (e.kind === "open" ? [row(e, i)] : []));
    await this.db.tx(async (t) => {
      for (let i = 0; i < clicks.length; i += 500)
        await t.run(
          sql`INSERT INTO click_events (event_id, issue, reader, ua_class, rule, trial, at, link) VALUES ${bulk(clicks.slice(i, i + 500))}`,
        );
      for (let i = 0; i < opens.length; i += 500)
        await t.run(
          sql`INSERT INTO open_events (event_id, issue, reader, ua_class, rule, trial, at) VALUES ${bulk(opens.slice(i, i + 500))}`,
        );
    });
    return ids;
  }

  async reclassify(kind: EventKind, eventIds: readonly string[], uaClass: ClickClass, rule: string): Promise<void> {
    if (!eventIds.length) return;
    await this.db.run(
      sql`UPDATE ${raw(EVENT_TABLE[kind])} SET ua_class = ${uaClass}, rule = ${rule} WHERE event_id IN (${join(eventIds)})`,
    );
  }

  events(issue: string, options: { trial?: boolean } = {}): Promise<ClickRecord[]> {
    return this.db.all<ClickRecord>(
      sql`SELECT event_id, issue, link, reader, ua_class, rule, trial, at FROM click_events
          WHERE issue = ${issue} AND trial = ${options.trial ? 1 : 0} ORDER BY at, event_id`,
    );
  }

  opens(issue: string, options: { trial?: boolean } = {}): Promise<OpenRecord[]> {
    return this.db.all<OpenRecord>(
      sql`SELECT event_id, issue, reader, ua_class, rule, trial, at FROM open_events
          WHERE issue = ${issue} AND trial = ${options.trial ? 1 : 0} ORDER BY at, event_id`,
    );
  }

  async fold(issue: string, before: string): Promise<number> {
    return this.db.tx(async (t) => {
      let gone = 0;
      const day = t.dialect.day(sql`at`);
      for (const kind of ["click", "open"] as const) {
        const table = raw(EVENT_TABLE[kind]);
        const old = sql`FROM ${table} WHERE issue = ${issue} AND trial = 0 AND at < ${before}`;
        const count = sql`count(*) AS events, count(DISTINCT reader) AS readers`;
        // per link, and for the whole issue (link -1: its distinct readers are the issue's, not a sum of the links')
        const rows = await t.all<FoldRow>(
          kind === "click"
            ? sql`SELECT link, ua_class, ${day} AS day, ${count} ${old} GROUP BY link, ua_class, ${day}
                  UNION ALL SELECT -1, ua_class, ${day}, ${count} ${old} GROUP BY ua_class, ${day}`
            : sql`SELECT 0 AS link, ua_class, ${day} AS day, ${count} ${old} GROUP BY ua_class, ${day}`,
        );
        for (const r of rows)
          await t.run(
            sql`INSERT INTO event_totals (issue, kind, link, ua_class, day, events, readers)
                VALUES (${issue}, ${kind}, ${Number(r.link)}, ${r.ua_class}, ${r.day}, ${Number(r.events)}, ${Number(r.readers)})
                ON CONFLICT (issue, kind, link, ua_class, day) DO UPDATE
                SET events = event_totals.events + excluded.events, readers = event_totals.readers + excluded.readers`,
          );
        gone += await t.run(sql`DELETE FROM ${table} WHERE issue = ${issue} AND at < ${before}`);
      }
      return gone;
    });
  }

  totals(issue: string): Promise<EventTotalRecord[]> {
    return this.db.all<EventTotalRecord>(
      sql`SELECT issue, kind, link, ua_class, day, events, readers FROM event_totals WHERE issue = ${issue} ORDER BY kind, link, ua_class, day`,
    );
  }
}
