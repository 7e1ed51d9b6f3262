import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { RassylkaError } from "../diagnostics.js";

/**
 * The send ledger behind the store: one row per (issue, recipient), next to
 * `suppressed`, in the SQLite file (src/state/ledger-sqlite.ts) or in the shared PostgreSQL database
 * (src/state/ledger-postgres.ts). Every operation is one short transaction.
 *
 *   pending ──claim──▶ in_flight ──sent──▶ sent
 *      ▲                  │ ├──5xx──────▶ failed
 *      │                  │ └──4xx/drop──▶ deferred ──(next_at)──▶ claimed again … failed after max attempts
 *      └── lease expired ─┘  (the worker died or stalled: whoever claims the row again marks it in doubt,
 *                               sends it, reports it as resent, and `resent` counts it)
 *
 * A row is marked in flight (committed) before the message is handed to the transport, and its outcome
 * is committed right after — so a crash can only cause the few in-flight readers to get it again, never
 * a skipped reader. Suppressions are checked inside the claim, so an unsubscribe `serve` recorded on
 * another machine a moment ago is honoured.
 *
 * Leases, not pids: each claim carries the worker's id (`claimed_by`, host:pid:random) and a lease
 * expiry, renewed by the worker's heartbeat (src/send/lease.ts). Several workers — the same `rassylka
 * send` started on several machines, or several times on one — join one run of an issue and share its
 * readers: each row is claimed by exactly one worker (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite one
 * `BEGIN IMMEDIATE` per claim). A worker records only rows it still holds; a row whose lease expired is
 * claimed by another worker. `send_workers` keeps each worker's figures for `rassylka status`.
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
  /** In flight when a worker died (or lost its lease): it may already have the issue. */
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

/** A list row that is not an address: its line in the list, what was there, and why it was skipped. */
export interface InvalidListRow {
  line: number;
  address: string;
  reason: string;
}

export interface NewRecipient {
  email: string;
  address: string;
  fields: Record<string, string>;
  line: number;
  messageId: string;
}

/** One worker of a send, as `status` shows it. */
export interface WorkerInfo {
  worker: string;
  host: string;
  pid: number;
  runId: number;
  startedAt: string;
  updatedAt: string;
  /** Its lease is current: it is sending (or importing its list) now. */
  live: boolean;
  /** It ended (finished or stopped) rather than vanished. */
  ended: boolean;
  sent: number;
  failed: number;
  suppressed: number;
  resent: number;
}

export interface ClaimResult {
  claimed: LedgerRow[];
  /** Addresses found suppressed at claim time (marked as such, not delivered). */
  suppressed: string[];
  /** Outcomes not recorded because another worker holds the row now (this worker lost its lease). */
  lost: number;
}

export interface BeginOptions {
  allowChanged?: boolean;
  issueFile?: string;
  /** This worker's lease, ms (default DEFAULT_LEASE_MS). */
  leaseMs?: number;
}

/** When the loop should look again: a deferred reader's retry, or another worker's lease running out. */
export interface NextDue {
  /** ms since the epoch, on this machine's clock. */
  at: number;
  /** `deferred`: a retry; `lease`: readers in flight with another worker, claimable if its lease expires. */
  kind: "deferred" | "lease";
}

export interface LedgerStore {
  /** Where it is, fit to print. */
  readonly location: string;
  /** This process's worker id (host:pid:random): what its claims carry. */
  readonly worker: string;
  getRun(issue: string): Promise<RunInfo | undefined>;
  /** Issues the ledger knows, newest first (for `status` without an argument). */
  issues(): Promise<RunInfo[]>;
  /**
   * Starts a run of an issue, or joins the one live workers are sending (same run id): refuses when the
   * issue changed since readers started getting it (unless allowChanged), and a worker of a different
   * version that is sending now. Registers this worker with its lease. Returns the run id.
   */
  beginRun(issue: string, contentHash: string, subject: string, options?: BeginOptions): Promise<number>;
  /** Refuses when the issue changed since readers started getting it, unless allowChanged. */
  assertUnchanged(issue: string, contentHash: string, options?: BeginOptions): Promise<void>;
  /** This worker is done with the issue: its worker row ends, and anything it still had in flight is free at once. */
  endRun(issue: string): Promise<void>;
  setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): Promise<void>;
  /**
   * A batch of the list's rows that are not addresses (kept here, not in the send's memory). The
   * rows of the issue's earlier runs are dropped; several workers reading the same list add each row once.
   */
  addInvalid(issue: string, runId: number, rows: readonly InvalidListRow[]): Promise<void>;
  /** The invalid rows of the issue's latest run, by line. */
  invalidRows(issue: string, limit?: number): Promise<InvalidListRow[]>;
  /** A batch of list rows in one transaction; returns how many were duplicates within this worker's list. */
  addRecipients(issue: string, runId: number, rows: readonly NewRecipient[]): Promise<number>;
  /**
   * Rows whose worker died (lease expired, or no lease) left in flight, of any list: back to pending and
   * marked in doubt. Rows other live workers hold are left alone. Returns how many it found.
   */
  recoverInFlight(issue: string, runId: number): Promise<number>;
  /** `--retry-failed`: the failed readers of this run's list back in the queue, as if never tried. */
  retryFailed(issue: string, runId: number): Promise<number>;
  /** Failed readers whose reply says the mailbox does not exist (HARD_BOUNCE) → suppressed as bounced; how many. */
  suppressBounced(issue: string, runId: number): Promise<number>;
  /** Readers of an issue sent again after a crash or a lost lease (any run), with how many times. */
  resent(issue: string, limit?: number): Promise<{ email: string; times: number }[]>;
  resentCount(issue: string): Promise<number>;
  /**
   * One transaction (or two on PostgreSQL): record finished outcomes of rows this worker still holds,
   * then claim up to `limit` readers — due deferred ones and those whose lease expired first, then
   * pending — in flight under this worker's lease. Suppressed readers found on the way are marked and
   * returned apart.
   */
  recordAndClaim(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    options?: { at?: number; leaseMs?: number },
  ): Promise<ClaimResult>;
  /** Records outcomes of rows this worker still holds; returns how many it could not (lost leases). */
  record(outcomes: Outcome[]): Promise<number>;
  /** Extends this worker's leases (its row in send_workers and its in-flight rows). */
  heartbeat(issue: string, leaseMs?: number): Promise<void>;
  /** The next time worth claiming again in this run, or undefined when nothing is waiting. */
  nextDue(issue: string, runId: number): Promise<NextDue | undefined>;
  /** Counts over the whole ledger of an issue, or over one run's list. */
  counts(issue: string, runId?: number): Promise<LedgerCounts>;
  failures(issue: string, runId?: number, limit?: number): Promise<LedgerFailure[]>;
  /** The workers that sent (or send) the issue, oldest first. */
  workers(issue: string): Promise<WorkerInfo[]>;
  /** Readers of `issue` the real ledger already shows as sent (for a dry run's "already sent"). */
  isSent(issue: string, email: string): Promise<boolean>;
  /** Forget a scratch ledger (test copies, dry runs). */
  clear(issue: string): Promise<void>;
  /** SQLite: copy the WAL into the database file (with synchronous=NORMAL this is when records are fsynced). */
  checkpoint(): Promise<void>;
}

