import { type Db, type Dialect, join, raw, type Sql, sql, tableExists } from "./sql.js";

/**
 * The figures of `rassylka report` (docs/report.md), each one aggregated by the database: nothing here
 * reads a list's rows into memory except `readerPages`, which pages the ledger for the per-domain count of
 * readers, and `unkeyedPages`, the readers whose ledger row has no key (a reader's key in click events is a
 * hash only the newsletter can make, src/identity/click-token.ts; the send keeps it in the ledger since migration 13).
 * Every query is written once for both databases; the two real differences (the domain of an address) are the named fragments below.
 */

export type EventClass = "human" | "proxy" | "automated";

export interface SendCounts {
  /** Readers the issue's list named (every ledger row of the real send). */
  listed: number;
  sent: number;
  failed: number;
}

export interface BounceFigures {
  /** Readers with a hard or soft bounce. */
  bounced: number;
  hard: number;
  soft: number;
  complained: number;
}

export interface ClassFigures {
  /** Distinct readers with a human event (anonymous events count one reader each: an upper bound). */
  unique: number;
  total: number;
  human: number;
  proxy: number;
  automated: number;
}

export interface LinkFigures {
  url: string;
  /** Distinct readers with a human click on it. */
  unique: number;
  /** Human clicks on it. */
  total: number;
}

export interface DomainExceptions {
  domain: string;
  /** Readers there the send did not reach (failed, or never sent). */
  notSent: number;
  bounced: number;
}

export interface IssueRow {
  issue: string;
  subject: string;
  startedAt: string;
  sent: number;
  /** Readers with a human click, and human clicks. */
  clickers: number;
  clicks: number;
  complained: number;
}

export interface DayCount {
  /** `2026-12-01`. */
  day: string;
  n: number;
}

export interface ReportStore {
  /** The real send's readers (test copies and dry runs are never counted). */
  sendCounts(issue: string): Promise<SendCounts>;
  /** When the issue's send started, null when it never was. */
  started(issue: string): Promise<{ startedAt: string; subject: string } | undefined>;
  bounces(issue: string): Promise<BounceFigures>;
  /**
   * Readers of the issue who unsubscribed after it reached them and before the next issue was sent (an
   * unsubscribe names no issue: it is the latest one the reader got), by how: `one-click` (the mail
   * client's button, RFC 8058) or `page` (the button on the unsubscribe page).
   */
  unsubscribed(issue: string): Promise<{ oneClick: number; page: number }>;
  /** Whether the issue's send tracks opens (src/state/clicks.ts `tracked_issues`); undefined: no tracked send. */
  tracksOpens(issue: string): Promise<boolean | undefined>;
  /** Clicks on the issue's links (trial clicks never; the canary's count as automated), folded ones too. */
  clicks(issue: string): Promise<ClassFigures>;
  /** Opens (fetches of the 1×1 image) by class; null when the issue has no open event. */
  opens(issue: string): Promise<ClassFigures | null>;
  /** Human clicks per address of the issue's links, in the links' order. */
  links(issue: string): Promise<LinkFigures[]>;
  /**
   * Per receiving domain, the readers who were not sent (failed, pending) and those who bounced: the few
   * exceptions to the readers listed, which the caller counts as it pages through them (`readerPages`).
   */
  domainExceptions(issue: string): Promise<DomainExceptions[]>;
  /** The first and the last human click (ISO times, live events), or undefined when there is none. */
  clickSpan(issue: string): Promise<{ first: string; last: string } | undefined>;
  /**
   * Human clicks in each range [bounds[i], bounds[i + 1]) of ISO times: each an index range
   * (`click_events_time`), so a million clicks are counted without being sorted.
   */
  clicksBetween(issue: string, bounds: readonly string[]): Promise<number[]>;
  /** Human clicks folded after keepDays, per day (`2026-12-01`): folded events keep their day only. */
  foldedClicksByDay(issue: string): Promise<DayCount[]>;
  /** Distinct reader keys with a human click, in pages (for the per-domain count of readers without a key). */
  clickers(issue: string): AsyncIterable<string[]>;
  /** The issue's readers in the ledger (canonical addresses), in pages by address. */
  readerPages(issue: string, pageSize?: number): AsyncIterable<string[]>;
  /**
   * Per receiving domain, the issue's readers whose ledger key (migration 13) is among the keys with a
   * human click: a join inside the database. Readers without a key are not counted here (`unkeyedPages`).
   */
  domainClickers(issue: string): Promise<{ domain: string; n: number }[]>;
  /** The issue's readers whose ledger row has no key (written before migration 13), in pages by address. */
  unkeyedPages(issue: string, pageSize?: number): AsyncIterable<string[]>;
  /** Every real send, oldest first, with its figures. */
  issues(): Promise<IssueRow[]>;
  /** Confirmed and unsubscribed subscribers per day, and readers with a hard bounce per day. */
  listDays(): Promise<{ confirmed: DayCount[]; unsubscribed: DayCount[]; bounced: DayCount[] }>;
}

