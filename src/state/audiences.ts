import { type Db, sql } from "./sql.js";

/**
 * Which audience each send went to, as the ledger recorded it when the send started (`send_runs.audience`
 * and `audience_label`, src/state/ledger.ts `beginRun`): for `status`, `report` and `rassylka audience`
 * (docs/audiences.md). Read-only; trials (`trial:` runs) are not sends.
 */
export interface AudienceSend {
  issue: string;
  /** The fingerprint (src/audience/filter.ts `selectionFingerprint`). */
  audience: string | null;
  label: string | null;
  startedAt: string;
  /** Readers the send was frozen with (its ledger rows). */
  readers: number;
}

export class SqlAudiences {
  constructor(private readonly db: Db) {}

  /** The audience an issue's send went to, or undefined when it was never sent. */
  async of(issue: string): Promise<AudienceSend | undefined> {
    return this.db.get<AudienceSend>(
      sql`SELECT r.issue, r.audience, r.audience_label AS label, r.started_at AS "startedAt",
            (SELECT count(*) FROM send_ledger l WHERE l.issue = r.issue) AS readers
          FROM send_runs r WHERE r.issue = ${issue}`,
    );
  }

  /**
   * The latest send to this audience (by fingerprint), or undefined; `withTopic`: also its sends narrowed
   * to an issue's topic (`audience:x+topic:y`).
   */
  async lastSend(fingerprint: string, withTopic = false): Promise<AudienceSend | undefined> {
    const narrowed = withTopic ? `${fingerprint}+topic:%` : fingerprint;
    return this.db.get<AudienceSend>(
      sql`SELECT r.issue, r.audience, r.audience_label AS label, r.started_at AS "startedAt",
            (SELECT count(*) FROM send_ledger l WHERE l.issue = r.issue) AS readers
          FROM send_runs r WHERE (r.audience = ${fingerprint} OR r.audience LIKE ${narrowed}) AND r.issue NOT LIKE 'trial:%'
          ORDER BY r.started_at DESC LIMIT 1`,
    );
  }
}
