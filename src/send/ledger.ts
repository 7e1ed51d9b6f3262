import { hostname } from "node:os";
import { RassylkaError } from "../diagnostics.js";
import type { StateDb } from "../state/db.js";
import { SQLITE_LEDGER } from "../state/schema.js";

/**
 * The send ledger: one row per (issue, recipient) in the state file, next to `suppressed`.
 *
 *   pending ──claim──▶ in_flight ──sent──▶ sent
 *      ▲                  │ ├──5xx──────▶ failed
 *      │                  │ └──4xx/drop──▶ deferred ──(next_at)──▶ claimed again … failed after max attempts
 *      └── process died ──┘  (rows still in_flight at start: back to pending, marked in doubt; whichever
 *                               run sends them again reports them as resent, and `resent` counts it)
 *
 * A row is marked in flight (committed) before the message is handed to the transport, and its outcome
 * is committed right after — so a crash can only cause the few in-flight readers to get it again, never
 * a skipped reader (unlike cursors advanced when a batch is fetched). Suppressions are checked at claim.
 *
 * `run_id` is the run that last listed the reader: a run sends only to the list it was given, so a
 * `--to one@x.ru` after a partial send of the whole list does not quietly continue the whole list.
 */
export type LedgerState = "pending" | "in_flight" | "sent" | "failed" | "deferred" | "suppressed";

export interface LedgerRow {
  id: number;
  email: string;
  address: string;
  fields: Record<string, string>;
  attempts: number;
  messageId: string;
  /** When the reader's first temporary failure of this stretch happened (ms), for the retry window. */
  deferredSince?: number;
  /** In flight when a process died: it may already have the issue. */
  inDoubt: boolean;
}

export interface Outcome {
  id: number;
  /**
   * `pending`: claimed but never handed over (the run stopped first), or handed over and refused for a
   * reason that is the sender's: back in the queue with `attempts` as before.
   */
  state: "sent" | "failed" | "deferred" | "pending";
  attempts: number;
  code?: number;
  response?: string;
  /** For deferred: when to try again (ms since epoch). */
  nextAt?: number;
  providerId?: string;
}

export interface RunInfo {
  issue: string;
  contentHash: string;
  subject: string;
  runId: number;
  total: number;
  invalid: number;
  duplicates: number;
  startedAt: string;
  updatedAt: string;
}

export interface LedgerCounts {
  total: number;
  sent: number;
  failed: number;
  pending: number;
  inFlight: number;
  deferred: number;
  suppressed: number;
}

export interface LedgerFailure {
  email: string;
  code: number | null;
  message: string;
  attempts: number;
}

const now = () => new Date().toISOString();

/** Columns added since the first state files: added in place (a second process may race us to it). */
const ADDED_COLUMNS: [string, string][] = [
  ["in_doubt", "INTEGER NOT NULL DEFAULT 0"],
  ["deferred_since", "INTEGER"],
];