/** The domain of a canonical address (one `@`, src/identity/address.ts). */
function domainOf(dialect: Dialect, column: Sql): Sql {
  return dialect.name === "postgres" ? sql`split_part(${column}, '@', 2)` : sql`substr(${column}, instr(${column}, '@') + 1)`;
}

const count = (where: Sql) => sql`count(CASE WHEN ${where} THEN 1 END)`;
/** Real sends only: test copies and dry runs are `test:issue:worker`, `dry-run:…`. */
const REAL = sql`issue NOT LIKE '%:%'`;
const EMPTY_CLASSES: ClassFigures = { unique: 0, total: 0, human: 0, proxy: 0, automated: 0 };

export class SqlReport implements ReportStore {
  constructor(private readonly db: Db) {}

  async sendCounts(issue: string): Promise<SendCounts> {
    // by state only: the claim index (issue, run_id, state) answers it without reading a row
    const rows = await this.db.all<{ state: string; n: number }>(
      sql`SELECT state, count(*) AS n FROM send_ledger WHERE issue = ${issue} GROUP BY state`,
    );
    const by = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { listed: rows.reduce((sum, r) => sum + Number(r.n), 0), sent: by("sent"), failed: by("failed") };
  }

  started(issue: string): Promise<{ startedAt: string; subject: string } | undefined> {
    return this.db.get(sql`SELECT started_at AS "startedAt", subject FROM send_runs WHERE issue = ${issue}`);
  }

  async bounces(issue: string): Promise<BounceFigures> {
    if (!(await tableExists(this.db, "bounces"))) return { bounced: 0, hard: 0, soft: 0, complained: 0 };
    const distinct = (where: Sql) => sql`count(DISTINCT CASE WHEN ${where} THEN email END)`;
    return (await this.db.get<BounceFigures>(
      sql`SELECT ${distinct(sql`kind IN ('hard', 'soft')`)} AS bounced, ${distinct(sql`kind = 'hard'`)} AS hard,
          ${distinct(sql`kind = 'soft'`)} AS soft, ${distinct(sql`kind = 'complaint'`)} AS complained FROM bounces WHERE issue = ${issue}`,
    ))!;
  }

  async unsubscribed(issue: string): Promise<{ oneClick: number; page: number }> {
    // the next issue's start is compared inside the database: PostgreSQL keeps microseconds, the ISO text read back only ms
    const row = await this.db.get<{ oneClick: number; page: number }>(
      sql`SELECT ${count(sql`s.source = 'page'`)} AS page, ${count(sql`s.source IS NULL OR s.source <> 'page'`)} AS "oneClick"
          FROM suppressed s JOIN send_ledger l ON l.issue = ${issue} AND l.email = s.email
          WHERE s.reason = 'unsubscribed' AND l.state = 'sent' AND s.created_at >= l.sent_at
            AND NOT EXISTS (SELECT 1 FROM send_runs n WHERE n.issue NOT LIKE '%:%' AND n.issue <> ${issue} AND n.started_at <= s.created_at
              AND n.started_at > (SELECT r.started_at FROM send_runs r WHERE r.issue = ${issue}))`,
    );
    return { oneClick: row?.oneClick ?? 0, page: row?.page ?? 0 };
  }

