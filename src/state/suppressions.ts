import { addressKey } from "../identity/address.js";
import { type Db, sql } from "./sql.js";
import type { SuppressionStore } from "./store.js";

/** Unsubscribed or bounced addresses: checked when each recipient is claimed, never sent. */
export type SuppressionReason = "unsubscribed" | "bounced" | "complained" | "manual";

export interface Suppression {
  email: string;
  reason: string;
  source: string | null;
  created_at: string;
}

/** Keyed by the canonical address (src/identity/address.ts `addressKey`), whatever case it came in. */
export class SqlSuppressions implements SuppressionStore {
  constructor(private readonly db: Db) {}

  async add(email: string, reason: SuppressionReason | string = "manual", source?: string): Promise<boolean> {
    return (await insert(this.db, addressKey(email), reason, source)) === 1;
  }

  /** One transaction (one commit) for the group; an address twice in it is new the first time only. */
  async addMany(entries: readonly { email: string; reason?: string; source?: string }[]): Promise<boolean[]> {
    if (!entries.length) return [];
    return this.db.tx(async (t) => {
      const added: boolean[] = [];
      for (const e of entries) added.push((await insert(t, addressKey(e.email), e.reason ?? "manual", e.source)) === 1);
      return added;
    });
  }

  async remove(email: string): Promise<boolean> {
    return (await this.db.run(sql`DELETE FROM suppressed WHERE email = ${addressKey(email)}`)) === 1;
  }

  async has(email: string): Promise<boolean> {
    return (await this.db.get(sql`SELECT 1 AS x FROM suppressed WHERE email = ${addressKey(email)}`)) !== undefined;
  }

  async list(): Promise<Suppression[]> {
    return this.db.all<Suppression>(sql`SELECT email, reason, source, created_at FROM suppressed ORDER BY created_at, email`);
  }

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM suppressed`))!.n;
  }
}

/** One suppression unless the address has one; how many rows it added. */
export function insert(db: Db, key: string, reason: string, source?: string | null): Promise<number> {
  return db.run(
    sql`INSERT INTO suppressed (email, reason, source) VALUES (${key}, ${reason}, ${source ?? null}) ON CONFLICT (email) DO NOTHING`,
  );
}
