import { existsSync } from "node:fs";
import type { StateLocation } from "./location.js";
import { type Db, sql, tableExists } from "./sql.js";

/**
 * Scheduled issues (migration 9, docs/schedule.md): what `rassylka schedule push` recorded and where
 * each stands. Every change is one conditional statement, so a push and workers racing on one row
 * settle it in the database: a row that began sending is never rewritten (`put` leaves `sending` and
 * `sent` alone), and only the worker whose update moved `scheduled` → `sending` starts the send.
 */
export type ScheduleState = "scheduled" | "sending" | "sent" | "cancelled" | "missed";

export interface ScheduleRow {
  slug: string;
  subject: string;
  /** ISO 8601, UTC. */
  sendAt: string;
  lateLimitMs: number;
  state: ScheduleState;
  /** JSON: `"subscribers"`, an audience file's name, or `{"sendsay":"<group>"}`. */
  audience: string;
  contentHash: string;
  sendsayIssueId: string | null;
  startedBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  note: string | null;
  updatedAt: string;
}

/** What a push records for one issue. */
export interface ScheduleEntry {
  slug: string;
  subject: string;
  sendAt: string;
  lateLimitMs: number;
  state: "scheduled" | "missed";
  audience: string;
  contentHash: string;
  /** The compiled issue and the config, as JSON. */
  issue: string;
  sendsayIssueId?: string | null;
}

const COLUMNS = sql`SELECT slug, subject, send_at AS "sendAt", late_limit_ms AS "lateLimitMs", state, audience,
  content_hash AS "contentHash", sendsay_issue_id AS "sendsayIssueId", started_by AS "startedBy", started_at AS "startedAt",
  finished_at AS "finishedAt", note, updated_at AS "updatedAt" FROM scheduled_issues`;

export class SqlSchedule {
  constructor(private readonly db: Db) {}

  /** Every row, by time. */
  all(): Promise<ScheduleRow[]> {
    return this.db.all<ScheduleRow>(sql`${COLUMNS} ORDER BY send_at, slug`);
  }

  get(slug: string): Promise<ScheduleRow | undefined> {
    return this.db.get<ScheduleRow>(sql`${COLUMNS} WHERE slug = ${slug}`);
  }

  /** The recorded compiled issue (JSON), as it was when the send began or was last pushed. */
  async issue(slug: string): Promise<string | undefined> {
    return (await this.db.get<{ issue: string }>(sql`SELECT issue FROM scheduled_issues WHERE slug = ${slug}`))?.issue;
  }

  /** Records or replaces an entry, unless its send began; false when the row is frozen. */
  async put(e: ScheduleEntry): Promise<boolean> {
    const now = this.db.dialect.now;
    const changed = await this.db.run(sql`
      INSERT INTO scheduled_issues (slug, subject, send_at, late_limit_ms, state, audience, content_hash, issue, sendsay_issue_id, created_at, updated_at)
      VALUES (${e.slug}, ${e.subject}, ${e.sendAt}, ${e.lateLimitMs}, ${e.state}, ${e.audience}, ${e.contentHash}, ${e.issue},
              ${e.sendsayIssueId ?? null}, ${now}, ${now})
      ON CONFLICT (slug) DO UPDATE SET subject = excluded.subject, send_at = excluded.send_at, late_limit_ms = excluded.late_limit_ms,
        state = excluded.state, audience = excluded.audience, content_hash = excluded.content_hash, issue = excluded.issue,
        sendsay_issue_id = excluded.sendsay_issue_id, started_by = NULL, started_at = NULL, finished_at = NULL, note = NULL,
        updated_at = excluded.updated_at
      WHERE scheduled_issues.state NOT IN ('sending', 'sent')`);
    return changed > 0;
  }

  /** A scheduled (or missed) row whose issue lost its `sendAt`; false when it is not in one of those states. */
  async cancel(slug: string, note: string | null = null): Promise<boolean> {
    const changed = await this.db.run(
      sql`UPDATE scheduled_issues SET state = 'cancelled', note = ${note}, updated_at = ${this.db.dialect.now}
          WHERE slug = ${slug} AND state IN ('scheduled', 'missed')`,
    );
    return changed > 0;
  }

  /**
   * This worker starts the send: only when the row is still scheduled for the time and content it read
   * (a push in between wins, and the worker reads the row again).
   */
  async start(row: Pick<ScheduleRow, "slug" | "sendAt" | "contentHash">, worker: string): Promise<boolean> {
    const now = this.db.dialect.now;
    const changed = await this.db.run(
      sql`UPDATE scheduled_issues SET state = 'sending', started_by = ${worker}, started_at = ${now}, updated_at = ${now}
          WHERE slug = ${row.slug} AND state = 'scheduled' AND send_at = ${row.sendAt} AND content_hash = ${row.contentHash}`,
    );
    return changed > 0;
  }

  /** Past its late limit: missed, unless a push moved it meanwhile. */
  async miss(row: Pick<ScheduleRow, "slug" | "sendAt">, note: string | null = null): Promise<boolean> {
    const changed = await this.db.run(
      sql`UPDATE scheduled_issues SET state = 'missed', note = ${note}, updated_at = ${this.db.dialect.now}
          WHERE slug = ${row.slug} AND state = 'scheduled' AND send_at = ${row.sendAt}`,
    );
    return changed > 0;
  }

  /** The send is over for every reader. */
  async finish(slug: string, note: string | null = null): Promise<boolean> {
    const now = this.db.dialect.now;
    const changed = await this.db.run(
      sql`UPDATE scheduled_issues SET state = 'sent', finished_at = ${now}, note = ${note}, updated_at = ${now}
          WHERE slug = ${slug} AND state = 'sending'`,
    );
    return changed > 0;
  }

  /** A note on a row (why a send is waiting), without changing its state. */
  async note(slug: string, note: string | null): Promise<void> {
    await this.db.run(sql`UPDATE scheduled_issues SET note = ${note}, updated_at = ${this.db.dialect.now} WHERE slug = ${slug}`);
  }

  /** The size of the `subscribers` audience now: confirmed and not suppressed (what `send --subscribers` reads). */
  async subscriberReaders(): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM subscribers WHERE status = 'confirmed'
          AND NOT EXISTS (SELECT 1 FROM suppressed x WHERE x.email = subscribers.email)`,
    );
    return Number(row?.n ?? 0);
  }

  /** Slugs whose send began: rows sending or sent, and issues the ledger has a run of. */
  async started(): Promise<Set<string>> {
    const scheduled = (await tableExists(this.db, "scheduled_issues"))
      ? await this.db.all<{ slug: string }>(sql`SELECT slug FROM scheduled_issues WHERE state IN ('sending', 'sent')`)
      : [];
    const runs = (await tableExists(this.db, "send_runs"))
      ? await this.db.all<{ slug: string }>(sql`SELECT issue AS slug FROM send_runs`)
      : [];
    return new Set([...scheduled, ...runs].map((r) => r.slug));
  }
}

/**
 * The slugs whose send began, read without creating or migrating anything (lint's sendAt rule); empty
 * when there is no state yet or it cannot be read — then every past `sendAt` is reported.
 */
export async function startedSlugs(location: StateLocation): Promise<Set<string>> {
  if (location.kind === "sqlite" && !existsSync(location.file)) return new Set();
  try {
    const { openStore } = await import("./store.js");
    const store = await openStore(location, { migrate: false, readonly: location.kind === "sqlite" });
    try {
      return await store.schedule.started();
    } finally {
      await store.close();
    }
  } catch {
    return new Set();
  }
}
