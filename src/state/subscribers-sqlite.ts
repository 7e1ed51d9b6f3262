import { addressKey } from "../identity/address.js";
import type { StateDb } from "./db.js";
import {
  type ConfirmOutcome,
  decideConfirm,
  decideRequest,
  decideUpsert,
  type LimitCheck,
  type RequestOutcome,
  SUBSCRIBER_COLUMNS,
  type SubscribeRequest,
  type Subscriber,
  type SubscriberInput,
  type SubscriberRecord,
  type SubscriberStatus,
  type SubscriberStore,
  toSubscriber,
  type UpsertOutcome,
} from "./subscribers.js";

/**
 * The subscriber list in the SQLite state file. Every change is one `BEGIN IMMEDIATE` transaction
 * (read the row, decide, write it), so `serve` and a CLI command on the same file never interleave.
 */
const UPSERT = `INSERT INTO subscribers (${SUBSCRIBER_COLUMNS.join(", ")}) VALUES (${SUBSCRIBER_COLUMNS.map((c) => `@${c}`).join(", ")})
  ON CONFLICT (email) DO UPDATE SET ${SUBSCRIBER_COLUMNS.filter((c) => c !== "email")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;
const SELECT = `SELECT ${SUBSCRIBER_COLUMNS.join(", ")} FROM subscribers`;

export class SqliteSubscribers implements SubscriberStore {
  constructor(private readonly db: StateDb) {}

  private row(email: string): SubscriberRecord | undefined {
    return this.db.prepare(`${SELECT} WHERE email = ?`).get(addressKey(email)) as SubscriberRecord | undefined;
  }
  private write(r: SubscriberRecord): void {
    this.db.prepare(UPSERT).run(r);
  }
  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  async get(email: string): Promise<Subscriber | undefined> {
    const r = this.row(email);
    return r && toSubscriber(r);
  }

  async list(filter: { status?: SubscriberStatus } = {}): Promise<Subscriber[]> {
    const rows = filter.status
      ? this.db.prepare(`${SELECT} WHERE status = ? ORDER BY email`).all(filter.status)
      : this.db.prepare(`${SELECT} ORDER BY email`).all();
    return (rows as SubscriberRecord[]).map(toSubscriber);
  }

  async count(status?: SubscriberStatus): Promise<number> {
    const q = status
      ? this.db.prepare("SELECT count(*) AS n FROM subscribers WHERE status = ?").get(status)
      : this.db.prepare("SELECT count(*) AS n FROM subscribers").get();
    return (q as { n: number }).n;
  }

  async upsertMany(
    entries: readonly SubscriberInput[],
    options: { status: "pending" | "confirmed"; source: string; at: string },
  ): Promise<UpsertOutcome[]> {
    if (!entries.length) return [];
    return this.tx(() =>
      entries.map((e) => {
        const { write, outcome } = decideUpsert(this.row(e.address), e, options);
        if (write) this.write(write);
        return outcome;
      }),
    );
  }

  async removeMany(emails: readonly string[]): Promise<boolean[]> {
    const del = this.db.prepare("DELETE FROM subscribers WHERE email = ?");
    return this.tx(() => emails.map((e) => del.run(addressKey(e)).changes === 1));
  }

  async request(input: SubscribeRequest): Promise<RequestOutcome> {
    return this.tx(() => {
      const { write, outcome } = decideRequest(this.row(input.address), input);
      if (write) this.write(write);
      return outcome;
    });
  }

  async peek(email: string, nonce: string): Promise<ConfirmOutcome> {
    return decideConfirm(this.row(email), nonce, { at: "", ip: null, userAgent: null }).outcome;
  }

  async confirm(email: string, nonce: string, by: { at: string; ip: string | null; userAgent: string | null }): Promise<ConfirmOutcome> {
    return this.tx(() => {
      const { write, outcome } = decideConfirm(this.row(email), nonce, by);
      if (write) {
        this.write(write);
        // the reader came back: their own unsubscribe no longer holds (a bounce or complaint still does)
        this.db.prepare("DELETE FROM suppressed WHERE email = ? AND reason = 'unsubscribed'").run(write.email);
      }
      return outcome;
    });
  }

  async markUnsubscribed(emails: readonly string[], at: string): Promise<number> {
    const mark = this.db.prepare(
      "UPDATE subscribers SET status = 'unsubscribed', confirm_nonce = NULL, unsubscribed_at = ?, updated_at = ? WHERE email = ? AND status <> 'unsubscribed'",
    );
    return this.tx(() => emails.reduce((n, e) => n + mark.run(at, at, addressKey(e)).changes, 0));
  }

  async confirmedPage(after: string, limit: number): Promise<Subscriber[]> {
    const rows = this.db
      .prepare(
        `${SELECT} s WHERE status = 'confirmed' AND email > ? AND NOT EXISTS (SELECT 1 FROM suppressed x WHERE x.email = s.email) ORDER BY email LIMIT ?`,
      )
      .all(after, limit) as SubscriberRecord[];
    return rows.map(toSubscriber);
  }

  async takeLimits(checks: readonly LimitCheck[], nowMs: number): Promise<LimitCheck | undefined> {
    const count = this.db.prepare("SELECT count(*) AS n FROM subscribe_limits WHERE key = ? AND at > ?");
    const insert = this.db.prepare("INSERT INTO subscribe_limits (key, at) VALUES (?, ?)");
    const longest = Math.max(0, ...checks.map((c) => c.windowMs));
    return this.tx(() => {
      for (const c of checks) if ((count.get(c.key, nowMs - c.windowMs) as { n: number }).n >= c.max) return c;
      for (const key of new Set(checks.map((c) => c.key))) insert.run(key, nowMs);
      // events older than every window are of no use: dropped as we go, so the table stays small
      this.db.prepare("DELETE FROM subscribe_limits WHERE at < ?").run(nowMs - Math.max(longest, 86_400_000));
      return undefined;
    });
  }
}
