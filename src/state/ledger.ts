import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { bulk, type Db, type Dialect, empty, join, raw, type Sql, type Steps, sql, statement, step } from "./sql.js";
import { insert as insertSuppression } from "./suppressions.js";

/**
 * The send ledger behind the store: one row per (issue, recipient), next to `suppressed`, in the SQLite
 * file or in the shared PostgreSQL database — the same statements on both (src/state/sql.ts). Every
 * operation is one short transaction.
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
 * `BEGIN IMMEDIATE` per claim: `claim` below). A worker records only rows it still holds; a row whose lease expired is
 * claimed by another worker. `send_workers` keeps each worker's figures for `rassylka status`.
 *
 * `run_id` is the run that last listed the reader: a run sends only to the list it was given, so a
 * `--to one@x.ru` after a partial send of the whole list does not quietly continue the whole list.
 *
 * Trials (a send to the outbox, which delivers to nobody) keep a ledger of their own under `trialKey`,
 * so they never make a real send or a welcome email skip a reader; each trial run lists its readers
 * afresh (`addRecipients`' `again`). Test copies and dry runs keep scratch ledgers the engine clears.
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
  /** How the latest run delivered (`smtp://host:587`, `outbox/<slug>/`); null for runs before migration 7. */
  transport: string | null;
}

/** The ledger of an issue's trials (sends to the outbox): apart from the real one, never counted as delivery. */
export const TRIAL_PREFIX = "trial:";
export function trialKey(slug: string): string {
  return `${TRIAL_PREFIX}${slug}`;
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
  /** How it delivered (null for workers before migration 7). */
  transport: string | null;
  /** Its lease is current and (on this machine) its process is alive: it is sending (or importing its list) now. */
  live: boolean;
  /** It ended (finished or stopped) rather than vanished. */
  ended: boolean;
  sent: number;
  failed: number;
  suppressed: number;
  resent: number;
  /** Readers it held in flight: handed over, or about to be, when it stopped (they may have the issue). */
  inFlight: number;
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
  /** How this run delivers, as `status` names it (the transport's description, without secrets). */
  transport?: string;
  /**
   * The list this worker sends to (src/send/audience.ts `identity`): a live run of the issue with another
   * list refuses it; a new run records it. Undefined: not checked (a welcome issue, one reader at a time).
   */
  audience?: AudienceIdentity;
}

/** Which list a run sends to: its fingerprint, and how to name it to a person. */
export interface AudienceIdentity {
  fingerprint: string;
  label: string;
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
  /**
   * This worker is done with the issue: its worker row ends, and anything it still had in flight is free at
   * once. `started: false` (it stopped before its delivery loop, e.g. on an unreadable list): it was never
   * a worker of the issue, and its row goes.
   */
  endRun(issue: string, options?: { started?: boolean }): Promise<void>;
  setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): Promise<void>;
  /**
   * A batch of the list's rows that are not addresses (kept here, not in the send's memory). The
   * rows of the issue's earlier runs are dropped; several workers reading the same list add each row once.
   */
  addInvalid(issue: string, runId: number, rows: readonly InvalidListRow[]): Promise<void>;
  /** The invalid rows of the issue's latest run, by line. */
  invalidRows(issue: string, limit?: number): Promise<InvalidListRow[]>;
  /**
   * A batch of list rows in one transaction; returns how many were duplicates within this worker's list.
   * `again` (trials): a reader an earlier run listed starts over as pending, whatever that run did.
   */
  addRecipients(issue: string, runId: number, rows: readonly NewRecipient[], options?: { again?: boolean }): Promise<number>;
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
    message: t("send:ledger.changed", { count: started }),
    file: issueFile,
    fix: t("send:ledger.changed.fix"),
  });
}

/** A live worker sends another version of the issue: joining would mix the two. */
export function otherVersionError(issue: string, worker: string, issueFile?: string): RassylkaError {
  return new RassylkaError({
    ruleId: "send/running",
    severity: "error",
    message: t("send:ledger.otherVersion", { worker, issue }),
    file: issueFile,
    fix: t("send:ledger.otherVersion.fix"),
  });
}

