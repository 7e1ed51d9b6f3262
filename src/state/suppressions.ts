import { addressKey } from "../identity/address.js";
import type { StateDb } from "./db.js";

/** Unsubscribed or bounced addresses: checked when each recipient is claimed, never sent. */
export type SuppressionReason = "unsubscribed" | "bounced" | "complained" | "manual";

export interface Suppression {
  email: string;
  reason: string;
  source: string | null;
  created_at: string;
}

export class Suppressions {
  private readonly insert;
  private readonly del;
  private readonly one;
  constructor(private readonly db: StateDb) {
    this.insert = db.prepare("INSERT INTO suppressed (email, reason, source) VALUES (?, ?, ?) ON CONFLICT(email) DO NOTHING");
    this.del = db.prepare("DELETE FROM suppressed WHERE email = ?");
    this.one = db.prepare("SELECT 1 FROM suppressed WHERE email = ?");
  }
  /** Returns true when the address was not suppressed before (repeating is harmless). */
  add(email: string, reason: SuppressionReason | string = "manual", source?: string): boolean {
    return this.insert.run(addressKey(email), reason, source ?? null).changes === 1;
  }
  remove(email: string): boolean {
    return this.del.run(addressKey(email)).changes === 1;
  }
  has(email: string): boolean {
    return this.one.get(addressKey(email)) !== undefined;
  }
  list(): Suppression[] {
    return this.db.prepare("SELECT email, reason, source, created_at FROM suppressed ORDER BY created_at, email").all() as Suppression[];
  }
  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM suppressed").get() as { n: number }).n;
  }
}