/** How long a claim is a worker's without a heartbeat, ms: a dead worker's readers are taken over after this. */
export const DEFAULT_LEASE_MS = 60_000;
/** `RASSYLKA_LEASE_MS`: a shorter lease (tests, benchmarks); at least 50 ms. */
export const LEASE_ENV = "RASSYLKA_LEASE_MS";
/** `RASSYLKA_WORKER_HOST`: the host name in this worker's id (default: the machine's). */
export const WORKER_HOST_ENV = "RASSYLKA_WORKER_HOST";

export function leaseMsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env[LEASE_ENV]);
  return Number.isFinite(n) && n > 0 ? Math.max(50, Math.round(n)) : DEFAULT_LEASE_MS;
}

/** host:pid:random — unique per process even when a pid is reused or two machines share a name. */
export function workerId(env: NodeJS.ProcessEnv = process.env): string {
  return `${workerHost(env)}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

export function workerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env[WORKER_HOST_ENV]?.trim() || hostname();
}

/**
 * A worker on this host whose process is gone (a crash, kill -9) need not be waited for until its
 * lease runs out: the next send on the same machine takes its readers over at once. Only a shortcut —
 * a reused pid just means waiting for the lease, as on another machine.
 */
export function deadHere(w: { host: string; pid: number }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (w.host !== workerHost(env) || w.pid === process.pid) return false;
  try {
    process.kill(w.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * RFC 3463 enhanced status codes that say the mailbox does not exist or is disabled: 5.1.1 (no such
 * user), 5.1.10 (RFC 7505 null MX), 5.2.1 (mailbox disabled). Policy refusals (5.7.x) are not.
 */
export const HARD_BOUNCE = /(?:^|[^\d.])5\.(?:1\.1|1\.10|2\.1)(?![\d.])/;

/** The suppression source of a hard bounce: `send ISSUE: 550 5.1.1`. */
export function bounceSource(issue: string, code: number, response: string): string | undefined {
  const m = HARD_BOUNCE.exec(response);
  return m ? `send ${issue}: ${code} ${m[0].replace(/^[^5]/, "")}` : undefined;
}

export function changedError(started: number, issueFile?: string): RassylkaError {
  return new RassylkaError({
    ruleId: "send/changed",
    severity: "error",
    message: `the issue changed since its send started (${started} reader(s) already got the earlier version)`,
    file: issueFile,
    fix: "re-run with --allow-changed to send the new version to the remaining readers (nobody gets it twice), or undo the edit",
  });
}

/** A live worker sends another version of the issue: joining would mix the two. */
export function otherVersionError(issue: string, worker: string, issueFile?: string): RassylkaError {
  return new RassylkaError({
    ruleId: "send/running",
    severity: "error",
    message: `another rassylka worker (${worker}) is sending a different version of "${issue}" right now`,
    file: issueFile,
    fix: "wait for it to finish (or stop it), then re-run: the ledger resumes where it stopped; to share a send, start the same issue file everywhere",
  });
}

/** Rows of (state, count) → the counts both backends report. */
export function countsOf(rows: readonly { state: LedgerState; n: number }[]): LedgerCounts {
  const by = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) as Partial<Record<LedgerState, number>>;
  const c = (s: LedgerState) => by[s] ?? 0;
  return {
    total: rows.reduce((a, r) => a + Number(r.n), 0),
    sent: c("sent"),
    failed: c("failed"),
    pending: c("pending") + c("deferred") + c("in_flight"),
    inFlight: c("in_flight"),
    deferred: c("deferred"),
    suppressed: c("suppressed"),
  };
}
