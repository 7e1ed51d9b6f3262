import type { StateDb } from "./db.js";
import { SQLITE_CAMPAIGNS } from "./schema.js";

/**
 * The records of Sendsay campaigns (src/campaign), beside the send ledger in the state store: one row
 * per submission attempt of (issue, group, login). A row says "submitting" (committed) before the request
 * leaves and gets the track id right after, so a row still "submitting" means the answer was lost.
 */
export type CampaignState = "submitting" | "submitted" | "rejected" | "done" | "failed" | "cancelled" | "waiting";

export interface CampaignRow {
  id: number;
  issue: string;
  groupId: string;
  login: string;
  contentHash: string;
  state: CampaignState;
  trackId: string | null;
  trackStatus: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The fields `update` may change. */
export interface CampaignUpdate {
  state?: CampaignState;
  trackId?: string | null;
  trackStatus?: number | null;
  error?: string | null;
}

/**
 * The campaign records behind the Store seam (src/state/store.ts `Store.campaigns`): SQLite below
 * (`SqliteCampaigns`, over `CampaignLedger`), PostgreSQL in src/state/postgres-campaigns.ts. Every call
 * is one statement, committed when it resolves: `begin` is durable before the request leaves.
 */
export interface CampaignStore {
  /** The latest attempt that may have reached Sendsay (refused ones do not count). */
  latest(issue: string, groupId: string, login: string): Promise<CampaignRow | undefined>;
  /** Every attempt, oldest first; of one issue when given. */
  all(issue?: string): Promise<CampaignRow[]>;
  /** A new attempt in state "submitting"; its id. */
  begin(issue: string, groupId: string, login: string, contentHash: string, subject: string): Promise<number>;
  update(id: number, fields: CampaignUpdate): Promise<void>;
}

/** The SQLite campaign records: the synchronous CampaignLedger, made on first use (a read-only store may lack the table). */
export class SqliteCampaigns implements CampaignStore {
  private sync?: CampaignLedger;
  constructor(private readonly db: StateDb) {}
  private get ledger(): CampaignLedger {
    this.sync ??= new CampaignLedger(this.db);
    return this.sync;
  }
  async latest(issue: string, groupId: string, login: string) {
    return this.ledger.latest(issue, groupId, login);
  }
  async all(issue?: string) {
    return this.ledger.all(issue);
  }
  async begin(issue: string, groupId: string, login: string, contentHash: string, subject: string) {
    return this.ledger.begin(issue, groupId, login, contentHash, subject);
  }
  async update(id: number, fields: CampaignUpdate) {
    this.ledger.update(id, fields);
  }
}

export function ensureCampaignTable(db: StateDb): void {
  db.exec(SQLITE_CAMPAIGNS);
}

const COLUMNS = `id, issue, group_id AS groupId, login, content_hash AS contentHash, state, track_id AS trackId,
  track_status AS trackStatus, error, created_at AS createdAt, updated_at AS updatedAt`;

/** The campaign ledger: one row per submission attempt of (issue, group, login). */
export class CampaignLedger {
  constructor(private readonly db: StateDb) {
    ensureCampaignTable(db);
  }

  /** The latest attempt that may have reached Sendsay (refused ones do not count). */
  latest(issue: string, groupId: string, login: string): CampaignRow | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM sendsay_campaigns WHERE issue = ? AND group_id = ? AND login = ? AND state <> 'rejected' ORDER BY id DESC LIMIT 1`,
      )
      .get(issue, groupId, login) as CampaignRow | undefined;
  }

  all(issue?: string): CampaignRow[] {
    return (
      issue
        ? this.db.prepare(`SELECT ${COLUMNS} FROM sendsay_campaigns WHERE issue = ? ORDER BY id`).all(issue)
        : this.db.prepare(`SELECT ${COLUMNS} FROM sendsay_campaigns ORDER BY id`).all()
    ) as CampaignRow[];
  }

  begin(issue: string, groupId: string, login: string, contentHash: string, subject: string): number {
    const r = this.db
      .prepare("INSERT INTO sendsay_campaigns (issue, group_id, login, content_hash, subject, state) VALUES (?, ?, ?, ?, ?, 'submitting')")
      .run(issue, groupId, login, contentHash, subject);
    return Number(r.lastInsertRowid);
  }

  update(id: number, fields: CampaignUpdate): void {
    const sets: string[] = ["updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"];
    const values: unknown[] = [];
    const columns: [keyof typeof fields, string][] = [
      ["state", "state"],
      ["trackId", "track_id"],
      ["trackStatus", "track_status"],
      ["error", "error"],
    ];
    for (const [field, column] of columns) {
      if (fields[field] === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(fields[field]);
    }
    this.db.prepare(`UPDATE sendsay_campaigns SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  }
}
