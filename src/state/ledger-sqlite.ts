import type { StateDb } from "./db.js";
import {
  type BeginOptions,
  bounceSource,
  type ClaimResult,
  changedError,
  countsOf,
  DEFAULT_LEASE_MS,
  deadHere,
  type InvalidListRow,
  type LedgerCounts,
  type LedgerFailure,
  type LedgerRow,
  type LedgerState,
  type LedgerStore,
  type NewRecipient,
  type NextDue,
  type Outcome,
  otherVersionError,
  type RunInfo,
  type WorkerInfo,
  workerHost,
  workerId,
} from "./ledger.js";
import { migrateSqlite } from "./migrations.js";

/**
 * The ledger in the SQLite state file (src/state/ledger.ts says what it means). better-sqlite3 is
 * synchronous: each method runs its one transaction to the end before it returns a settled promise.
 * Every write is `BEGIN IMMEDIATE` (the write lock taken first, so a transaction never has to upgrade
 * a read lock — the SQLITE_BUSY that no busy timeout helps with) and short, so sends of different issues
 * on one file wait a few milliseconds for each other instead of failing with "database is locked".
 * Leases are ms since the epoch on this machine's clock (the file is on one machine).
 */
const iso = () => new Date().toISOString();

/** Columns added before migrations existed, to files made before them (a second process may race us). */
const ADDED_COLUMNS: [string, string][] = [
  ["in_doubt", "INTEGER NOT NULL DEFAULT 0"],
  ["deferred_since", "INTEGER"],
];

function addOldColumns(db: StateDb): void {
  const have = () => new Set((db.prepare("PRAGMA table_info(send_ledger)").all() as { name: string }[]).map((c) => c.name));
  for (const [name, type] of ADDED_COLUMNS) {
    if (have().has(name)) continue;
    try {
      db.exec(`ALTER TABLE send_ledger ADD COLUMN ${name} ${type}`);
    } catch (e) {
      if (!have().has(name)) throw e;
    }
  }
}

const CLAIMED = "RETURNING id, email, address, fields, attempts, message_id, state, deferred_since, in_doubt";
const SUPPRESSED_OR_IN_FLIGHT =
  "CASE WHEN EXISTS (SELECT 1 FROM suppressed s WHERE s.email = send_ledger.email) THEN 'suppressed' ELSE 'in_flight' END";

export class SqliteLedger implements LedgerStore {
  readonly worker: string;
  readonly location: string;
  private readonly stmt;
  private readonly tx;