function migrate(db: StateDb): void {
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

/**
 * RFC 3463 enhanced status codes that say the mailbox does not exist or is disabled: 5.1.1 (no such
 * user), 5.1.10 (RFC 7505 null MX), 5.2.1 (mailbox disabled). Policy refusals (5.7.x) are not.
 */
export const HARD_BOUNCE = /(?:^|[^\d.])5\.(?:1\.1|1\.10|2\.1)(?![\d.])/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Ledger {
  private readonly stmt;
  private readonly tx;
  /** Deferred readers of the current run (this process is the only writer of a running issue). */
  private deferredWaiting = -1; // -1: not counted yet
  constructor(readonly db: StateDb) {
    db.exec(SQLITE_LEDGER);
    migrate(db);
    this.stmt = {
      run: db.prepare("SELECT * FROM send_runs WHERE issue = ?"),
      upsert: db.prepare(`
        INSERT INTO send_ledger (issue, email, address, fields, line, run_id, message_id, created_at, updated_at)
        VALUES (@issue, @email, @address, @fields, @line, @runId, @messageId, @now, @now)
        ON CONFLICT (issue, email) DO UPDATE SET
          run_id = excluded.run_id,
          line = excluded.line,
          address = CASE WHEN state IN ('pending', 'deferred', 'suppressed') THEN excluded.address ELSE address END,
          fields = CASE WHEN state IN ('pending', 'deferred', 'suppressed') THEN excluded.fields ELSE fields END,
          state = CASE WHEN state = 'suppressed' THEN 'pending' ELSE state END,
          updated_at = excluded.updated_at
        WHERE run_id <> excluded.run_id`),
      // one statement claims: suppressed readers are marked as such, the others in flight (RETURNING, SQLite ≥ 3.35)
      claimDeferred: db.prepare(`
        UPDATE send_ledger SET updated_at = @now,
          state = CASE WHEN EXISTS (SELECT 1 FROM suppressed s WHERE s.email = send_ledger.email) THEN 'suppressed' ELSE 'in_flight' END
        WHERE id IN (SELECT id FROM send_ledger WHERE issue = @issue AND run_id = @runId AND state = 'deferred' AND next_at <= @at ORDER BY next_at, id LIMIT @limit)
        RETURNING id, email, address, fields, attempts, message_id, state, deferred_since, in_doubt`),
      claimPending: db.prepare(`
        UPDATE send_ledger SET updated_at = @now,
          state = CASE WHEN EXISTS (SELECT 1 FROM suppressed s WHERE s.email = send_ledger.email) THEN 'suppressed' ELSE 'in_flight' END
        WHERE id IN (SELECT id FROM send_ledger WHERE issue = @issue AND run_id = @runId AND state = 'pending' ORDER BY id LIMIT @limit)
        RETURNING id, email, address, fields, attempts, message_id, state, deferred_since, in_doubt`),
      record: db.prepare(
        `UPDATE send_ledger SET state = @state, attempts = @attempts, last_code = @code, last_response = @response, next_at = @nextAt,
          provider_id = coalesce(@providerId, provider_id), updated_at = @now,
          sent_at = CASE WHEN @state = 'sent' THEN @now ELSE sent_at END,
          deferred_since = CASE WHEN @state = 'deferred' THEN coalesce(deferred_since, @nowMs) END,
          resent = resent + (CASE WHEN @state = 'sent' THEN in_doubt ELSE 0 END),
          in_doubt = CASE WHEN @state = 'sent' THEN 0 ELSE in_doubt END
        WHERE id = @id`,
      ),
      release: db.prepare("UPDATE send_ledger SET state = 'pending', attempts = ?, updated_at = ? WHERE id = ?"),
      nextDue: db.prepare("SELECT min(next_at) AS t FROM send_ledger WHERE issue = ? AND run_id = ? AND state = 'deferred'"),
      countDeferred: db.prepare("SELECT count(*) AS n FROM send_ledger WHERE issue = ? AND run_id = ? AND state = 'deferred'"),
      isSent: db.prepare("SELECT 1 FROM send_ledger WHERE issue = ? AND email = ? AND state = 'sent'"),
    };
    // transaction wrappers made once: they are called once per message
    this.tx = {
      recordAndClaim: db.transaction((issue: string, runId: number, outcomes: Outcome[], limit: number, at: number) =>
        this.recordAndClaimTx(issue, runId, outcomes, limit, at),
      ),
      record: db.transaction((outcomes: Outcome[]) => this.recordMany(outcomes)),
    };
  }

  getRun(issue: string): RunInfo | undefined {
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

  /**
   * Start (or resume) a run of an issue: refuses when another live process is sending it, or when the
   * issue changed since readers started getting it (unless allowChanged). Returns the new run id.
   */
  beginRun(issue: string, contentHash: string, subject: string, options: { allowChanged?: boolean; issueFile?: string } = {}): number {
    return this.db.transaction(() => {
      const row = this.stmt.run.get(issue) as { content_hash: string; run_id: number; pid: number | null; host: string | null } | undefined;
      const t = now();
      if (row?.pid && row.pid !== process.pid && row.host === hostname() && alive(row.pid)) {
        throw new RassylkaError({
          ruleId: "send/running",
          severity: "error",
          message: `another rassylka process (pid ${row.pid}) is sending "${issue}" right now`,
          fix: `wait for it to finish, or stop it (kill ${row.pid}) and re-run: the ledger resumes where it stopped`,
        });
      }
      this.assertUnchanged(issue, contentHash, options);
      const runId = (row?.run_id ?? 0) + 1;
      this.db
        .prepare(
          `INSERT INTO send_runs (issue, content_hash, subject, run_id, pid, host, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (issue) DO UPDATE SET content_hash = excluded.content_hash, subject = excluded.subject, run_id = excluded.run_id,
             pid = excluded.pid, host = excluded.host, updated_at = excluded.updated_at`,
        )
        .run(issue, contentHash, subject, runId, process.pid, hostname(), t, t);
      return runId;
    })();
  }

  /** Refuses when the issue changed since readers started getting it, unless allowChanged. */
  assertUnchanged(issue: string, contentHash: string, options: { allowChanged?: boolean; issueFile?: string } = {}): void {
    const row = this.stmt.run.get(issue) as { content_hash: string } | undefined;
    if (!row || row.content_hash === contentHash || options.allowChanged) return;
    const started = (
      this.db.prepare("SELECT count(*) AS n FROM send_ledger WHERE issue = ? AND state IN ('sent', 'in_flight', 'failed')").get(issue) as {
        n: number;
      }
    ).n;
    if (started > 0) {
      throw new RassylkaError({
        ruleId: "send/changed",
        severity: "error",
        message: `the issue changed since its send started (${started} reader(s) already got the earlier version)`,
        file: options.issueFile,
        fix: "re-run with --allow-changed to send the new version to the remaining readers (nobody gets it twice), or undo the edit",
      });
    }
  }

  endRun(issue: string): void {
    this.db
      .prepare("UPDATE send_runs SET pid = NULL, host = NULL, updated_at = ? WHERE issue = ? AND pid = ?")
      .run(now(), issue, process.pid);
  }

  setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): void {
    this.db
      .prepare("UPDATE send_runs SET total = ?, invalid = ?, duplicates = ?, updated_at = ? WHERE issue = ?")
      .run(stats.total, stats.invalid, stats.duplicates, now(), issue);
  }

  /** A batch of list rows in one transaction; returns how many were duplicates within this run. */
  addRecipients(
    issue: string,
    runId: number,
    rows: { email: string; address: string; fields: Record<string, string>; line: number; messageId: string }[],
  ): number {
    return this.db.transaction(() => {
      const t = now();
      let duplicates = 0;
      for (const r of rows) {
        const changes = this.stmt.upsert.run({
          issue,
          email: r.email,
          address: r.address,
          fields: JSON.stringify(r.fields),
          line: r.line,
          runId,
          messageId: r.messageId,
          now: t,
        }).changes;
        if (changes === 0) duplicates++;
      }
      return duplicates;
    })();
  }

  /**
   * Rows a dead process left in flight, of any list: back to pending and marked in doubt (the transport
   * may or may not have delivered them). Whichever run sends one again reports it as resent, and the
   * row counts it (`resent`, shown by `status`): a run with another list leaves the marks in place.
   * Returns how many rows it found.
   */
  recoverInFlight(issue: string, runId: number): number {
    return this.db.transaction(() => {
      const found = this.db
        .prepare("UPDATE send_ledger SET state = 'pending', in_doubt = 1, updated_at = ? WHERE issue = ? AND state = 'in_flight'")
        .run(now(), issue).changes;
      this.deferredWaiting = (this.stmt.countDeferred.get(issue, runId) as { n: number }).n;
      return found;
    })();
  }

  /** `--retry-failed`: the failed readers of this run's list back in the queue, as if never tried. */
  retryFailed(issue: string, runId: number): number {
    return this.db
      .prepare(
        "UPDATE send_ledger SET state = 'pending', attempts = 0, next_at = 0, deferred_since = NULL, updated_at = ? WHERE issue = ? AND run_id = ? AND state = 'failed'",
      )
      .run(now(), issue, runId).changes;
  }

  /**
   * Readers of this run's list that failed with a reply saying their mailbox does not exist (HARD_BOUNCE)
   * go on the suppression list, reason `bounced`, the reply's code as the source. Returns how many were added.
   */
  suppressBounced(issue: string, runId: number): number {
    const rows = this.db
      .prepare(
        "SELECT email, last_code AS code, coalesce(last_response, '') AS response FROM send_ledger WHERE issue = ? AND run_id = ? AND state = 'failed' AND last_code BETWEEN 500 AND 599",
      )
      .all(issue, runId) as { email: string; code: number; response: string }[];
    const insert = this.db.prepare(
      "INSERT INTO suppressed (email, reason, source) VALUES (?, 'bounced', ?) ON CONFLICT (email) DO NOTHING",
    );
    return this.db.transaction(() => {
      let added = 0;
      for (const r of rows) {
        const m = HARD_BOUNCE.exec(r.response);
        if (m) added += insert.run(r.email, `send ${issue}: ${r.code} ${m[0].replace(/^[^5]/, "")}`).changes;
      }
      return added;
    })();
  }

  /** Readers of an issue sent again after a crash (any run), with how many times. */
  resent(issue: string, limit = 1000): { email: string; times: number }[] {
    return this.db
      .prepare("SELECT address AS email, resent AS times FROM send_ledger WHERE issue = ? AND resent > 0 ORDER BY id LIMIT ?")
      .all(issue, limit) as { email: string; times: number }[];
  }

  resentCount(issue: string): number {
    return (this.db.prepare("SELECT count(*) AS n FROM send_ledger WHERE issue = ? AND resent > 0").get(issue) as { n: number }).n;
  }

  /**
   * One transaction: record finished outcomes, then claim up to `limit` readers (due deferred ones
   * first) and mark them in flight. Suppressed readers found on the way are marked and returned apart.
   */
  recordAndClaim(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    at = Date.now(),
  ): { claimed: LedgerRow[]; suppressed: string[] } {
    return this.tx.recordAndClaim(issue, runId, outcomes, limit, at);
  }

  private recordAndClaimTx(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    at: number,
  ): { claimed: LedgerRow[]; suppressed: string[] } {
    this.recordMany(outcomes);
    const claimed: LedgerRow[] = [];
    const suppressed: string[] = [];
    const t = now();
    if (this.deferredWaiting < 0) this.deferredWaiting = (this.stmt.countDeferred.get(issue, runId) as { n: number }).n;
    while (claimed.length < limit) {
      const want = limit - claimed.length;
      let rows =
        this.deferredWaiting > 0
          ? (this.stmt.claimDeferred.all({ now: t, issue, runId, at, limit: want }) as Record<string, unknown>[])
          : [];
      this.deferredWaiting -= rows.length;
      if (rows.length < want)
        rows = rows.concat(this.stmt.claimPending.all({ now: t, issue, runId, limit: want - rows.length }) as Record<string, unknown>[]);
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
    }
    return { claimed, suppressed };
  }

  record(outcomes: Outcome[]): void {
    if (outcomes.length) this.tx.record(outcomes);
  }

  private recordMany(outcomes: Outcome[]): void {
    const t = now();
    const nowMs = Date.now();
    for (const o of outcomes) {
      if (o.state === "pending") {
        // claimed but never handed over (or refused for the sender's reason): back in the queue
        this.stmt.release.run(o.attempts, t, o.id);
        continue;
      }
      if (o.state === "deferred" && this.deferredWaiting >= 0) this.deferredWaiting++;
      this.stmt.record.run({
        id: o.id,
        state: o.state,
        attempts: o.attempts,
        code: o.code ?? null,
        response: o.response ?? null,
        nextAt: o.nextAt ?? 0,
        providerId: o.providerId ?? null,
        now: t,
        nowMs,
      });
    }
  }

  /** When the earliest deferred reader of this run is due (ms), or undefined when none is waiting. */
  nextDue(issue: string, runId: number): number | undefined {
    if (this.deferredWaiting === 0) return undefined;
    const t = (this.stmt.nextDue.get(issue, runId) as { t: number | null }).t;
    return t ?? undefined;
  }

  /** Counts over the whole ledger of an issue, or over one run's list. */
  counts(issue: string, runId?: number): LedgerCounts {
    const rows = (
      runId === undefined
        ? this.db.prepare("SELECT state, count(*) AS n FROM send_ledger WHERE issue = ? GROUP BY state").all(issue)
        : this.db.prepare("SELECT state, count(*) AS n FROM send_ledger WHERE issue = ? AND run_id = ? GROUP BY state").all(issue, runId)
    ) as { state: LedgerState; n: number }[];
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n])) as Partial<Record<LedgerState, number>>;
    const c = (s: LedgerState) => by[s] ?? 0;
    return {
      total: rows.reduce((a, r) => a + r.n, 0),
      sent: c("sent"),
      failed: c("failed"),
      pending: c("pending") + c("deferred") + c("in_flight"),
      inFlight: c("in_flight"),
      deferred: c("deferred"),
      suppressed: c("suppressed"),
    };
  }

  failures(issue: string, runId?: number, limit = 1000): LedgerFailure[] {
    const sql = `SELECT address AS email, last_code AS code, coalesce(last_response, '') AS message, attempts FROM send_ledger
      WHERE issue = ? ${runId === undefined ? "" : "AND run_id = ?"} AND state = 'failed' ORDER BY id LIMIT ?`;
    const params = runId === undefined ? [issue, limit] : [issue, runId, limit];
    return this.db.prepare(sql).all(...params) as LedgerFailure[];
  }

  /** Issues the ledger knows, newest first (for `status` without an argument). */
  issues(): RunInfo[] {
    return (this.db.prepare("SELECT issue FROM send_runs ORDER BY updated_at DESC").all() as { issue: string }[]).map(
      (r) => this.getRun(r.issue)!,
    );
  }

  /** Copy the WAL into the database file; with synchronous=NORMAL this is when the records are fsynced. */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  /** Forget a scratch ledger (test copies, dry runs). */
  clear(issue: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM send_ledger WHERE issue = ?").run(issue);
      this.db.prepare("DELETE FROM send_runs WHERE issue = ?").run(issue);
    })();
  }

  /** Readers of `issue` the real ledger already shows as sent (for a dry run's "already sent"). */
  isSent(issue: string, email: string): boolean {
    return this.stmt.isSent.get(issue, email) !== undefined;
  }
}
