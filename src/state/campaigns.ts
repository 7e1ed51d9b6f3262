import { type Db, join, raw, sql } from "./sql.js";

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

/** The campaign records behind the Store seam (`Store.campaigns`): every call is one statement, committed when it resolves. */
export interface CampaignStore {
  /** The latest attempt that may have reached Sendsay (refused ones do not count). */
  latest(issue: string, groupId: string, login: string): Promise<CampaignRow | undefined>;
  /** Every attempt, oldest first; of one issue when given. */
  all(issue?: string): Promise<CampaignRow[]>;
  /** A new attempt in state "submitting", durable before the request leaves; its id. */
  begin(issue: string, groupId: string, login: string, contentHash: string, subject: string): Promise<number>;
  update(id: number, fields: CampaignUpdate): Promise<void>;
}

const COLUMNS = sql`SELECT id, issue, group_id AS "groupId", login, content_hash AS "contentHash", state, track_id AS "trackId",
  track_status AS "trackStatus", error, created_at AS "createdAt", updated_at AS "updatedAt" FROM sendsay_campaigns`;

const UPDATABLE: [keyof CampaignUpdate, string][] = [
  ["state", "state"],
  ["trackId", "track_id"],
  ["trackStatus", "track_status"],
  ["error", "error"],
];

export class SqlCampaigns implements CampaignStore {
  constructor(private readonly db: Db) {}

  async latest(issue: string, groupId: string, login: string): Promise<CampaignRow | undefined> {
    return this.db.get<CampaignRow>(
      sql`${COLUMNS} WHERE issue = ${issue} AND group_id = ${groupId} AND login = ${login} AND state <> 'rejected' ORDER BY id DESC LIMIT 1`,
    );
  }

  async all(issue?: string): Promise<CampaignRow[]> {
    return this.db.all<CampaignRow>(issue === undefined ? sql`${COLUMNS} ORDER BY id` : sql`${COLUMNS} WHERE issue = ${issue} ORDER BY id`);
  }

  async begin(issue: string, groupId: string, login: string, contentHash: string, subject: string): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      sql`INSERT INTO sendsay_campaigns (issue, group_id, login, content_hash, subject, state)
          VALUES (${issue}, ${groupId}, ${login}, ${contentHash}, ${subject}, 'submitting') RETURNING id`,
    );
    return row!.id;
  }

  async update(id: number, fields: CampaignUpdate): Promise<void> {
    const sets = [sql`updated_at = ${this.db.dialect.now}`];
    for (const [field, column] of UPDATABLE) if (fields[field] !== undefined) sets.push(sql`${raw(column)} = ${fields[field]}`);
    await this.db.run(sql`UPDATE sendsay_campaigns SET ${join(sets, ", ")} WHERE id = ${id}`);
  }
}
