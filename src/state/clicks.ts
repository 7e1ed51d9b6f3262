import { randomUUID } from "node:crypto";
import { bulk, type Db, sql } from "./sql.js";

/** What clicked: a person, an image proxy fetching on delivery, or a scanner (docs/report.md). */
export type ClickClass = "human" | "proxy" | "automated";

export interface ClickEvent {
  issue: string;
  /** The link's number in the issue's list (0: the invisible canary). */
  link: number;
  /** The reader's key (identity/click-token.ts readerKey), or null when the newsletter counts anonymously. */
  reader: string | null;
  uaClass: ClickClass;
  /** A trial send's click: kept apart, counted in no figure. */
  trial?: boolean;
  /** ISO time; now when left out. */
  at?: string;
}

export interface ClickRecord {
  event_id: string;
  issue: string;
  link: number;
  reader: string | null;
  ua_class: string;
  trial: number;
  at: string;
}

export interface IssueLinkRecord {
  issue: string;
  link: number;
  url: string;
}

export interface ClickStore {
  /** The issue's tracked links as the send starts (link n at index n - 1); links kept already stay. */
  saveLinks(issue: string, links: readonly string[]): Promise<void>;
  /** The address of link `n` of the issue, or undefined when the issue has no such link. */
  link(issue: string, n: number): Promise<string | undefined>;
  links(issue: string): Promise<IssueLinkRecord[]>;
  /** Records one click, committed before it returns. */
  record(event: ClickEvent): Promise<void>;
  /** The issue's clicks, oldest first (trial clicks left out unless asked). */
  events(issue: string, options?: { trial?: boolean }): Promise<ClickRecord[]>;
}

export class SqlClicks implements ClickStore {
  constructor(private readonly db: Db) {}

  async saveLinks(issue: string, links: readonly string[]): Promise<void> {
    if (!links.length) return;
    await this.db.tx(async (t) => {
      for (let i = 0; i < links.length; i += 500) {
        const rows = links.slice(i, i + 500).map((url, k) => [issue, i + k + 1, url]);
        await t.run(sql`INSERT INTO issue_links (issue, link, url) VALUES ${bulk(rows)} ON CONFLICT (issue, link) DO NOTHING`);
      }
    });
  }

  async link(issue: string, n: number): Promise<string | undefined> {
    return (await this.db.get<{ url: string }>(sql`SELECT url FROM issue_links WHERE issue = ${issue} AND link = ${n}`))?.url;
  }

  links(issue: string): Promise<IssueLinkRecord[]> {
    return this.db.all<IssueLinkRecord>(sql`SELECT issue, link, url FROM issue_links WHERE issue = ${issue} ORDER BY link`);
  }

  async record(e: ClickEvent): Promise<void> {
    await this.db.run(
      sql`INSERT INTO click_events (event_id, issue, link, reader, ua_class, trial, at)
          VALUES (${randomUUID()}, ${e.issue}, ${e.link}, ${e.reader}, ${e.uaClass}, ${e.trial ? 1 : 0}, ${e.at ?? new Date().toISOString()})`,
    );
  }

  events(issue: string, options: { trial?: boolean } = {}): Promise<ClickRecord[]> {
    return this.db.all<ClickRecord>(
      sql`SELECT event_id, issue, link, reader, ua_class, trial, at FROM click_events
          WHERE issue = ${issue} AND trial = ${options.trial ? 1 : 0} ORDER BY at, event_id`,
    );
  }
}
