import type pg from "pg";
import { addressKey } from "../identity/address.js";
import { type BounceCounts, type BounceEvent, type BounceRecord, type BounceStore, bareMessageId, type LedgerReader } from "./bounces.js";

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The bounce tables in PostgreSQL: each operation one statement or one transaction. */
export class PostgresBounces implements BounceStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(messageKey: string, result: string, events: readonly BounceEvent[]): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const fresh = await client.query(
        "INSERT INTO bounce_messages (message_key, result) VALUES ($1, $2) ON CONFLICT (message_key) DO NOTHING",
        [messageKey, result],
      );
      if (fresh.rowCount !== 1) {
        await client.query("ROLLBACK");
        return false;
      }
      for (const e of events) {
        await client.query(
          `INSERT INTO bounces (issue, email, kind, status, diagnostic, message_key, bounced_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (issue, email, kind) DO UPDATE SET messages = bounces.messages + 1,
             status = coalesce(excluded.status, bounces.status), diagnostic = coalesce(excluded.diagnostic, bounces.diagnostic),
             updated_at = now()`,
          [e.issue, addressKey(e.email), e.kind, e.status ?? null, e.diagnostic ?? null, messageKey, e.at],
        );
      }
      await client.query("COMMIT");
      return true;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async seen(messageKey: string): Promise<boolean> {
    return ((await this.pool.query("SELECT 1 FROM bounce_messages WHERE message_key = $1", [messageKey])).rowCount ?? 0) > 0;
  }

  async counts(issue: string): Promise<BounceCounts> {
    const { rows } = await this.pool.query<BounceCounts>(
      `SELECT count(DISTINCT email) FILTER (WHERE kind = 'hard')::int AS "bounced",
              count(DISTINCT email) FILTER (WHERE kind = 'soft')::int AS "softBounced",
              count(DISTINCT email) FILTER (WHERE kind = 'complaint')::int AS "complained"
       FROM bounces WHERE issue = $1`,
      [issue],
    );
    return rows[0];
  }

  async list(issue?: string): Promise<BounceRecord[]> {
    const select = `SELECT issue, email, kind, status, diagnostic, message_key, messages, ${ISO("bounced_at")} AS bounced_at,
      ${ISO("created_at")} AS created_at, ${ISO("updated_at")} AS updated_at FROM bounces`;
    const { rows } =
      issue === undefined
        ? await this.pool.query<BounceRecord>(`${select} ORDER BY id`)
        : await this.pool.query<BounceRecord>(`${select} WHERE issue = $1 ORDER BY id`, [issue]);
    return rows;
  }

  async bouncedIn(email: string, issues: readonly string[]): Promise<Set<string>> {
    if (!issues.length) return new Set();
    const { rows } = await this.pool.query<{ issue: string }>(
      "SELECT DISTINCT issue FROM bounces WHERE email = $1 AND issue = ANY($2::text[])",
      [addressKey(email), issues],
    );
    return new Set(rows.map((r) => r.issue));
  }

  async ledgerIssues(): Promise<string[]> {
    const { rows } = await this.pool.query<{ issue: string }>(
      "SELECT issue FROM send_runs WHERE strpos(issue, ':') = 0 ORDER BY updated_at DESC",
    );
    return rows.map((r) => r.issue);
  }

  async ledgerReaders(issue: string): Promise<LedgerReader[]> {
    const { rows } = await this.pool.query<LedgerReader>('SELECT email, message_id AS "messageId" FROM send_ledger WHERE issue = $1', [
      issue,
    ]);
    return rows;
  }

  async ledgerMessage(messageId: string, issues: readonly string[]): Promise<{ issue: string; email: string } | undefined> {
    if (!issues.length) return undefined;
    const bare = bareMessageId(messageId);
    const { rows } = await this.pool.query<{ issue: string; email: string }>(
      "SELECT issue, email FROM send_ledger WHERE issue = ANY($1::text[]) AND message_id IN ($2, $3) LIMIT 1",
      [issues, bare, `<${bare}>`],
    );
    return rows[0];
  }

  async ledgerIssuesOf(email: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ issue: string }>(
      `SELECT issue FROM send_ledger WHERE email = $1 AND state = 'sent' AND strpos(issue, ':') = 0
       ORDER BY sent_at DESC NULLS LAST, id DESC LIMIT $2`,
      [addressKey(email), limit],
    );
    return rows.map((r) => r.issue);
  }
}
