import { addressKey } from "../identity/address.js";
import { type Db, join, sql, tableExists } from "./sql.js";

/**
 * Bounces and complaints that came back after a send: the store's part for them. One row per
 * (issue, reader, kind) — the mark on that issue's ledger row that `status` counts — and one per bounce
 * message read, so importing the same message again changes nothing. The tables come with migration 3
 * (src/state/migrations/003-bounces.ts). The ledger is read here only to name readers.
 */
export type BounceKind = "hard" | "soft" | "complaint";

/** A row of `bounces`, as both backends read and write it (times as ISO text). */
export interface BounceRecord {
  issue: string;
  email: string;
  kind: BounceKind;
  /** The DSN's status (5.1.1) or the complaint's feedback type (abuse). */
  status: string | null;
  diagnostic: string | null;
  /** The first bounce message that said so (its Message-ID, or a hash of it). */
  message_key: string;
  /** How many bounce messages said so. */
  messages: number;
  /** When the bounce happened (the report's date). */
  bounced_at: string;
  created_at: string;
  updated_at: string;
}

/** A row of `bounce_messages`: a message read, and what it was (hard, soft, complaint, not-bounce, unattributed). */
export interface BounceMessageRecord {
  message_key: string;
  result: string;
  created_at: string;
}

export interface BounceEvent {
  issue: string;
  email: string;
  kind: BounceKind;
  status?: string;
  diagnostic?: string;
  /** ISO time of the bounce. */
  at: string;
}

export interface BounceCounts {
  /** Readers of the issue with a hard bounce. */
  bounced: number;
  /** Readers with a soft bounce. */
  softBounced: number;
  /** Readers who complained. */
  complained: number;
}

export interface LedgerReader {
  email: string;
  messageId: string;
}

/** A row of `unverified_bounces` (migration 6): a bounce that named a reader without proving it saw our message. */
export interface UnverifiedBounceRecord {
  message_key: string;
  issue: string;
  email: string;
  kind: BounceKind;
  status: string | null;
  diagnostic: string | null;
  bounced_at: string;
  created_at: string;
}

export interface BounceStore {
  /**
   * Records a bounce message and what it says, in one transaction: `events` act (the `bounces` rows),
   * `unverified` are only kept (`unverified_bounces`). False (and nothing written) when a message with
   * this key was recorded before — unless `reapply` (`--trust-unverified`) and it was recorded with
   * unverified bounces: then its result is replaced and its events applied, once.
   */
  record(
    messageKey: string,
    result: string,
    events: readonly BounceEvent[],
    unverified?: readonly BounceEvent[],
    reapply?: boolean,
  ): Promise<boolean>;
  /** True when a message with this key was recorded. */
  seen(messageKey: string): Promise<boolean>;
  /** What a message with this key was recorded as (`hard,unverified`…), or undefined. */
  resultOf(messageKey: string): Promise<string | undefined>;
  /** Bounces kept as unverified, oldest first; of one issue, or all. */
  listUnverified(issue?: string): Promise<UnverifiedBounceRecord[]>;
  counts(issue: string): Promise<BounceCounts>;
  /** Oldest first; of one issue, or all. */
  list(issue?: string): Promise<BounceRecord[]>;
  /** Of the given issues, those where the reader has a bounce or complaint. */
  bouncedIn(email: string, issues: readonly string[]): Promise<Set<string>>;

  /** From the ledger: the issues sent (not test copies or dry runs). */
  ledgerIssues(): Promise<string[]>;
  /** From the ledger: the readers of an issue and their Message-IDs. */
  ledgerReaders(issue: string): Promise<LedgerReader[]>;
  /** From the ledger: the reader a Message-ID was sent to (with or without angle brackets), in one of the issues. */
  ledgerMessage(messageId: string, issues: readonly string[]): Promise<{ issue: string; email: string } | undefined>;
  /** From the ledger: the issues sent to a reader, newest first. */
  ledgerIssuesOf(email: string, limit: number): Promise<string[]>;
}

export const EMPTY_COUNTS: BounceCounts = { bounced: 0, softBounced: 0, complained: 0 };

/** A Message-ID as the ledger keeps it: without angle brackets. */
export function bareMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, "");
}

const RECORD_COLUMNS = sql`issue, email, kind, status, diagnostic, message_key, messages, bounced_at, created_at, updated_at`;
/** Issues that are real sends (test copies and dry runs are `issue:test`, `issue:dry`). */
const SENT = sql`issue NOT LIKE '%:%'`;

export class SqlBounces implements BounceStore {
  constructor(private readonly db: Db) {}

