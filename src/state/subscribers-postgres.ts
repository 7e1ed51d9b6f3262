import type pg from "pg";
import { addressKey } from "../identity/address.js";
import {
  type ConfirmOutcome,
  decideConfirm,
  decideRequest,
  decideUpsert,
  type LimitCheck,
  type RequestOutcome,
  SUBSCRIBER_COLUMNS,
  SUBSCRIBER_TIMES,
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
 * The subscriber list in PostgreSQL. A change is one transaction holding an advisory lock on the
 * address (read the row, decide, write it): two `serve`s on two machines answering the same address at
 * once apply one after the other. The abuse limits take one lock for all of them, so the counts hold.
 */
const ISO = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${c}`;
const SELECT = `SELECT ${SUBSCRIBER_COLUMNS.map((c) => (SUBSCRIBER_TIMES.has(c) ? ISO(c) : c === "fields" ? "fields::text AS fields" : c)).join(", ")} FROM subscribers`;
const UPSERT = `INSERT INTO subscribers (${SUBSCRIBER_COLUMNS.join(", ")}) VALUES (${SUBSCRIBER_COLUMNS.map(
  (c, i) => `$${i + 1}${c === "fields" ? "::jsonb" : SUBSCRIBER_TIMES.has(c) ? "::timestamptz" : ""}`,
).join(", ")})
  ON CONFLICT (email) DO UPDATE SET ${SUBSCRIBER_COLUMNS.filter((c) => c !== "email")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;
const LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))";

type Query = Pick<pg.PoolClient, "query">;

export class PostgresSubscribers implements SubscriberStore {
  constructor(private readonly pool: pg.Pool) {}

  private async row(q: Query, email: string): Promise<SubscriberRecord | undefined> {
    const { rows } = await q.query<SubscriberRecord>(`${SELECT} WHERE email = $1`, [addressKey(email)]);
    return rows[0];
  }
  private async write(q: Query, r: SubscriberRecord): Promise<void> {
    await q.query(
      UPSERT,
      SUBSCRIBER_COLUMNS.map((c) => r[c]),
    );
  }
  private async tx<T>(locks: string[], fn: (q: Query) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      // always in the same order, so two transactions with overlapping addresses never deadlock
      for (const key of [...new Set(locks)].sort()) await client.query(LOCK, [key]);
      const out = await fn(client);
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }
  private lockOf(email: string): string {
    return `rassylka:subscriber:${addressKey(email)}`;
  }

  async get(email: string): Promise<Subscriber | undefined> {
    const r = await this.row(this.pool, email);
    return r && toSubscriber(r);
  }

  async list(filter: { status?: SubscriberStatus } = {}): Promise<Subscriber[]> {
    const { rows } = filter.status
      ? await this.pool.query<SubscriberRecord>(`${SELECT} WHERE status = $1 ORDER BY email`, [filter.status])
      : await this.pool.query<SubscriberRecord>(`${SELECT} ORDER BY email`);
    return rows.map(toSubscriber);
  }

  async count(status?: SubscriberStatus): Promise<number> {
    const { rows } = status
      ? await this.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM subscribers WHERE status = $1", [status])
      : await this.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM subscribers");
    return rows[0].n;
  }

  async upsertMany(
    entries: readonly SubscriberInput[],
    options: { status: "pending" | "confirmed"; source: string; at: string },
  ): Promise<UpsertOutcome[]> {
    if (!entries.length) return [];
    return this.tx(
      entries.map((e) => this.lockOf(e.address)),
      async (q) => {
        const out: UpsertOutcome[] = [];
        for (const e of entries) {
          const { write, outcome } = decideUpsert(await this.row(q, e.address), e, options);
          if (write) await this.write(q, write);
          out.push(outcome);
        }
        return out;
      },
    );
  }

  async removeMany(emails: readonly string[]): Promise<boolean[]> {
    return this.tx([], async (q) => {
      const out: boolean[] = [];
      for (const e of emails) out.push((await q.query("DELETE FROM subscribers WHERE email = $1", [addressKey(e)])).rowCount === 1);
      return out;
    });
  }

  async request(input: SubscribeRequest): Promise<RequestOutcome> {
    return this.tx([this.lockOf(input.address)], async (q) => {
      const { write, outcome } = decideRequest(await this.row(q, input.address), input);
      if (write) await this.write(q, write);
      return outcome;
    });
  }

  async peek(email: string, nonce: string): Promise<ConfirmOutcome> {
    return decideConfirm(await this.row(this.pool, email), nonce, { at: "", ip: null, userAgent: null }).outcome;
  }

  async confirm(email: string, nonce: string, by: { at: string; ip: string | null; userAgent: string | null }): Promise<ConfirmOutcome> {
    return this.tx([this.lockOf(email)], async (q) => {
      const { write, outcome } = decideConfirm(await this.row(q, email), nonce, by);
      if (write) {
        await this.write(q, write);
        // the reader came back: their own unsubscribe no longer holds (a bounce or complaint still does)
        await q.query("DELETE FROM suppressed WHERE email = $1 AND reason = 'unsubscribed'", [write.email]);
      }
      return outcome;
    });
  }

  async markUnsubscribed(emails: readonly string[], at: string): Promise<number> {
    if (!emails.length) return 0;
    const r = await this.pool.query(
      `UPDATE subscribers SET status = 'unsubscribed', confirm_nonce = NULL, unsubscribed_at = $1, updated_at = $1
       WHERE email = ANY($2::text[]) AND status <> 'unsubscribed'`,
      [at, emails.map(addressKey)],
    );
    return r.rowCount ?? 0;
  }

  async confirmedPage(after: string, limit: number): Promise<Subscriber[]> {
    const { rows } = await this.pool.query<SubscriberRecord>(
      `${SELECT} s WHERE status = 'confirmed' AND email > $1 AND NOT EXISTS (SELECT 1 FROM suppressed x WHERE x.email = s.email)
       ORDER BY email LIMIT $2`,
      [after, limit],
    );
    return rows.map(toSubscriber);
  }

  async takeLimits(checks: readonly LimitCheck[], nowMs: number): Promise<LimitCheck | undefined> {
    const longest = Math.max(86_400_000, ...checks.map((c) => c.windowMs));
    return this.tx(["rassylka:subscribe_limits"], async (q) => {
      for (const c of checks) {
        const { rows } = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM subscribe_limits WHERE key = $1 AND at > $2", [
          c.key,
          nowMs - c.windowMs,
        ]);
        if (rows[0].n >= c.max) return c;
      }
      const keys = [...new Set(checks.map((c) => c.key))];
      await q.query("INSERT INTO subscribe_limits (key, at) SELECT unnest($1::text[]), $2", [keys, nowMs]);
      await q.query("DELETE FROM subscribe_limits WHERE at < $1", [nowMs - longest]);
      return undefined;
    });
  }
}
