import type pg from "pg";
import type { CampaignRow, CampaignStore, CampaignUpdate } from "./campaigns.js";

/**
 * The Sendsay campaign records on PostgreSQL (the `sendsay_campaigns` table of the baseline migration):
 * the same rows and meaning as SQLite's CampaignLedger. Ids are bigint (`pg` returns them as text):
 * numbers at this seam. Times come back as the ISO text SQLite keeps.
 */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = `id::float8 AS "id", issue, group_id AS "groupId", login, content_hash AS "contentHash", state,
  track_id AS "trackId", track_status AS "trackStatus", error, ${ISO("created_at")} AS "createdAt", ${ISO("updated_at")} AS "updatedAt"`;

const UPDATABLE: [keyof CampaignUpdate, string][] = [
  ["state", "state"],
  ["trackId", "track_id"],
  ["trackStatus", "track_status"],
  ["error", "error"],
];

export class PostgresCampaigns implements CampaignStore {
  constructor(private readonly pool: pg.Pool) {}

  async latest(issue: string, groupId: string, login: string): Promise<CampaignRow | undefined> {
    const { rows } = await this.pool.query<CampaignRow>(
      `SELECT ${COLUMNS} FROM sendsay_campaigns WHERE issue = $1 AND group_id = $2 AND login = $3 AND state <> 'rejected' ORDER BY id DESC LIMIT 1`,
      [issue, groupId, login],
    );
    return rows[0];
  }

  async all(issue?: string): Promise<CampaignRow[]> {
    const { rows } =
      issue === undefined
        ? await this.pool.query<CampaignRow>(`SELECT ${COLUMNS} FROM sendsay_campaigns ORDER BY id`)
        : await this.pool.query<CampaignRow>(`SELECT ${COLUMNS} FROM sendsay_campaigns WHERE issue = $1 ORDER BY id`, [issue]);
    return rows;
  }

  async begin(issue: string, groupId: string, login: string, contentHash: string, subject: string): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO sendsay_campaigns (issue, group_id, login, content_hash, subject, state) VALUES ($1, $2, $3, $4, $5, 'submitting')
       RETURNING id::float8 AS id`,
      [issue, groupId, login, contentHash, subject],
    );
    return rows[0].id;
  }

  async update(id: number, fields: CampaignUpdate): Promise<void> {
    const sets = ["updated_at = now()"];
    const values: unknown[] = [id];
    for (const [field, column] of UPDATABLE) {
      if (fields[field] === undefined) continue;
      values.push(fields[field]);
      sets.push(`${column} = $${values.length}`);
    }
    await this.pool.query(`UPDATE sendsay_campaigns SET ${sets.join(", ")} WHERE id = $1`, values);
  }
}
