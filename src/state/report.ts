import { type Db, type Dialect, join, raw, type Sql, sql, tableExists } from "./sql.js";

/**
 * The figures of `rassylka report` (docs/report.md), each one aggregated by the database: nothing here
 * reads a list's rows into memory except `readerPage`, which pages the ledger for the per-domain click
 * count (a reader's key in click events is a hash only the newsletter can make, src/identity/click-token.ts).
 * Every query is written once for both databases; the two real differences (a day or hour of an ISO time,
 * the domain of an address) are the named fragments below.
 */

/** Opens are click events of this link number: the 1×1 image `/o/<token>.gif` (docs/report.md). */
export const OPEN_LINK = -1;

export type EventClass = "human" | "proxy" | "automated";

export interface SendCounts {
  /** Readers the issue's list named (every ledger row of the real send). */
  listed: number;
  sent: number;
  failed: number;
  /** When the first reader was sent and the last (ISO), null before any was. */
  firstSent: string | null;
  lastSent: string | null;
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

export interface DomainFigures {
  domain: string;
  sent: number;
  bounced: number;
}

export interface HourFigures {
  /** The hour's start, `2026-12-01T10`. */
  hour: string;
  clicks: number;
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
  /** Clicks on the issue's links (trial clicks never; the canary's count as automated). */
  clicks(issue: string): Promise<ClassFigures>;
  /** Opens by class; null when the issue has no open event. */
  opens(issue: string): Promise<ClassFigures | null>;
  /** Human clicks per address of the issue's links, in the links' order. */
  links(issue: string): Promise<LinkFigures[]>;
  /** Sent and bounced readers per receiving domain, most sent first. */
  domains(issue: string): Promise<DomainFigures[]>;
  /** Human clicks per hour (UTC). */
  clicksByHour(issue: string): Promise<HourFigures[]>;
  /** Distinct reader keys with a human click, in pages (for the per-domain count). */
  clickers(issue: string): AsyncIterable<string[]>;
  /** The issue's sent readers' keys in the ledger (canonical addresses), in pages by id. */
  readerPages(issue: string, pageSize?: number): AsyncIterable<string[]>;
  /** Every real send, oldest first, with its figures. */
  issues(): Promise<IssueRow[]>;
  /** Confirmed and unsubscribed subscribers per day, and readers with a hard bounce per day. */
  listDays(): Promise<{ confirmed: DayCount[]; unsubscribed: DayCount[]; bounced: DayCount[] }>;
}

/** The day of an ISO time column (`2026-12-01`). */
function dayOf(dialect: Dialect, column: Sql): Sql {
  return dialect.name === "postgres" ? sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : sql`substr(${column}, 1, 10)`;
}

/** The hour of an ISO time column (`2026-12-01T10`). */
function hourOf(dialect: Dialect, column: Sql): Sql {
  return dialect.name === "postgres" ? sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')` : sql`substr(${column}, 1, 13)`;
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
    const row = await this.db.get<SendCounts>(
      sql`SELECT count(*) AS listed, ${count(sql`state = 'sent'`)} AS sent, ${count(sql`state = 'failed'`)} AS failed,
          min(sent_at) AS "firstSent", max(sent_at) AS "lastSent" FROM send_ledger WHERE issue = ${issue}`,
    );
    return { listed: 0, sent: 0, failed: 0, firstSent: null, lastSent: null, ...row };
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

  private async classes(issue: string, links: Sql): Promise<ClassFigures | null> {
    const rows = await this.db.all<{ ua_class: EventClass; total: number; readers: number; anonymous: number }>(
      sql`SELECT ua_class, count(*) AS total, count(DISTINCT reader) AS readers, ${count(sql`reader IS NULL`)} AS anonymous
          FROM click_events WHERE issue = ${issue} AND trial = 0 AND ${links} GROUP BY ua_class`,
    );
    if (!rows.length) return null;
    const out = { ...EMPTY_CLASSES };
    for (const r of rows) {
      if (r.ua_class !== "human" && r.ua_class !== "proxy" && r.ua_class !== "automated") continue;
      out[r.ua_class] = r.total;
      out.total += r.total;
      if (r.ua_class === "human") out.unique = r.readers + r.anonymous;
    }
    return out;
  }

  async clicks(issue: string): Promise<ClassFigures> {
    return (await this.classes(issue, sql`link >= 0`)) ?? { ...EMPTY_CLASSES };
  }

  opens(issue: string): Promise<ClassFigures | null> {
    return this.classes(issue, sql`link = ${OPEN_LINK}`);
  }

  async links(issue: string): Promise<LinkFigures[]> {
    const rows = await this.db.all<LinkFigures & { first: number; anonymous: number }>(
      sql`SELECT l.url, min(l.link) AS first, count(DISTINCT e.reader) AS "unique", count(e.link) AS total,
            ${count(sql`e.link IS NOT NULL AND e.reader IS NULL`)} AS anonymous
          FROM issue_links l LEFT JOIN click_events e ON e.issue = l.issue AND e.link = l.link AND e.trial = 0 AND e.ua_class = 'human'
          WHERE l.issue = ${issue} GROUP BY l.url ORDER BY first`,
    );
    return rows.map((r) => ({ url: r.url, unique: r.unique + r.anonymous, total: r.total }));
  }

  async domains(issue: string): Promise<DomainFigures[]> {
    const domain = domainOf(this.db.dialect, sql`l.email`);
    const bounced = (await tableExists(this.db, "bounces"))
      ? sql`LEFT JOIN (SELECT DISTINCT email FROM bounces WHERE issue = ${issue} AND kind IN ('hard', 'soft')) b ON b.email = l.email`
      : sql`LEFT JOIN (SELECT NULL AS email) b ON 1 = 0`;
    return this.db.all<DomainFigures>(
      sql`SELECT ${domain} AS domain, ${count(sql`l.state = 'sent'`)} AS sent, count(b.email) AS bounced
          FROM send_ledger l ${bounced} WHERE l.issue = ${issue} GROUP BY ${domain} ORDER BY sent DESC, domain`,
    );
  }

  clicksByHour(issue: string): Promise<HourFigures[]> {
    const hour = hourOf(this.db.dialect, sql`at`);
    return this.db.all<HourFigures>(
      sql`SELECT ${hour} AS hour, count(*) AS clicks FROM click_events
          WHERE issue = ${issue} AND trial = 0 AND link >= 0 AND ua_class = 'human' GROUP BY ${hour} ORDER BY hour`,
    );
  }

  async *clickers(issue: string): AsyncIterable<string[]> {
    let after = "";
    for (;;) {
      const rows = await this.db.all<{ reader: string }>(
        sql`SELECT DISTINCT reader FROM click_events WHERE issue = ${issue} AND trial = 0 AND link >= 0 AND ua_class = 'human'
            AND reader IS NOT NULL AND reader > ${after} ORDER BY reader LIMIT 10000`,
      );
      if (!rows.length) return;
      yield rows.map((r) => r.reader);
      after = rows[rows.length - 1].reader;
    }
  }

  async *readerPages(issue: string, pageSize = 20_000): AsyncIterable<string[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.all<{ id: number; email: string }>(
        sql`SELECT id, email FROM send_ledger WHERE issue = ${issue} AND state = 'sent' AND id > ${after} ORDER BY id LIMIT ${pageSize}`,
      );
      if (!rows.length) return;
      yield rows.map((r) => r.email);
      after = rows[rows.length - 1].id;
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
        sql`SELECT issue, count(DISTINCT reader) + ${count(sql`reader IS NULL`)} AS clickers, count(*) AS clicks FROM click_events
            WHERE issue IN (${names}) AND trial = 0 AND link >= 0 AND ua_class = 'human' GROUP BY issue`,
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
      const day = dayOf(this.db.dialect, raw(column));
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
