import { addressKey } from "../identity/address.js";
import {
  type BounceCounts,
  type BounceEvent,
  type BounceRecord,
  type BounceStore,
  bareMessageId,
  EMPTY_COUNTS,
  type LedgerReader,
} from "./bounces.js";
import type { StateDb } from "./db.js";

const COUNTS = `SELECT
  count(DISTINCT CASE WHEN kind = 'hard' THEN email END) AS bounced,
  count(DISTINCT CASE WHEN kind = 'soft' THEN email END) AS softBounced,
  count(DISTINCT CASE WHEN kind = 'complaint' THEN email END) AS complained
FROM bounces WHERE issue = ?`;

const RECORD_COLUMNS = "issue, email, kind, status, diagnostic, message_key, messages, bounced_at, created_at, updated_at";

/** The bounce tables in the state file (better-sqlite3, synchronous, behind the Promise seam). */
export class SqliteBounces implements BounceStore {
  constructor(private readonly db: StateDb) {}

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  async record(messageKey: string, result: string, events: readonly BounceEvent[]): Promise<boolean> {
    const message = this.db.prepare("INSERT INTO bounce_messages (message_key, result) VALUES (?, ?) ON CONFLICT (message_key) DO NOTHING");
    const upsert = this.db.prepare(`
      INSERT INTO bounces (issue, email, kind, status, diagnostic, message_key, bounced_at)
      VALUES (@issue, @email, @kind, @status, @diagnostic, @messageKey, @at)
      ON CONFLICT (issue, email, kind) DO UPDATE SET messages = messages + 1,
        status = coalesce(excluded.status, status), diagnostic = coalesce(excluded.diagnostic, diagnostic),
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`);
    return this.db.transaction(() => {
      if (message.run(messageKey, result).changes === 0) return false;
      for (const e of events) {
        upsert.run({
          issue: e.issue,
          email: addressKey(e.email),
          kind: e.kind,
          status: e.status ?? null,
          diagnostic: e.diagnostic ?? null,
          messageKey,
          at: e.at,
        });
      }
      return true;
    })();
  }

  async seen(messageKey: string): Promise<boolean> {
    if (!this.hasTable("bounce_messages")) return false;
    return this.db.prepare("SELECT 1 FROM bounce_messages WHERE message_key = ?").get(messageKey) !== undefined;
  }

  async counts(issue: string): Promise<BounceCounts> {
    if (!this.hasTable("bounces")) return { ...EMPTY_COUNTS };
    return this.db.prepare(COUNTS).get(issue) as BounceCounts;
  }

  async list(issue?: string): Promise<BounceRecord[]> {
    if (!this.hasTable("bounces")) return [];
    const sql = `SELECT ${RECORD_COLUMNS} FROM bounces ${issue === undefined ? "" : "WHERE issue = ?"} ORDER BY id`;
    return (issue === undefined ? this.db.prepare(sql).all() : this.db.prepare(sql).all(issue)) as BounceRecord[];
  }

  async bouncedIn(email: string, issues: readonly string[]): Promise<Set<string>> {
    if (!issues.length) return new Set();
    const rows = this.db
      .prepare(`SELECT DISTINCT issue FROM bounces WHERE email = ? AND issue IN (${issues.map(() => "?").join(", ")})`)
      .pluck()
      .all(addressKey(email), ...issues) as string[];
    return new Set(rows);
  }

  async ledgerIssues(): Promise<string[]> {
    if (!this.hasTable("send_runs")) return [];
    return this.db.prepare("SELECT issue FROM send_runs WHERE instr(issue, ':') = 0 ORDER BY updated_at DESC").pluck().all() as string[];
  }

  async ledgerReaders(issue: string): Promise<LedgerReader[]> {
    return this.db.prepare("SELECT email, message_id AS messageId FROM send_ledger WHERE issue = ?").all(issue) as LedgerReader[];
  }

  async ledgerMessage(messageId: string, issues: readonly string[]): Promise<{ issue: string; email: string } | undefined> {
    const bare = bareMessageId(messageId);
    const one = this.db.prepare("SELECT issue, email FROM send_ledger WHERE issue = ? AND message_id IN (?, ?) LIMIT 1");
    for (const issue of issues) {
      const row = one.get(issue, bare, `<${bare}>`) as { issue: string; email: string } | undefined;
      if (row) return row;
    }
    return undefined;
  }

  async ledgerIssuesOf(email: string, limit: number): Promise<string[]> {
    return this.db
      .prepare(
        `SELECT l.issue FROM send_ledger l WHERE l.email = ? AND l.state = 'sent' AND instr(l.issue, ':') = 0
         ORDER BY l.sent_at DESC, l.id DESC LIMIT ?`,
      )
      .pluck()
      .all(addressKey(email), limit) as string[];
  }
}