  /** Whether the issue's send tracks opens, as kept when it started (undefined: no tracked send). */
  async tracksOpens(issue: string): Promise<boolean | undefined> {
    if (!(await tableExists(this.db, "tracked_issues"))) return undefined;
    const row = await this.db.get<{ opens: number }>(sql`SELECT opens FROM tracked_issues WHERE issue = ${issue}`);
    return row ? row.opens === 1 : undefined;
  }

  /**
   * Events by class: the live ones (`trial` never) and those folded into `event_totals` after keepDays
   * (their readers are distinct per folded row only, so a reader seen in both counts twice: an upper bound).
   */
  private async classes(issue: string, kind: "click" | "open"): Promise<ClassFigures | null> {
    const table = raw(kind === "click" ? "click_events" : "open_events");
    // totals per class in one ordered pass; the distinct readers of the human class alone (the only ones
    // the figures use) as DISTINCT over click_events_report (issue, trial, ua_class, reader): read in order,
    // no temporary b-tree. count(DISTINCT reader) per class took 1.8× as long on a million clicks.
    const rows = await this.db.all<{ ua_class: string; total: number; readers: number; anonymous: number }>(
      sql`SELECT ua_class, count(*) AS total, 0 AS readers, ${count(sql`reader IS NULL`)} AS anonymous
          FROM ${table} WHERE issue = ${issue} AND trial = 0 GROUP BY ua_class
          UNION ALL
          SELECT ua_class, sum(events) AS total, sum(readers) AS readers, 0 AS anonymous
          FROM event_totals WHERE issue = ${issue} AND kind = ${kind} AND link = ${kind === "click" ? -1 : 0} GROUP BY ua_class`,
    );
    if (!rows.length) return null;
    const live = await this.db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM (SELECT DISTINCT reader FROM ${table}
          WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human' AND reader IS NOT NULL) r`,
    );
    const out = { ...EMPTY_CLASSES, unique: Number(live?.n ?? 0) };
    for (const r of rows) {
      if (r.ua_class !== "human" && r.ua_class !== "proxy" && r.ua_class !== "automated") continue;
      out[r.ua_class] += Number(r.total);
      out.total += Number(r.total);
      if (r.ua_class === "human") out.unique += Number(r.readers) + Number(r.anonymous);
    }
    return out;
  }

  async clicks(issue: string): Promise<ClassFigures> {
    return (await this.classes(issue, "click")) ?? { ...EMPTY_CLASSES };
  }

  opens(issue: string): Promise<ClassFigures | null> {
    return this.classes(issue, "open");
  }

  async links(issue: string): Promise<LinkFigures[]> {
    const rows = await this.db.all<{ url: string; first: number; unique: number | null; total: number | null }>(
      sql`SELECT l.url, min(l.link) AS first, sum(c.readers) AS "unique", sum(c.total) AS total
          FROM issue_links l LEFT JOIN (
            SELECT link, count(DISTINCT reader) + ${count(sql`reader IS NULL`)} AS readers, count(*) AS total FROM click_events
            WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human' GROUP BY link
            UNION ALL
            SELECT link, sum(readers), sum(events) FROM event_totals
            WHERE issue = ${issue} AND kind = 'click' AND link > 0 AND ua_class = 'human' GROUP BY link
          ) c ON c.link = l.link
          WHERE l.issue = ${issue} AND l.trial = 0 GROUP BY l.url ORDER BY first`,
    );
    return rows.map((r) => ({ url: r.url, unique: Number(r.unique ?? 0), total: Number(r.total ?? 0) }));
  }