  constructor(
    readonly db: StateDb,
    options: { worker?: string; location?: string } = {},
  ) {
    this.worker = options.worker ?? workerId();
    this.location = options.location ?? db.name;
    migrateSqlite(db, this.location);
    addOldColumns(db);
    const claim = (where: string, order: string, extra = "") =>
      db.prepare(`
        UPDATE send_ledger SET updated_at = @now, claimed_by = @worker, lease_expires_at = @lease, ${extra}
          state = ${SUPPRESSED_OR_IN_FLIGHT}
        WHERE id IN (SELECT id FROM send_ledger WHERE issue = @issue AND run_id = @runId AND ${where} ORDER BY ${order} LIMIT @limit)
        ${CLAIMED}`);
    this.stmt = {
      run: db.prepare("SELECT * FROM send_runs WHERE issue = ?"),
      liveWorkers: db.prepare(
        "SELECT worker, run_id FROM send_workers WHERE issue = ? AND worker <> ? AND ended_at IS NULL AND lease_expires_at > ?",
      ),
      upsertRun: db.prepare(
        `INSERT INTO send_runs (issue, content_hash, subject, run_id, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (issue) DO UPDATE SET content_hash = excluded.content_hash, subject = excluded.subject, run_id = excluded.run_id,
           pid = NULL, host = NULL, updated_at = excluded.updated_at`,
      ),
      upsertWorker: db.prepare(
        `INSERT INTO send_workers (worker, issue, run_id, host, pid, started_at, updated_at, lease_expires_at) VALUES (@worker, @issue, @runId, @host, @pid, @now, @now, @lease)
         ON CONFLICT (worker, issue) DO UPDATE SET run_id = excluded.run_id, updated_at = excluded.updated_at,
           lease_expires_at = excluded.lease_expires_at, ended_at = NULL`,
      ),
      upsert: db.prepare(`
        INSERT INTO send_ledger (issue, email, address, fields, line, run_id, listed_by, message_id, created_at, updated_at)
        VALUES (@issue, @email, @address, @fields, @line, @runId, @worker, @messageId, @now, @now)
        ON CONFLICT (issue, email) DO UPDATE SET
          run_id = excluded.run_id,
          listed_by = excluded.listed_by,
          line = excluded.line,
          address = CASE WHEN state IN ('pending', 'deferred', 'suppressed') THEN excluded.address ELSE address END,
          fields = CASE WHEN state IN ('pending', 'deferred', 'suppressed') THEN excluded.fields ELSE fields END,
          state = CASE WHEN state = 'suppressed' AND run_id <> excluded.run_id THEN 'pending' ELSE state END,
          updated_at = excluded.updated_at
        WHERE run_id <> excluded.run_id OR listed_by IS NOT excluded.listed_by`),
      // one statement claims: suppressed readers are marked as such, the others in flight (RETURNING, SQLite ≥ 3.35)
      claimDeferred: claim("state = 'deferred' AND next_at <= @at", "next_at, id"),
      // in flight with a worker whose lease ran out (it died, or stalled longer than its lease): in doubt
      claimExpired: claim(
        "state = 'in_flight' AND coalesce(lease_expires_at, 0) < @nowMs AND claimed_by IS NOT @worker",
        "id",
        "in_doubt = 1,",
      ),
      claimPending: claim("state = 'pending'", "id"),
      // whether either claim above has anything to take: an UPDATE that finds nothing still costs as much as
      // one that claims (statement journal, RETURNING), and these two find nothing on almost every call
      dueOrExpired: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM send_ledger WHERE issue = @issue AND run_id = @runId AND state = 'deferred' AND next_at <= @at)
             OR EXISTS (SELECT 1 FROM send_ledger WHERE issue = @issue AND run_id = @runId AND state = 'in_flight'
               AND coalesce(lease_expires_at, 0) < @nowMs AND claimed_by IS NOT @worker)`,
        )
        .pluck(),
      record: db.prepare(
        `UPDATE send_ledger SET state = @state, attempts = @attempts, last_code = @code, last_response = @response, next_at = @nextAt,
          provider_id = coalesce(@providerId, provider_id), updated_at = @now, lease_expires_at = NULL,
          sent_at = CASE WHEN @state = 'sent' THEN @now ELSE sent_at END,
          deferred_since = CASE WHEN @state = 'deferred' THEN coalesce(deferred_since, @nowMs) END,
          resent = resent + (CASE WHEN @state = 'sent' THEN in_doubt ELSE 0 END),
          in_doubt = CASE WHEN @state = 'sent' THEN 0 ELSE in_doubt END
        WHERE id = @id AND claimed_by = @worker AND state = 'in_flight'`,
      ),
      // also a row this worker already recorded as failed (a refusal that proved to be the sender's)
      release: db.prepare(
        "UPDATE send_ledger SET state = 'pending', attempts = @attempts, claimed_by = NULL, lease_expires_at = NULL, updated_at = @now WHERE id = @id AND claimed_by = @worker",
      ),
      nextDeferred: db.prepare("SELECT min(next_at) AS t FROM send_ledger WHERE issue = ? AND run_id = ? AND state = 'deferred'"),
      nextLease: db.prepare(
        "SELECT min(coalesce(lease_expires_at, 0)) AS t FROM send_ledger WHERE issue = ? AND state = 'in_flight' AND run_id = ? AND claimed_by IS NOT ?",
      ),
      isSent: db.prepare("SELECT 1 FROM send_ledger WHERE issue = ? AND email = ? AND state = 'sent'"),
      renewWorker: db.prepare(
        "UPDATE send_workers SET lease_expires_at = ?, updated_at = ? WHERE worker = ? AND issue = ? AND ended_at IS NULL",
      ),
      renewRows: db.prepare("UPDATE send_ledger SET lease_expires_at = ? WHERE issue = ? AND state = 'in_flight' AND claimed_by = ?"),
    };
    // transaction wrappers made once: they are called once per message
    this.tx = {
      recordAndClaim: db.transaction((issue: string, runId: number, outcomes: Outcome[], limit: number, at: number, leaseMs: number) =>
        this.recordAndClaimTx(issue, runId, outcomes, limit, at, leaseMs),
      ),
      record: db.transaction((outcomes: Outcome[]) => this.recordMany(outcomes)),
      heartbeat: db.transaction((issue: string, leaseMs: number) => {
        const lease = Date.now() + leaseMs;
        this.stmt.renewWorker.run(lease, iso(), this.worker, issue);
        this.stmt.renewRows.run(lease, issue, this.worker);
      }),
    };
  }

  async getRun(issue: string): Promise<RunInfo | undefined> {
    return this.runInfo(issue);
  }

  private runInfo(issue: string): RunInfo | undefined {
    const r = this.stmt.run.get(issue) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      issue: r.issue as string,
      contentHash: r.content_hash as string,
      subject: r.subject as string,
      runId: r.run_id as number,
      total: r.total as number,
      invalid: r.invalid as number,
      duplicates: r.duplicates as number,
      startedAt: r.started_at as string,
      updatedAt: r.updated_at as string,
    };
  }

  async beginRun(issue: string, contentHash: string, subject: string, options: BeginOptions = {}): Promise<number> {
    return this.db
      .transaction(() => {
        const row = this.stmt.run.get(issue) as { content_hash: string; run_id: number } | undefined;
        const t = iso();
        const nowMs = Date.now();
        this.reapDead(issue, nowMs);
        const live = this.stmt.liveWorkers.all(issue, this.worker, nowMs) as { worker: string; run_id: number }[];
        let runId: number;
        if (row && live.some((w) => w.run_id === row.run_id)) {
          // another worker sends this run now: share it
          if (row.content_hash !== contentHash) throw otherVersionError(issue, live[0].worker, options.issueFile);
          runId = row.run_id;
          this.db.prepare("UPDATE send_runs SET updated_at = ? WHERE issue = ?").run(t, issue);
        } else {
          this.unchanged(issue, contentHash, options);
          runId = (row?.run_id ?? 0) + 1;
          this.stmt.upsertRun.run(issue, contentHash, subject, runId, t, t);
        }
        this.stmt.upsertWorker.run({
          worker: this.worker,
          issue,
          runId,
          host: workerHost(),
          pid: process.pid,
          now: t,
          lease: nowMs + (options.leaseMs ?? DEFAULT_LEASE_MS),
        });
        return runId;
      })
      .immediate();
  }

  /** Workers of this machine whose process is gone: ended now, their readers free (ledger.ts `deadHere`). */
  private reapDead(issue: string, nowMs: number): void {
    const candidates = this.db
      .prepare("SELECT worker, host, pid FROM send_workers WHERE issue = ? AND ended_at IS NULL AND lease_expires_at > ? AND worker <> ?")
      .all(issue, nowMs, this.worker) as { worker: string; host: string; pid: number }[];
    for (const w of candidates.filter((c) => deadHere(c))) {
      this.db.prepare("UPDATE send_workers SET lease_expires_at = ? WHERE worker = ? AND issue = ?").run(nowMs, w.worker, issue);
      this.db
        .prepare("UPDATE send_ledger SET lease_expires_at = 0 WHERE issue = ? AND state = 'in_flight' AND claimed_by = ?")
        .run(issue, w.worker);
    }
  }

  async assertUnchanged(issue: string, contentHash: string, options: BeginOptions = {}): Promise<void> {
    this.unchanged(issue, contentHash, options);
  }

  private unchanged(issue: string, contentHash: string, options: BeginOptions): void {
    const row = this.stmt.run.get(issue) as { content_hash: string } | undefined;
    if (!row || row.content_hash === contentHash || options.allowChanged) return;
    const started = (
      this.db.prepare("SELECT count(*) AS n FROM send_ledger WHERE issue = ? AND state IN ('sent', 'in_flight', 'failed')").get(issue) as {
        n: number;
      }
    ).n;
    if (started > 0) throw changedError(started, options.issueFile);
  }

  async endRun(issue: string): Promise<void> {
    this.db
      .transaction(() => {
        const t = iso();
        const nowMs = Date.now();
        this.db
          .prepare("UPDATE send_workers SET ended_at = ?, updated_at = ?, lease_expires_at = ? WHERE worker = ? AND issue = ?")
          .run(t, t, nowMs, this.worker, issue);
        this.db
          .prepare("UPDATE send_ledger SET lease_expires_at = 0 WHERE issue = ? AND state = 'in_flight' AND claimed_by = ?")
          .run(issue, this.worker);
        this.db.prepare("UPDATE send_runs SET updated_at = ? WHERE issue = ?").run(t, issue);
      })
      .immediate();
  }

  async setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): Promise<void> {
    this.db
      .prepare("UPDATE send_runs SET total = ?, invalid = ?, duplicates = ?, updated_at = ? WHERE issue = ?")
      .run(stats.total, stats.invalid, stats.duplicates, iso(), issue);
  }

  async addInvalid(issue: string, runId: number, rows: readonly InvalidListRow[]): Promise<void> {
    if (!rows.length) return;
    const drop = this.db.prepare("DELETE FROM send_invalid WHERE issue = ? AND run_id < ?");
    const insert = this.db.prepare(
      "INSERT INTO send_invalid (issue, run_id, line, address, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issue, run_id, line) DO NOTHING",
    );
    this.db
      .transaction(() => {
        drop.run(issue, runId);
        for (const r of rows) insert.run(issue, runId, r.line, r.address, r.reason);
      })
      .immediate();
  }

  async invalidRows(issue: string, limit = 100_000): Promise<InvalidListRow[]> {
    return this.db
      .prepare(
        `SELECT line, address, reason FROM send_invalid
         WHERE issue = ? AND run_id = (SELECT run_id FROM send_runs WHERE issue = ?) ORDER BY line LIMIT ?`,
      )
      .all(issue, issue, limit) as InvalidListRow[];
  }

  async addRecipients(issue: string, runId: number, rows: readonly NewRecipient[]): Promise<number> {
    return this.db
      .transaction(() => {
        const t = iso();
        let duplicates = 0;
        for (const r of rows) {
          const changes = this.stmt.upsert.run({
            issue,
            email: r.email,
            address: r.address,
            fields: JSON.stringify(r.fields),
            line: r.line,
            runId,
            worker: this.worker,
            messageId: r.messageId,
            now: t,
          }).changes;
          if (changes === 0) duplicates++;
        }
        return duplicates;
      })
      .immediate();
  }

  async recoverInFlight(issue: string, _runId: number): Promise<number> {
    return this.db
      .prepare(
        `UPDATE send_ledger SET state = 'pending', in_doubt = 1, claimed_by = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE issue = ? AND state = 'in_flight' AND coalesce(lease_expires_at, 0) < ? AND claimed_by IS NOT ?`,
      )
      .run(iso(), issue, Date.now(), this.worker).changes;
  }

  async retryFailed(issue: string, runId: number): Promise<number> {
    return this.db
      .prepare(
        "UPDATE send_ledger SET state = 'pending', attempts = 0, next_at = 0, deferred_since = NULL, updated_at = ? WHERE issue = ? AND run_id = ? AND state = 'failed'",
      )
      .run(iso(), issue, runId).changes;
  }

  async suppressBounced(issue: string, runId: number): Promise<number> {
    const rows = this.db
      .prepare(
        "SELECT email, last_code AS code, coalesce(last_response, '') AS response FROM send_ledger WHERE issue = ? AND run_id = ? AND state = 'failed' AND last_code BETWEEN 500 AND 599",
      )
      .all(issue, runId) as { email: string; code: number; response: string }[];
    const insert = this.db.prepare(
      "INSERT INTO suppressed (email, reason, source) VALUES (?, 'bounced', ?) ON CONFLICT (email) DO NOTHING",
    );
    return this.db
      .transaction(() => {
        let added = 0;
        for (const r of rows) {
          const source = bounceSource(issue, r.code, r.response);
          if (source) added += insert.run(r.email, source).changes;
        }
        return added;
      })
      .immediate();
  }

  async resent(issue: string, limit = 1000): Promise<{ email: string; times: number }[]> {
    return this.db
      .prepare("SELECT address AS email, resent AS times FROM send_ledger WHERE issue = ? AND resent > 0 ORDER BY id LIMIT ?")
      .all(issue, limit) as { email: string; times: number }[];
  }

  async resentCount(issue: string): Promise<number> {
    return (this.db.prepare("SELECT count(*) AS n FROM send_ledger WHERE issue = ? AND resent > 0").get(issue) as { n: number }).n;
  }

  async recordAndClaim(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    options: { at?: number; leaseMs?: number } = {},
  ): Promise<ClaimResult> {
    return this.tx.recordAndClaim.immediate(issue, runId, outcomes, limit, options.at ?? Date.now(), options.leaseMs ?? DEFAULT_LEASE_MS);
  }

  private recordAndClaimTx(issue: string, runId: number, outcomes: Outcome[], limit: number, at: number, leaseMs: number): ClaimResult {
    const lost = this.recordMany(outcomes);
    const claimed: LedgerRow[] = [];
    const suppressed: string[] = [];
    const nowMs = Date.now();
    const base = { now: iso(), nowMs, issue, runId, at, worker: this.worker, lease: nowMs + leaseMs };
    const { claimDeferred, claimExpired, claimPending } = this.stmt;
    const statements = this.stmt.dueOrExpired.get({ issue, runId, at, nowMs, worker: this.worker })
      ? [claimDeferred, claimExpired, claimPending]
      : [claimPending];
    for (;;) {
      let rows: Record<string, unknown>[] = [];
      for (const statement of statements) {
        const want = limit - claimed.length - rows.length;
        if (want <= 0) break;
        rows = rows.concat(statement.all({ ...base, limit: want }) as Record<string, unknown>[]);
      }
      if (!rows.length) break;
      rows.sort((a, b) => (a.id as number) - (b.id as number));
      for (const r of rows) {
        if (r.state === "suppressed") {
          suppressed.push(r.address as string);
          continue;
        }
        claimed.push({
          id: r.id as number,
          email: r.email as string,
          address: r.address as string,
          fields: JSON.parse(r.fields as string),
          attempts: r.attempts as number,
          messageId: r.message_id as string,
          deferredSince: (r.deferred_since as number | null) ?? undefined,
          inDoubt: r.in_doubt === 1,
        });
      }
      if (claimed.length >= limit) break;
    }
    return { claimed, suppressed, lost };
  }

  async record(outcomes: Outcome[]): Promise<number> {
    return outcomes.length ? this.tx.record.immediate(outcomes) : 0;
  }

  private recordMany(outcomes: Outcome[]): number {
    const t = iso();
    const nowMs = Date.now();
    let lost = 0;
    for (const o of outcomes) {
      const changes =
        o.state === "pending"
          ? // claimed but never handed over (or refused for the sender's reason): back in the queue
            this.stmt.release.run({ attempts: o.attempts, now: t, id: o.id, worker: this.worker }).changes
          : this.stmt.record.run({
              id: o.id,
              worker: this.worker,
              state: o.state,
              attempts: o.attempts,
              code: o.code ?? null,
              response: o.response ?? null,
              nextAt: o.nextAt ?? 0,
              providerId: o.providerId ?? null,
              now: t,
              nowMs,
            }).changes;
      if (changes === 0) lost++;
    }
    return lost;
  }

  async heartbeat(issue: string, leaseMs = DEFAULT_LEASE_MS): Promise<void> {
    this.tx.heartbeat.immediate(issue, leaseMs);
  }

  async nextDue(issue: string, runId: number): Promise<NextDue | undefined> {
    const deferred = (this.stmt.nextDeferred.get(issue, runId) as { t: number | null }).t;
    const lease = (this.stmt.nextLease.get(issue, runId, this.worker) as { t: number | null }).t;
    if (lease !== null && (deferred === null || lease < deferred)) return { at: lease + 5, kind: "lease" };
    return deferred === null ? undefined : { at: deferred, kind: "deferred" };
  }

  async counts(issue: string, runId?: number): Promise<LedgerCounts> {
    const rows = (
      runId === undefined
        ? this.db.prepare("SELECT state, count(*) AS n FROM send_ledger WHERE issue = ? GROUP BY state").all(issue)
        : this.db.prepare("SELECT state, count(*) AS n FROM send_ledger WHERE issue = ? AND run_id = ? GROUP BY state").all(issue, runId)
    ) as { state: LedgerState; n: number }[];
    return countsOf(rows);
  }

  async failures(issue: string, runId?: number, limit = 1000): Promise<LedgerFailure[]> {
    const sql = `SELECT address AS email, last_code AS code, coalesce(last_response, '') AS message, attempts FROM send_ledger
      WHERE issue = ? ${runId === undefined ? "" : "AND run_id = ?"} AND state = 'failed' ORDER BY id LIMIT ?`;
    const params = runId === undefined ? [issue, limit] : [issue, runId, limit];
    return this.db.prepare(sql).all(...params) as LedgerFailure[];
  }

  async workers(issue: string): Promise<WorkerInfo[]> {
    const figures = new Map(
      (
        this.db
          .prepare(
            `SELECT claimed_by AS worker, sum(state = 'sent') AS sent, sum(state = 'failed') AS failed, sum(state = 'suppressed') AS suppressed,
               sum(state = 'sent' AND resent > 0) AS resent
             FROM send_ledger WHERE issue = ? AND claimed_by IS NOT NULL GROUP BY claimed_by`,
          )
          .all(issue) as { worker: string; sent: number; failed: number; suppressed: number; resent: number }[]
      ).map((f) => [f.worker, f]),
    );
    const nowMs = Date.now();
    return (
      this.db.prepare("SELECT * FROM send_workers WHERE issue = ? ORDER BY started_at, worker").all(issue) as {
        worker: string;
        host: string;
        pid: number;
        run_id: number;
        started_at: string;
        updated_at: string;
        lease_expires_at: number;
        ended_at: string | null;
      }[]
    ).map((w) => {
      const f = figures.get(w.worker);
      return {
        worker: w.worker,
        host: w.host,
        pid: w.pid,
        runId: w.run_id,
        startedAt: w.started_at,
        updatedAt: w.updated_at,
        live: w.ended_at === null && w.lease_expires_at > nowMs,
        ended: w.ended_at !== null,
        sent: f?.sent ?? 0,
        failed: f?.failed ?? 0,
        suppressed: f?.suppressed ?? 0,
        resent: f?.resent ?? 0,
      };
    });
  }

  async isSent(issue: string, email: string): Promise<boolean> {
    return this.stmt.isSent.get(issue, email) !== undefined;
  }

  async clear(issue: string): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM send_ledger WHERE issue = ?").run(issue);
        this.db.prepare("DELETE FROM send_runs WHERE issue = ?").run(issue);
        this.db.prepare("DELETE FROM send_workers WHERE issue = ?").run(issue);
      })
      .immediate();
  }

  async checkpoint(): Promise<void> {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  /** Issues the ledger knows, newest first. */
  async issues(): Promise<RunInfo[]> {
    return (this.db.prepare("SELECT issue FROM send_runs ORDER BY updated_at DESC").all() as { issue: string }[]).map(
      (r) => this.runInfo(r.issue)!,
    );
  }
}