/**
 * A live run of the issue sends to another list: joining it would merge the two lists (the running
 * workers would mail this list's readers too, and stopping this one would not stop that).
 */
export function otherListError(
  issue: string,
  running: { label: string; startedAt: string },
  mine: string,
  issueFile?: string,
): RassylkaError {
  return new RassylkaError(
    error("send/other-list", t("send-audience:otherList", { issue, running: running.label, started: running.startedAt, mine }), {
      file: issueFile,
      fix: t("send-audience:otherListFix", { running: running.label, mine }),
    }),
  );
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

/** A run as `RunInfo`: the aliases are the row mapping. */
const RUN = sql`SELECT issue, content_hash AS "contentHash", subject, run_id AS "runId", total, invalid, duplicates,
  started_at AS "startedAt", updated_at AS "updatedAt", transport FROM send_runs`;

interface ClaimedRecord {
  id: number;
  email: string;
  address: string;
  fields: string;
  attempts: number;
  message_id: string;
  state: LedgerState;
  deferred_since: number | null;
  in_doubt: number;
}

/**
 * The claim, one statement on both databases: due deferred rows and rows whose lease ran out (those in
 * doubt) first, then pending ones, in flight under this worker's lease; suppressed readers are marked as
 * such (the EXISTS reads `suppressed` at this moment). PostgreSQL locks the candidates `SKIP LOCKED`, so
 * workers claiming at the same moment each get other rows and none waits; SQLite has no row locks — its
 * claim runs inside `BEGIN IMMEDIATE`, which holds the whole file. Built once; each claim binds its values.
 */
type ClaimParams = Claim & { limit: number };
const claimStatement = (onlyPending: boolean) =>
  statement<ClaimParams>((p, d) => {
    const candidates = (where: Sql, order: string) =>
      sql`SELECT id FROM send_ledger WHERE issue = ${p.issue} AND run_id = ${p.runId} AND ${where} ORDER BY ${raw(order)} LIMIT ${p.limit} ${d.skipLocked}`;
    const chosen = onlyPending
      ? candidates(sql`state = 'pending'`, "id")
      : sql`WITH d AS (${candidates(dueDeferred(p), "next_at, id")}), e AS (${candidates(expiredLease(d, p), "id")}),
        p AS (${candidates(sql`state = 'pending'`, "id")})
      SELECT id FROM (SELECT id, 0 AS k FROM d UNION ALL SELECT id, 0 FROM e UNION ALL SELECT id, 1 FROM p) x ORDER BY k, id LIMIT ${p.limit}`;
    return sql`UPDATE send_ledger SET updated_at = ${d.now}, claimed_by = ${p.worker}, lease_expires_at = ${d.leaseUntil(p.leaseMs)},
      in_doubt = CASE WHEN state = 'in_flight' THEN 1 ELSE in_doubt END,
      state = CASE WHEN EXISTS (SELECT 1 FROM suppressed s WHERE s.email = send_ledger.email) THEN 'suppressed' ELSE 'in_flight' END
    WHERE id IN (${chosen})
    RETURNING id, email, address, fields, attempts, message_id, state, deferred_since, in_doubt`;
  });
const CLAIM = { any: claimStatement(false), pending: claimStatement(true) };

interface Claim {
  issue: string;
  runId: number;
  worker: string;
  at: number;
  leaseMs: number;
}
const dueDeferred = (c: { at: Sql }) => sql`state = 'deferred' AND next_at <= ${c.at}`;
const expiredLease = (d: Dialect, c: { worker: Sql }) =>
  sql`state = 'in_flight' AND coalesce(lease_expires_at, ${d.leaseGone}) < ${d.leaseNow()} AND claimed_by IS DISTINCT FROM ${c.worker}`;

/** Whether a due deferred reader or an expired lease waits: the claim's deferred and expired arms find something. */
const DUE_OR_EXPIRED = statement<Omit<Claim, "leaseMs">>((p, d) => {
  const where = (w: Sql) => sql`EXISTS (SELECT 1 FROM send_ledger WHERE issue = ${p.issue} AND run_id = ${p.runId} AND ${w})`;
  return sql`SELECT 1 AS x WHERE ${where(dueDeferred(p))} OR ${where(expiredLease(d, p))}`;
});

/**
 * SQLite: whether the claim needs its deferred and expired arms at all. They find nothing on almost every
 * call, and there the plain pending claim is about half the cost; PostgreSQL takes all in its one round trip.
 */
function* onlyPending(d: Dialect, c: Claim): Steps<boolean> {
  if (d.name !== "sqlite") return false;
  return (yield* step.get(DUE_OR_EXPIRED(d, c))) === undefined;
}

/**
 * Record finished outcomes, then claim up to `limit` readers (`recordAndClaim`): one unit of steps, which
 * SQLite runs synchronously inside one transaction (see `Steps` in src/state/sql.ts).
 */
function* recordAndClaimSteps(d: Dialect, claim: Claim, outcomes: readonly Outcome[], limit: number): Steps<ClaimResult> {
  const lost = yield* recordOutcomes(d, claim.worker, outcomes);
  const claimed: LedgerRow[] = [];
  const suppressed: string[] = [];
  const pendingOnly = yield* onlyPending(d, claim);
  while (claimed.length < limit) {
    const query = CLAIM[pendingOnly ? "pending" : "any"](d, { ...claim, limit: limit - claimed.length });
    const rows = (yield* step.all<ClaimedRecord>(query)).sort((a, b) => a.id - b.id);
    if (!rows.length) break;
    for (const r of rows) {
      if (r.state === "suppressed") suppressed.push(r.address);
      else claimed.push(rowOf(r));
    }
  }
  return { claimed, suppressed, lost };
}

/**
 * Outcomes of rows this worker still holds → how many it no longer held (lost leases). The one spot
 * where the two databases take different strategies (pg-boss's `noSkipLocked`): SQLite, in-process and
 * inside the claim's transaction, one prepared UPDATE per row; PostgreSQL, a round trip away, every
 * outcome in one `UPDATE … FROM unnest(…)`. `pending` puts a row back in the queue (claimed but never
 * handed over, or refused for the sender's reason — also after this worker recorded it as failed).
 */
function* recordOutcomes(d: Dialect, worker: string, outcomes: readonly Outcome[]): Steps<number> {
  if (!outcomes.length) return 0;
  const now = d.now;
  if (d.name === "postgres") {
    const column = <T>(f: (o: Outcome) => T) => outcomes.map(f);
    return (
      outcomes.length -
      (yield* step.run(sql`UPDATE send_ledger l SET
        state = o.state, attempts = o.attempts,
        last_code = CASE WHEN o.state = 'pending' THEN l.last_code ELSE o.code END,
        last_response = CASE WHEN o.state = 'pending' THEN l.last_response ELSE o.response END,
        next_at = CASE WHEN o.state = 'pending' THEN l.next_at ELSE o.next_at END,
        provider_id = coalesce(o.provider_id, l.provider_id), updated_at = ${now}, lease_expires_at = NULL,
        claimed_by = CASE WHEN o.state = 'pending' THEN NULL ELSE l.claimed_by END,
        sent_at = CASE WHEN o.state = 'sent' THEN ${now} ELSE l.sent_at END,
        deferred_since = CASE WHEN o.state = 'deferred' THEN coalesce(l.deferred_since, ${Date.now()}::bigint)
          WHEN o.state = 'pending' THEN l.deferred_since END,
        resent = l.resent + CASE WHEN o.state = 'sent' THEN l.in_doubt ELSE 0 END,
        in_doubt = CASE WHEN o.state = 'sent' THEN 0 ELSE l.in_doubt END
      FROM unnest(${column((o) => o.id)}::bigint[], ${column((o) => o.state)}::text[], ${column((o) => o.attempts)}::int[],
        ${column((o) => o.code ?? null)}::int[], ${column((o) => o.response ?? null)}::text[], ${column((o) => o.nextAt ?? 0)}::bigint[],
        ${column((o) => o.providerId ?? null)}::text[]) AS o(id, state, attempts, code, response, next_at, provider_id)
      WHERE l.id = o.id AND l.claimed_by = ${worker} AND (l.state = 'in_flight' OR o.state = 'pending')`))
    );
  }
  let lost = 0;
  const nowMs = Date.now();
  for (const o of outcomes) {
    const changed =
      o.state === "pending"
        ? yield* step.run(RELEASE(d, { id: o.id, attempts: o.attempts, worker }))
        : yield* step.run(
            RECORD(d, {
              id: o.id,
              state: o.state,
              attempts: o.attempts,
              code: o.code ?? null,
              response: o.response ?? null,
              nextAt: o.nextAt ?? 0,
              providerId: o.providerId ?? null,
              nowMs,
              worker,
            }),
          );
    if (changed === 0) lost++;
  }
  return lost;
}

/** SQLite's outcome of one row (see recordOutcomes). */
const RECORD = statement<{
  id: number;
  state: string;
  attempts: number;
  code: number | null;
  response: string | null;
  nextAt: number;
  providerId: string | null;
  nowMs: number;
  worker: string;
}>(
  (p, d) => sql`UPDATE send_ledger SET state = ${p.state}, attempts = ${p.attempts}, last_code = ${p.code},
    last_response = ${p.response}, next_at = ${p.nextAt}, provider_id = coalesce(${p.providerId}, provider_id),
    updated_at = ${d.now}, lease_expires_at = NULL, sent_at = CASE WHEN ${p.state} = 'sent' THEN ${d.now} ELSE sent_at END,
    deferred_since = CASE WHEN ${p.state} = 'deferred' THEN coalesce(deferred_since, ${p.nowMs}) END,
    resent = resent + (CASE WHEN ${p.state} = 'sent' THEN in_doubt ELSE 0 END),
    in_doubt = CASE WHEN ${p.state} = 'sent' THEN 0 ELSE in_doubt END
  WHERE id = ${p.id} AND claimed_by = ${p.worker} AND state = 'in_flight'`,
);
/** A claimed row back in the queue, attempts as given. */
const RELEASE = statement<{ id: number; attempts: number; worker: string }>(
  (p, d) => sql`UPDATE send_ledger SET state = 'pending', attempts = ${p.attempts}, claimed_by = NULL, lease_expires_at = NULL,
    updated_at = ${d.now} WHERE id = ${p.id} AND claimed_by = ${p.worker}`,
);

function chunks<T>(rows: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export class SqlLedger implements LedgerStore {
  readonly worker: string;

  constructor(
    private readonly db: Db,
    readonly location: string,
    worker: string | undefined,
    private readonly flush: () => Promise<void>,
  ) {
    this.worker = worker ?? workerId();
  }

  async getRun(issue: string): Promise<RunInfo | undefined> {
    return this.db.get<RunInfo>(sql`${RUN} WHERE issue = ${issue}`);
  }

  async issues(): Promise<RunInfo[]> {
    return this.db.all<RunInfo>(sql`${RUN} ORDER BY updated_at DESC`);
  }

  async beginRun(issue: string, contentHash: string, subject: string, options: BeginOptions = {}): Promise<number> {
    const transport = options.transport ?? null;
    // workers starting at the same moment decide one after the other whether they join a run
    return this.db.tx(
      async (t) => {
        const d = t.dialect;
        const now = d.leaseNow();
        const run = await t.get<{ content_hash: string; run_id: number; audience: string | null; audience_label: string | null }>(
          sql`SELECT content_hash, run_id, audience, audience_label FROM send_runs WHERE issue = ${issue}`,
        );
        const others = sql`FROM send_workers WHERE issue = ${issue} AND worker <> ${this.worker} AND ended_at IS NULL AND lease_expires_at > ${now}`;
        const here = await t.all<{ worker: string; host: string; pid: number }>(
          sql`SELECT worker, host, pid ${others} AND host = ${workerHost()}`,
        );
        for (const w of here.filter((w) => deadHere(w))) {
          // a worker of this machine whose process is gone: its readers are free now (`deadHere`)
          await t.run(sql`UPDATE send_workers SET lease_expires_at = ${now} WHERE issue = ${issue} AND worker = ${w.worker}`);
          await t.run(
            sql`UPDATE send_ledger SET lease_expires_at = ${d.leaseGone} WHERE issue = ${issue} AND state = 'in_flight' AND claimed_by = ${w.worker}`,
          );
        }
        const live = await t.all<{ worker: string; run_id: number }>(sql`SELECT worker, run_id ${others}`);
        let runId: number;
        if (run && live.some((w) => w.run_id === run.run_id)) {
          // another worker sends this run now: share it
          if (run.content_hash !== contentHash) throw otherVersionError(issue, live[0].worker, options.issueFile);
          const mine = options.audience;
          if (mine && run.audience !== null && run.audience !== mine.fingerprint) {
            const started = await t.get<{ at: string }>(
              sql`SELECT min(started_at) AS at FROM send_workers WHERE issue = ${issue} AND run_id = ${run.run_id}`,
            );
            const at = started?.at ? `${started.at.slice(0, 16).replace("T", " ")} UTC` : "?";
            throw otherListError(issue, { label: run.audience_label ?? "?", startedAt: at }, mine.label, options.issueFile);
          }
          runId = run.run_id;
          await t.run(sql`UPDATE send_runs SET updated_at = ${d.now} WHERE issue = ${issue}`);
        } else {
          await this.unchanged(t, issue, contentHash, options, run?.content_hash);
          runId = (run?.run_id ?? 0) + 1;
          const audience = options.audience;
          await t.run(sql`INSERT INTO send_runs (issue, content_hash, subject, run_id, started_at, updated_at, transport, audience, audience_label)
            VALUES (${issue}, ${contentHash}, ${subject}, ${runId}, ${d.now}, ${d.now}, ${transport}, ${audience?.fingerprint ?? null}, ${audience?.label ?? null})
            ON CONFLICT (issue) DO UPDATE SET content_hash = excluded.content_hash, subject = excluded.subject, run_id = excluded.run_id,
              updated_at = excluded.updated_at, transport = excluded.transport, audience = excluded.audience, audience_label = excluded.audience_label`);
        }
        await t.run(sql`INSERT INTO send_workers (worker, issue, run_id, host, pid, started_at, updated_at, lease_expires_at, transport)
          VALUES (${this.worker}, ${issue}, ${runId}, ${workerHost()}, ${process.pid}, ${d.now}, ${d.now}, ${d.leaseUntil(options.leaseMs ?? DEFAULT_LEASE_MS)}, ${transport})
          ON CONFLICT (worker, issue) DO UPDATE SET run_id = excluded.run_id, updated_at = excluded.updated_at,
            lease_expires_at = excluded.lease_expires_at, ended_at = NULL, transport = excluded.transport`);
        return runId;
      },
      [`rassylka:run:${issue}`],
    );
  }

  private async unchanged(db: Db, issue: string, contentHash: string, options: BeginOptions, current?: string): Promise<void> {
    if (current === undefined || current === contentHash || options.allowChanged) return;
    const { n } = (await db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM send_ledger WHERE issue = ${issue} AND state IN ('sent', 'in_flight', 'failed')`,
    ))!;
    if (n > 0) throw changedError(n, options.issueFile);
  }

  async assertUnchanged(issue: string, contentHash: string, options: BeginOptions = {}): Promise<void> {
    await this.unchanged(this.db, issue, contentHash, options, (await this.getRun(issue))?.contentHash);
  }

  async endRun(issue: string, options: { started?: boolean } = {}): Promise<void> {
    await this.db.tx(async (t) => {
      const d = t.dialect;
      if (options.started === false) await t.run(sql`DELETE FROM send_workers WHERE worker = ${this.worker} AND issue = ${issue}`);
      else
        await t.run(
          sql`UPDATE send_workers SET ended_at = ${d.now}, updated_at = ${d.now}, lease_expires_at = ${d.leaseNow()} WHERE worker = ${this.worker} AND issue = ${issue}`,
        );
      await t.run(
        sql`UPDATE send_ledger SET lease_expires_at = ${d.leaseGone} WHERE issue = ${issue} AND state = 'in_flight' AND claimed_by = ${this.worker}`,
      );
      await t.run(sql`UPDATE send_runs SET updated_at = ${d.now} WHERE issue = ${issue}`);
    });
  }

  async setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): Promise<void> {
    await this.db.run(sql`UPDATE send_runs SET total = ${stats.total}, invalid = ${stats.invalid}, duplicates = ${stats.duplicates},
      updated_at = ${this.db.dialect.now} WHERE issue = ${issue}`);
  }

  async addInvalid(issue: string, runId: number, rows: readonly InvalidListRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db.tx(async (t) => {
      await t.run(sql`DELETE FROM send_invalid WHERE issue = ${issue} AND run_id < ${runId}`);
      for (const part of chunks(rows)) {
        const values = part.map((r) => [issue, runId, r.line, r.address, r.reason]);
        await t.run(
          sql`INSERT INTO send_invalid (issue, run_id, line, address, reason) VALUES ${bulk(values)} ON CONFLICT (issue, run_id, line) DO NOTHING`,
        );
      }
    });
  }

  async invalidRows(issue: string, limit = 100_000): Promise<InvalidListRow[]> {
    return this.db.all<InvalidListRow>(sql`SELECT line, address, reason FROM send_invalid
      WHERE issue = ${issue} AND run_id = (SELECT run_id FROM send_runs WHERE issue = ${issue}) ORDER BY line LIMIT ${limit}`);
  }

  async addRecipients(issue: string, runId: number, rows: readonly NewRecipient[], options: { again?: boolean } = {}): Promise<number> {
    if (!rows.length) return 0;
    // one statement may not touch a row twice: an address twice in the batch is a duplicate here
    const seen = new Set<string>();
    const unique = rows.filter((r) => !seen.has(r.email) && seen.add(r.email));
    const now = this.db.dialect.now;
    const fresh = (column: string) =>
      raw(`CASE WHEN send_ledger.state IN ('pending', 'deferred', 'suppressed') THEN excluded.${column} ELSE send_ledger.${column} END`);
    // a trial's new run: every reader it lists starts over (a trial repeats; it never resumes)
    const newRun = raw("send_ledger.run_id <> excluded.run_id");
    const again = options.again
      ? sql`, address = CASE WHEN ${newRun} THEN excluded.address ELSE send_ledger.address END,
          fields = CASE WHEN ${newRun} THEN excluded.fields ELSE send_ledger.fields END,
          state = CASE WHEN ${newRun} THEN 'pending' ELSE send_ledger.state END,
          attempts = CASE WHEN ${newRun} THEN 0 ELSE send_ledger.attempts END,
          in_doubt = CASE WHEN ${newRun} THEN 0 ELSE send_ledger.in_doubt END,
          resent = CASE WHEN ${newRun} THEN 0 ELSE send_ledger.resent END,
          next_at = CASE WHEN ${newRun} THEN 0 ELSE send_ledger.next_at END,
          deferred_since = CASE WHEN ${newRun} THEN NULL ELSE send_ledger.deferred_since END`
      : sql`, address = ${fresh("address")}, fields = ${fresh("fields")},
          state = CASE WHEN send_ledger.state = 'suppressed' AND ${newRun} THEN 'pending' ELSE send_ledger.state END`;
    return this.db.tx(async (t) => {
      let changed = 0;
      for (const part of chunks(unique)) {
        const values = part.map(
          (r) =>
            sql`(${issue}, ${r.email}, ${r.address}, ${JSON.stringify(r.fields)}, ${r.line}, ${runId}, ${this.worker}, ${r.messageId}, ${now}, ${now})`,
        );
        changed +=
          await t.run(sql`INSERT INTO send_ledger (issue, email, address, fields, line, run_id, listed_by, message_id, created_at, updated_at)
          VALUES ${join(values)}
          ON CONFLICT (issue, email) DO UPDATE SET run_id = excluded.run_id, listed_by = excluded.listed_by, line = excluded.line
            ${again}, updated_at = excluded.updated_at
          WHERE send_ledger.run_id <> excluded.run_id OR send_ledger.listed_by IS DISTINCT FROM excluded.listed_by`);
      }
      return rows.length - changed;
    });
  }

  async recoverInFlight(issue: string, _runId: number): Promise<number> {
    const d = this.db.dialect;
    return this.db.run(sql`UPDATE send_ledger SET state = 'pending', in_doubt = 1, claimed_by = NULL, lease_expires_at = NULL, updated_at = ${d.now}
      WHERE issue = ${issue} AND state = 'in_flight' AND coalesce(lease_expires_at, ${d.leaseGone}) < ${d.leaseNow()}
        AND claimed_by IS DISTINCT FROM ${this.worker}`);
  }

  async retryFailed(issue: string, runId: number): Promise<number> {
    return this.db.run(sql`UPDATE send_ledger SET state = 'pending', attempts = 0, next_at = 0, deferred_since = NULL, updated_at = ${this.db.dialect.now}
      WHERE issue = ${issue} AND run_id = ${runId} AND state = 'failed'`);
  }

  async suppressBounced(issue: string, runId: number): Promise<number> {
    const rows = await this.db.all<{ email: string; code: number; response: string }>(
      sql`SELECT email, last_code AS code, coalesce(last_response, '') AS response FROM send_ledger
          WHERE issue = ${issue} AND run_id = ${runId} AND state = 'failed' AND last_code BETWEEN 500 AND 599`,
    );
    const found = rows.flatMap((r) => {
      const source = bounceSource(issue, r.code, r.response);
      return source ? [{ email: r.email, source }] : [];
    });
    if (!found.length) return 0;
    return this.db.tx(async (t) => {
      let added = 0;
      for (const f of found) added += await insertSuppression(t, f.email, "bounced", f.source);
      return added;
    });
  }

  async resent(issue: string, limit = 1000): Promise<{ email: string; times: number }[]> {
    return this.db.all(
      sql`SELECT address AS email, resent AS times FROM send_ledger WHERE issue = ${issue} AND resent > 0 ORDER BY id LIMIT ${limit}`,
    );
  }

  async resentCount(issue: string): Promise<number> {
    return (await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM send_ledger WHERE issue = ${issue} AND resent > 0`))!.n;
  }

  async recordAndClaim(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    options: { at?: number; leaseMs?: number } = {},
  ): Promise<ClaimResult> {
    const claim: Claim = { issue, runId, worker: this.worker, at: options.at ?? Date.now(), leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS };
    // SQLite: one transaction (the write lock once); PostgreSQL: each statement on its own, no lock held between
    const d = this.db.dialect;
    return this.db.work(() => recordAndClaimSteps(d, claim, outcomes, limit), { tx: d.name === "sqlite" });
  }

  async record(outcomes: Outcome[]): Promise<number> {
    return outcomes.length ? this.db.work(() => recordOutcomes(this.db.dialect, this.worker, outcomes), { tx: true }) : 0;
  }

  async heartbeat(issue: string, leaseMs = DEFAULT_LEASE_MS): Promise<void> {
    await this.db.tx(async (t) => {
      const until = t.dialect.leaseUntil(leaseMs);
      await t.run(sql`UPDATE send_workers SET lease_expires_at = ${until}, updated_at = ${t.dialect.now}
        WHERE worker = ${this.worker} AND issue = ${issue} AND ended_at IS NULL`);
      await t.run(
        sql`UPDATE send_ledger SET lease_expires_at = ${until} WHERE issue = ${issue} AND state = 'in_flight' AND claimed_by = ${this.worker}`,
      );
    });
  }

  async nextDue(issue: string, runId: number): Promise<NextDue | undefined> {
    const d = this.db.dialect;
    const r = (await this.db.get<{ deferred: number | null; lease: number | null }>(sql`SELECT
      (SELECT min(next_at) FROM send_ledger WHERE issue = ${issue} AND run_id = ${runId} AND state = 'deferred') AS deferred,
      (SELECT ${d.msUntil(sql`min(coalesce(lease_expires_at, ${d.leaseGone}))`)} FROM send_ledger
        WHERE issue = ${issue} AND state = 'in_flight' AND run_id = ${runId} AND claimed_by IS DISTINCT FROM ${this.worker}) AS lease`))!;
    // the database's clock decides leases: how long until one runs out, on this machine's clock
    const lease = r.lease === null ? null : Date.now() + Math.max(0, r.lease) + 5;
    if (lease !== null && (r.deferred === null || lease < r.deferred)) return { at: lease, kind: "lease" };
    return r.deferred === null ? undefined : { at: r.deferred, kind: "deferred" };
  }

  async counts(issue: string, runId?: number): Promise<LedgerCounts> {
    const run = runId === undefined ? empty : sql`AND run_id = ${runId}`;
    return countsOf(await this.db.all(sql`SELECT state, count(*) AS n FROM send_ledger WHERE issue = ${issue} ${run} GROUP BY state`));
  }

  async failures(issue: string, runId?: number, limit = 1000): Promise<LedgerFailure[]> {
    const run = runId === undefined ? empty : sql`AND run_id = ${runId}`;
    return this.db.all<LedgerFailure>(sql`SELECT address AS email, last_code AS code, coalesce(last_response, '') AS message, attempts
      FROM send_ledger WHERE issue = ${issue} ${run} AND state = 'failed' ORDER BY id LIMIT ${limit}`);
  }

  async workers(issue: string): Promise<WorkerInfo[]> {
    const count = (where: string) => raw(`count(CASE WHEN ${where} THEN 1 END)`);
    type Row = Omit<WorkerInfo, "live" | "ended"> & { live: number; ended: string | null };
    const rows = await this.db.all<Row>(sql`SELECT w.worker, w.host, w.pid, w.run_id AS "runId", w.started_at AS "startedAt",
        w.updated_at AS "updatedAt", w.transport, CASE WHEN w.ended_at IS NULL AND w.lease_expires_at > ${this.db.dialect.leaseNow()} THEN 1 ELSE 0 END AS live,
        w.ended_at AS ended, coalesce(f.sent, 0) AS sent, coalesce(f.failed, 0) AS failed, coalesce(f.suppressed, 0) AS suppressed,
        coalesce(f.resent, 0) AS resent, coalesce(f.in_flight, 0) AS "inFlight"
      FROM send_workers w LEFT JOIN (
        SELECT claimed_by, ${count("state = 'sent'")} AS sent, ${count("state = 'failed'")} AS failed,
          ${count("state = 'suppressed'")} AS suppressed, ${count("state = 'sent' AND resent > 0")} AS resent,
          ${count("state = 'in_flight'")} AS in_flight
        FROM send_ledger WHERE issue = ${issue} AND claimed_by IS NOT NULL GROUP BY claimed_by
      ) f ON f.claimed_by = w.worker
      WHERE w.issue = ${issue} ORDER BY w.started_at, w.worker`);
    // a worker of this machine killed (kill -9) holds its lease until it runs out, but it sends nothing now
    return rows.map((w) => ({ ...w, live: w.live === 1 && w.ended === null && !deadHere(w), ended: w.ended !== null }));
  }

  async isSent(issue: string, email: string): Promise<boolean> {
    return (
      (await this.db.get(sql`SELECT 1 AS x FROM send_ledger WHERE issue = ${issue} AND email = ${email} AND state = 'sent'`)) !== undefined
    );
  }

  async clear(issue: string): Promise<void> {
    await this.db.tx(async (t) => {
      for (const table of ["send_ledger", "send_runs", "send_workers"]) await t.run(sql`DELETE FROM ${raw(table)} WHERE issue = ${issue}`);
    });
  }

  async checkpoint(): Promise<void> {
    await this.flush();
  }
}

function rowOf(r: ClaimedRecord): LedgerRow {
  return {
    id: r.id,
    email: r.email,
    address: r.address,
    fields: JSON.parse(r.fields),
    attempts: r.attempts,
    messageId: r.message_id,
    deferredSince: r.deferred_since ?? undefined,
    inDoubt: r.in_doubt === 1,
  };
}