  async domainExceptions(issue: string): Promise<DomainExceptions[]> {
    const byDomain = new Map<string, DomainExceptions>();
    const row = (domain: string) => byDomain.get(domain) ?? byDomain.set(domain, { domain, notSent: 0, bounced: 0 }).get(domain)!;
    const domain = domainOf(this.db.dialect, sql`email`);
    // the claim index (issue, run_id, state) finds the few readers not sent
    for (const r of await this.db.all<{ domain: string; n: number }>(
      sql`SELECT ${domain} AS domain, count(*) AS n FROM send_ledger WHERE issue = ${issue} AND state <> 'sent' GROUP BY ${domain}`,
    ))
      row(r.domain).notSent = Number(r.n);
    if (await tableExists(this.db, "bounces"))
      for (const r of await this.db.all<{ domain: string; n: number }>(
        sql`SELECT ${domain} AS domain, count(DISTINCT email) AS n FROM bounces
            WHERE issue = ${issue} AND kind IN ('hard', 'soft') GROUP BY ${domain}`,
      ))
        row(r.domain).bounced = Number(r.n);
    return [...byDomain.values()];
  }

  async clickSpan(issue: string): Promise<{ first: string; last: string } | undefined> {
    // two ends of click_events_time: min() and max() in one statement would scan it
    const human = sql`FROM click_events WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human'`;
    const first = await this.db.get<{ at: string }>(sql`SELECT at ${human} ORDER BY at LIMIT 1`);
    const last = await this.db.get<{ at: string }>(sql`SELECT at ${human} ORDER BY at DESC LIMIT 1`);
    return first && last ? { first: first.at, last: last.at } : undefined;
  }

  async clicksBetween(issue: string, bounds: readonly string[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const row = await this.db.get<{ n: number }>(
        sql`SELECT count(*) AS n FROM click_events WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human'
            AND at >= ${bounds[i]} AND at < ${bounds[i + 1]}`,
      );
      out.push(Number(row?.n ?? 0));
    }
    return out;
  }

  async foldedClicksByDay(issue: string): Promise<DayCount[]> {
    const rows = await this.db.all<DayCount>(
      sql`SELECT day, sum(events) AS n FROM event_totals
          WHERE issue = ${issue} AND kind = 'click' AND link = -1 AND ua_class = 'human' GROUP BY day ORDER BY day`,
    );
    return rows.map((r) => ({ day: r.day, n: Number(r.n) }));
  }

  async *clickers(issue: string): AsyncIterable<string[]> {
    let after = "";
    for (;;) {
      const rows = await this.db.all<{ reader: string }>(
        sql`SELECT DISTINCT reader FROM click_events WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human'
            AND reader > ${after} ORDER BY reader LIMIT 20000`,
      );
      if (!rows.length) return;
      yield rows.map((r) => r.reader);
      after = rows[rows.length - 1].reader;
    }
  }

  readerPages(issue: string, pageSize = 20_000): AsyncIterable<string[]> {
    // keyset pages over the (issue, email) index: no row is read
    return this.addressPages(sql`issue = ${issue}`, pageSize);
  }

  async domainClickers(issue: string): Promise<{ domain: string; n: number }[]> {
    // each distinct clicker's key looked up in send_ledger_reader_key (issue, reader_key, email): the domain without reading a row
    const domain = domainOf(this.db.dialect, sql`l.email`);
    const rows = await this.db.all<{ domain: string; n: number }>(
      sql`SELECT ${domain} AS domain, count(*) AS n
          FROM (SELECT DISTINCT reader FROM click_events WHERE issue = ${issue} AND trial = 0 AND ua_class = 'human' AND reader IS NOT NULL) c
          JOIN send_ledger l ON l.issue = ${issue} AND l.reader_key = c.reader
          GROUP BY ${domain}`,
    );
    return rows.map((r) => ({ domain: r.domain, n: Number(r.n) }));
  }