  async record(
    messageKey: string,
    result: string,
    events: readonly BounceEvent[],
    unverified: readonly BounceEvent[] = [],
    reapply = false,
  ): Promise<boolean> {
    return this.db.tx(async (t) => {
      const conflict = reapply
        ? sql`DO UPDATE SET result = excluded.result WHERE bounce_messages.result LIKE '%unverified%'`
        : sql`DO NOTHING`;
      const fresh = await t.run(
        sql`INSERT INTO bounce_messages (message_key, result) VALUES (${messageKey}, ${result}) ON CONFLICT (message_key) ${conflict}`,
      );
      if (fresh === 0) return false;
      for (const e of unverified) {
        await t.run(sql`INSERT INTO unverified_bounces (message_key, issue, email, kind, status, diagnostic, bounced_at)
          VALUES (${messageKey}, ${e.issue}, ${addressKey(e.email)}, ${e.kind}, ${e.status ?? null}, ${e.diagnostic ?? null}, ${e.at})
          ON CONFLICT (message_key, email, kind) DO NOTHING`);
      }
      for (const e of events) {
        // applied now (trusted): no longer waiting as unverified
        await t.run(
          sql`DELETE FROM unverified_bounces WHERE message_key = ${messageKey} AND email = ${addressKey(e.email)} AND kind = ${e.kind}`,
        );
        await t.run(sql`INSERT INTO bounces (issue, email, kind, status, diagnostic, message_key, bounced_at)
          VALUES (${e.issue}, ${addressKey(e.email)}, ${e.kind}, ${e.status ?? null}, ${e.diagnostic ?? null}, ${messageKey}, ${e.at})
          ON CONFLICT (issue, email, kind) DO UPDATE SET messages = bounces.messages + 1,
            status = coalesce(excluded.status, bounces.status), diagnostic = coalesce(excluded.diagnostic, bounces.diagnostic),
            updated_at = ${t.dialect.now}`);
      }
      return true;
    });
  }

  async seen(messageKey: string): Promise<boolean> {
    if (!(await tableExists(this.db, "bounce_messages"))) return false;
    return (await this.db.get(sql`SELECT 1 AS x FROM bounce_messages WHERE message_key = ${messageKey}`)) !== undefined;
  }

  async resultOf(messageKey: string): Promise<string | undefined> {
    if (!(await tableExists(this.db, "bounce_messages"))) return undefined;
    return (await this.db.get<{ result: string }>(sql`SELECT result FROM bounce_messages WHERE message_key = ${messageKey}`))?.result;
  }

  async listUnverified(issue?: string): Promise<UnverifiedBounceRecord[]> {
    if (!(await tableExists(this.db, "unverified_bounces"))) return [];
    const where = issue === undefined ? sql`` : sql`WHERE issue = ${issue}`;
    return this.db.all<UnverifiedBounceRecord>(
      sql`SELECT message_key, issue, email, kind, status, diagnostic, bounced_at, created_at FROM unverified_bounces ${where} ORDER BY id`,
    );
  }

  async counts(issue: string): Promise<BounceCounts> {
    if (!(await tableExists(this.db, "bounces"))) return { ...EMPTY_COUNTS };
    const count = (kind: BounceKind) => sql`count(DISTINCT CASE WHEN kind = ${kind} THEN email END)`;
    return (await this.db.get<BounceCounts>(
      sql`SELECT ${count("hard")} AS "bounced", ${count("soft")} AS "softBounced", ${count("complaint")} AS "complained"
          FROM bounces WHERE issue = ${issue}`,
    ))!;
  }

  async list(issue?: string): Promise<BounceRecord[]> {
    if (!(await tableExists(this.db, "bounces"))) return [];
    const where = issue === undefined ? sql`` : sql`WHERE issue = ${issue}`;
    return this.db.all<BounceRecord>(sql`SELECT ${RECORD_COLUMNS} FROM bounces ${where} ORDER BY id`);
  }

  async bouncedIn(email: string, issues: readonly string[]): Promise<Set<string>> {
    if (!issues.length) return new Set();
    const rows = await this.db.all<{ issue: string }>(
      sql`SELECT DISTINCT issue FROM bounces WHERE email = ${addressKey(email)} AND issue IN (${join(issues)})`,
    );
    return new Set(rows.map((r) => r.issue));
  }

  async ledgerIssues(): Promise<string[]> {
    if (!(await tableExists(this.db, "send_runs"))) return [];
    return (await this.db.all<{ issue: string }>(sql`SELECT issue FROM send_runs WHERE ${SENT} ORDER BY updated_at DESC`)).map(
      (r) => r.issue,
    );
  }

  async ledgerReaders(issue: string): Promise<LedgerReader[]> {
    return this.db.all<LedgerReader>(sql`SELECT email, message_id AS "messageId" FROM send_ledger WHERE issue = ${issue}`);
  }

  async ledgerMessage(messageId: string, issues: readonly string[]): Promise<{ issue: string; email: string } | undefined> {
    const bare = bareMessageId(messageId);
    for (const issue of issues) {
      const row = await this.db.get<{ issue: string; email: string }>(
        sql`SELECT issue, email FROM send_ledger WHERE issue = ${issue} AND message_id IN (${bare}, ${`<${bare}>`}) LIMIT 1`,
      );
      if (row) return row;
    }
    return undefined;
  }

  async ledgerIssuesOf(email: string, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ issue: string }>(
      sql`SELECT issue FROM send_ledger WHERE email = ${addressKey(email)} AND state = 'sent' AND ${SENT}
          ORDER BY sent_at IS NULL, sent_at DESC, id DESC LIMIT ${limit}`,
    );
    return rows.map((r) => r.issue);
  }
}