  unkeyedPages(issue: string, pageSize = 20_000): AsyncIterable<string[]> {
    // the NULL end of send_ledger_reader_key, in address order
    return this.addressPages(sql`issue = ${issue} AND reader_key IS NULL`, pageSize);
  }

  private async *addressPages(where: Sql, pageSize: number): AsyncIterable<string[]> {
    let after = "";
    for (;;) {
      const rows = await this.db.all<{ email: string }>(
        sql`SELECT email FROM send_ledger WHERE ${where} AND email > ${after} ORDER BY email LIMIT ${pageSize}`,
      );
      if (!rows.length) return;
      yield rows.map((r) => r.email);
      after = rows[rows.length - 1].email;
    }
  }

  async issues(): Promise<IssueRow[]> {
    const runs = await this.db.all<{ issue: string; subject: string; startedAt: string }>(
      sql`SELECT issue, subject, started_at AS "startedAt" FROM send_runs WHERE ${REAL} ORDER BY started_at, issue`,
    );
    if (!runs.length) return [];
    const names = join(runs.map((r) => r.issue));
    const byIssue = <T extends { issue: string }>(rows: T[]) => new Map(rows.map((r) => [r.issue, r]));
    const sent = byIssue(
      await this.db.all<{ issue: string; n: number }>(
        sql`SELECT issue, count(*) AS n FROM send_ledger WHERE issue IN (${names}) AND state = 'sent' GROUP BY issue`,
      ),
    );
    const clicks = byIssue(
      await this.db.all<{ issue: string; clickers: number; clicks: number }>(
        sql`SELECT issue, sum(readers) AS clickers, sum(clicks) AS clicks FROM (
              SELECT issue, count(DISTINCT reader) + ${count(sql`reader IS NULL`)} AS readers, count(*) AS clicks FROM click_events
              WHERE issue IN (${names}) AND trial = 0 AND ua_class = 'human' GROUP BY issue
              UNION ALL
              SELECT issue, sum(readers), sum(events) FROM event_totals
              WHERE issue IN (${names}) AND kind = 'click' AND link = -1 AND ua_class = 'human' GROUP BY issue
            ) c GROUP BY issue`,
      ),
    );
    const complaints = (await tableExists(this.db, "bounces"))
      ? byIssue(
          await this.db.all<{ issue: string; n: number }>(
            sql`SELECT issue, count(DISTINCT email) AS n FROM bounces WHERE issue IN (${names}) AND kind = 'complaint' GROUP BY issue`,
          ),
        )
      : new Map<string, { n: number }>();
    return runs.map((r) => ({
      ...r,
      sent: sent.get(r.issue)?.n ?? 0,
      clickers: clicks.get(r.issue)?.clickers ?? 0,
      clicks: clicks.get(r.issue)?.clicks ?? 0,
      complained: complaints.get(r.issue)?.n ?? 0,
    }));
  }

  async listDays(): Promise<{ confirmed: DayCount[]; unsubscribed: DayCount[]; bounced: DayCount[] }> {
    const perDay = async (table: string, column: string, where: Sql) => {
      if (!(await tableExists(this.db, table))) return [];
      const day = this.db.dialect.day(raw(column));
      return this.db.all<DayCount>(
        sql`SELECT ${day} AS day, count(DISTINCT email) AS n FROM ${raw(table)} WHERE ${where} GROUP BY ${day} ORDER BY day`,
      );
    };
    return {
      confirmed: await perDay("subscribers", "confirmed_at", sql`confirmed_at IS NOT NULL`),
      // the suppression list holds every unsubscribe, of subscribers and of readers of a CSV list alike
      unsubscribed: await perDay("suppressed", "created_at", sql`reason = 'unsubscribed'`),
      bounced: await perDay("bounces", "bounced_at", sql`kind = 'hard'`),
    };
  }
}
