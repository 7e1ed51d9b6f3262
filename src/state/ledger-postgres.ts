import type pg from "pg";
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

/**
 * The ledger in the shared PostgreSQL database (src/state/ledger.ts says what it means). Claims are
 * `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`: workers on several machines claiming at
 * the same moment each get other rows, none waits for another. Leases are the server's clock
 * (`now()`), so machines whose clocks disagree still agree on whose lease ran out. Ids are bigint, read
 * as numbers (a ledger will not hold 2^53 rows).
 */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const LEASE = "now() + $LEASE::int * interval '1 millisecond'";
const RUN_COLUMNS = `issue, content_hash, subject, run_id, total, invalid, duplicates, ${ISO("started_at")} AS started_at, ${ISO("updated_at")} AS updated_at`;

function runOf(r: Record<string, unknown>): RunInfo {
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

/** Candidates of one kind, locked without waiting for rows another worker is claiming. */
const candidates = (where: string, order: string) =>
  `SELECT id FROM send_ledger WHERE issue = $1 AND run_id = $2 AND ${where} ORDER BY ${order} LIMIT $3 FOR UPDATE SKIP LOCKED`;

/**
 * One statement claims: due deferred rows and rows whose lease ran out first (those in doubt), then
 * pending ones; suppressed readers are marked as such (the EXISTS reads `suppressed` at this moment).
 */
const CLAIM = `
WITH d AS (${candidates("state = 'deferred' AND next_at <= $4", "next_at, id")}),
     e AS (${candidates("state = 'in_flight' AND coalesce(lease_expires_at, '-infinity') < now() AND claimed_by IS DISTINCT FROM $5", "id")}),
     p AS (${candidates("state = 'pending'", "id")}),
     c AS (SELECT id FROM (SELECT id, 0 AS k FROM d UNION ALL SELECT id, 0 FROM e UNION ALL SELECT id, 1 FROM p) x ORDER BY k, id LIMIT $3)
UPDATE send_ledger l SET updated_at = now(), claimed_by = $5, lease_expires_at = ${LEASE.replace("$LEASE", "$6")},
  in_doubt = CASE WHEN l.state = 'in_flight' THEN 1 ELSE l.in_doubt END,
  state = CASE WHEN EXISTS (SELECT 1 FROM suppressed s WHERE s.email = l.email) THEN 'suppressed' ELSE 'in_flight' END
FROM c WHERE l.id = c.id
RETURNING l.id::float8 AS id, l.email, l.address, l.fields, l.attempts, l.message_id, l.state, l.deferred_since::float8 AS deferred_since, l.in_doubt`;

/** Outcomes of rows this worker still holds, in one statement; `pending` puts a row back in the queue. */
const RECORD = `
UPDATE send_ledger l SET
  state = o.state,
  attempts = o.attempts,
  last_code = CASE WHEN o.state = 'pending' THEN l.last_code ELSE o.code END,
  last_response = CASE WHEN o.state = 'pending' THEN l.last_response ELSE o.response END,
  next_at = CASE WHEN o.state = 'pending' THEN l.next_at ELSE o.next_at END,
  provider_id = coalesce(o.provider_id, l.provider_id),
  updated_at = now(),
  lease_expires_at = NULL,
  claimed_by = CASE WHEN o.state = 'pending' THEN NULL ELSE l.claimed_by END,
  sent_at = CASE WHEN o.state = 'sent' THEN now() ELSE l.sent_at END,
  deferred_since = CASE WHEN o.state = 'deferred' THEN coalesce(l.deferred_since, $9) WHEN o.state = 'pending' THEN l.deferred_since END,
  resent = l.resent + CASE WHEN o.state = 'sent' THEN l.in_doubt ELSE 0 END,
  in_doubt = CASE WHEN o.state = 'sent' THEN 0 ELSE l.in_doubt END
FROM unnest($2::bigint[], $3::text[], $4::int[], $5::int[], $6::text[], $7::bigint[], $8::text[]) AS o(id, state, attempts, code, response, next_at, provider_id)
WHERE l.id = o.id AND l.claimed_by = $1 AND (l.state = 'in_flight' OR o.state = 'pending')`;

export class PostgresLedger implements LedgerStore {
  readonly worker: string;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
    options: { worker?: string } = {},
  ) {
    this.worker = options.worker ?? workerId();
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async getRun(issue: string): Promise<RunInfo | undefined> {
    const { rows } = await this.pool.query(`SELECT ${RUN_COLUMNS} FROM send_runs WHERE issue = $1`, [issue]);
    return rows[0] ? runOf(rows[0]) : undefined;
  }

  async issues(): Promise<RunInfo[]> {
    const { rows } = await this.pool.query(`SELECT ${RUN_COLUMNS} FROM send_runs ORDER BY updated_at DESC`);
    return rows.map(runOf);
  }

  async beginRun(issue: string, contentHash: string, subject: string, options: BeginOptions = {}): Promise<number> {
    return this.transaction(async (c) => {
      // workers starting at the same moment decide one after the other whether they join a run
      await c.query("SELECT pg_advisory_xact_lock(hashtext('rassylka:run:' || $1))", [issue]);
      const run = (await c.query("SELECT content_hash, run_id FROM send_runs WHERE issue = $1", [issue])).rows[0] as
        | { content_hash: string; run_id: number }
        | undefined;
      const here = (
        await c.query(
          "SELECT worker, host, pid FROM send_workers WHERE issue = $1 AND worker <> $2 AND ended_at IS NULL AND lease_expires_at > now() AND host = $3",
          [issue, this.worker, workerHost()],
        )
      ).rows as { worker: string; host: string; pid: number }[];
      const dead = here.filter((w) => deadHere(w)).map((w) => w.worker);
      if (dead.length) {
        // workers of this machine whose process is gone: their readers are free now (ledger.ts `deadHere`)
        await c.query("UPDATE send_workers SET lease_expires_at = now() WHERE issue = $1 AND worker = ANY($2)", [issue, dead]);
        await c.query(
          "UPDATE send_ledger SET lease_expires_at = '-infinity' WHERE issue = $1 AND state = 'in_flight' AND claimed_by = ANY($2)",
          [issue, dead],
        );
      }
      const live = (
        await c.query(
          "SELECT worker, run_id FROM send_workers WHERE issue = $1 AND worker <> $2 AND ended_at IS NULL AND lease_expires_at > now()",
          [issue, this.worker],
        )
      ).rows as { worker: string; run_id: number }[];
      let runId: number;
      if (run && live.some((w) => w.run_id === run.run_id)) {
        if (run.content_hash !== contentHash) throw otherVersionError(issue, live[0].worker, options.issueFile);
        runId = run.run_id;
        await c.query("UPDATE send_runs SET updated_at = now() WHERE issue = $1", [issue]);
      } else {
        await this.unchanged(c, issue, contentHash, options, run?.content_hash);
        runId = (run?.run_id ?? 0) + 1;
        await c.query(
          `INSERT INTO send_runs (issue, content_hash, subject, run_id, started_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())
           ON CONFLICT (issue) DO UPDATE SET content_hash = excluded.content_hash, subject = excluded.subject, run_id = excluded.run_id,
             updated_at = excluded.updated_at`,
          [issue, contentHash, subject, runId],
        );
      }
      await c.query(
        `INSERT INTO send_workers (worker, issue, run_id, host, pid, lease_expires_at) VALUES ($1, $2, $3, $4, $5, ${LEASE.replace("$LEASE", "$6")})
         ON CONFLICT (worker, issue) DO UPDATE SET run_id = excluded.run_id, updated_at = now(), lease_expires_at = excluded.lease_expires_at, ended_at = NULL`,
        [this.worker, issue, runId, workerHost(), process.pid, options.leaseMs ?? DEFAULT_LEASE_MS],
      );
      return runId;
    });
  }

  private async unchanged(
    c: pg.Pool | pg.PoolClient,
    issue: string,
    contentHash: string,
    options: BeginOptions,
    current?: string,
  ): Promise<void> {
    if (current === undefined || current === contentHash || options.allowChanged) return;
    const { rows } = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM send_ledger WHERE issue = $1 AND state IN ('sent', 'in_flight', 'failed')",
      [issue],
    );
    if (rows[0].n > 0) throw changedError(rows[0].n, options.issueFile);
  }

  async assertUnchanged(issue: string, contentHash: string, options: BeginOptions = {}): Promise<void> {
    const run = await this.getRun(issue);
    await this.unchanged(this.pool, issue, contentHash, options, run?.contentHash);
  }

  async endRun(issue: string): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(
        "UPDATE send_workers SET ended_at = now(), updated_at = now(), lease_expires_at = now() WHERE worker = $1 AND issue = $2",
        [this.worker, issue],
      );
      await c.query("UPDATE send_ledger SET lease_expires_at = '-infinity' WHERE issue = $1 AND state = 'in_flight' AND claimed_by = $2", [
        issue,
        this.worker,
      ]);
      await c.query("UPDATE send_runs SET updated_at = now() WHERE issue = $1", [issue]);
    });
  }

  async setListStats(issue: string, stats: { total: number; invalid: number; duplicates: number }): Promise<void> {
    await this.pool.query("UPDATE send_runs SET total = $2, invalid = $3, duplicates = $4, updated_at = now() WHERE issue = $1", [
      issue,
      stats.total,
      stats.invalid,
      stats.duplicates,
    ]);
  }

  async addInvalid(issue: string, runId: number, rows: readonly InvalidListRow[]): Promise<void> {
    if (!rows.length) return;
    await this.pool.query(
      `WITH dropped AS (DELETE FROM send_invalid WHERE issue = $1 AND run_id < $2)
       INSERT INTO send_invalid (issue, run_id, line, address, reason)
       SELECT $1, $2, * FROM unnest($3::integer[], $4::text[], $5::text[]) ON CONFLICT (issue, run_id, line) DO NOTHING`,
      [issue, runId, rows.map((r) => r.line), rows.map((r) => r.address), rows.map((r) => r.reason)],
    );
  }

  async invalidRows(issue: string, limit = 100_000): Promise<InvalidListRow[]> {
    const { rows } = await this.pool.query<InvalidListRow>(
      `SELECT line, address, reason FROM send_invalid
       WHERE issue = $1 AND run_id = (SELECT run_id FROM send_runs WHERE issue = $1) ORDER BY line LIMIT $2`,
      [issue, limit],
    );
    return rows;
  }

  async addRecipients(issue: string, runId: number, rows: readonly NewRecipient[]): Promise<number> {
    if (!rows.length) return 0;
    // one statement may not touch a row twice: an address twice in the batch is a duplicate here
    const seen = new Set<string>();
    const unique = rows.filter((r) => !seen.has(r.email) && seen.add(r.email));
    const result = await this.pool.query(
      `INSERT INTO send_ledger (issue, email, address, fields, line, run_id, listed_by, message_id, created_at, updated_at)
       SELECT $1, x.email, x.address, x.fields::jsonb, x.line, $2, $3, x.message_id, now(), now()
       FROM unnest($4::text[], $5::text[], $6::text[], $7::int[], $8::text[]) AS x(email, address, fields, line, message_id)
       ON CONFLICT (issue, email) DO UPDATE SET
         run_id = excluded.run_id,
         listed_by = excluded.listed_by,
         line = excluded.line,
         address = CASE WHEN send_ledger.state IN ('pending', 'deferred', 'suppressed') THEN excluded.address ELSE send_ledger.address END,
         fields = CASE WHEN send_ledger.state IN ('pending', 'deferred', 'suppressed') THEN excluded.fields ELSE send_ledger.fields END,
         state = CASE WHEN send_ledger.state = 'suppressed' AND send_ledger.run_id <> excluded.run_id THEN 'pending' ELSE send_ledger.state END,
         updated_at = excluded.updated_at
       WHERE send_ledger.run_id <> excluded.run_id OR send_ledger.listed_by IS DISTINCT FROM excluded.listed_by`,
      [
        issue,
        runId,
        this.worker,
        unique.map((r) => r.email),
        unique.map((r) => r.address),
        unique.map((r) => JSON.stringify(r.fields)),
        unique.map((r) => r.line),
        unique.map((r) => r.messageId),
      ],
    );
    return rows.length - (result.rowCount ?? 0);
  }

  async recoverInFlight(issue: string, _runId: number): Promise<number> {
    const r = await this.pool.query(
      `UPDATE send_ledger SET state = 'pending', in_doubt = 1, claimed_by = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE issue = $1 AND state = 'in_flight' AND coalesce(lease_expires_at, '-infinity') < now() AND claimed_by IS DISTINCT FROM $2`,
      [issue, this.worker],
    );
    return r.rowCount ?? 0;
  }

  async retryFailed(issue: string, runId: number): Promise<number> {
    const r = await this.pool.query(
      "UPDATE send_ledger SET state = 'pending', attempts = 0, next_at = 0, deferred_since = NULL, updated_at = now() WHERE issue = $1 AND run_id = $2 AND state = 'failed'",
      [issue, runId],
    );
    return r.rowCount ?? 0;
  }

  async suppressBounced(issue: string, runId: number): Promise<number> {
    const { rows } = await this.pool.query<{ email: string; code: number; response: string }>(
      "SELECT email, last_code AS code, coalesce(last_response, '') AS response FROM send_ledger WHERE issue = $1 AND run_id = $2 AND state = 'failed' AND last_code BETWEEN 500 AND 599",
      [issue, runId],
    );
    const found = rows.flatMap((r) => {
      const source = bounceSource(issue, r.code, r.response);
      return source ? [{ email: r.email, source }] : [];
    });
    if (!found.length) return 0;
    const r = await this.pool.query(
      "INSERT INTO suppressed (email, reason, source) SELECT e, 'bounced', s FROM unnest($1::text[], $2::text[]) AS x(e, s) ON CONFLICT (email) DO NOTHING",
      [found.map((f) => f.email), found.map((f) => f.source)],
    );
    return r.rowCount ?? 0;
  }

  async resent(issue: string, limit = 1000): Promise<{ email: string; times: number }[]> {
    const { rows } = await this.pool.query(
      "SELECT address AS email, resent AS times FROM send_ledger WHERE issue = $1 AND resent > 0 ORDER BY id LIMIT $2",
      [issue, limit],
    );
    return rows;
  }

  async resentCount(issue: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM send_ledger WHERE issue = $1 AND resent > 0", [
      issue,
    ]);
    return rows[0].n;
  }

  async recordAndClaim(
    issue: string,
    runId: number,
    outcomes: Outcome[],
    limit: number,
    options: { at?: number; leaseMs?: number } = {},
  ): Promise<ClaimResult> {
    const lost = await this.record(outcomes);
    const claimed: LedgerRow[] = [];
    const suppressed: string[] = [];
    while (claimed.length < limit) {
      // named: prepared once per connection, not planned again for every claim
      const { rows } = await this.pool.query({ name: "rassylka-claim", text: CLAIM }, [
        issue,
        runId,
        limit - claimed.length,
        options.at ?? Date.now(),
        this.worker,
        options.leaseMs ?? DEFAULT_LEASE_MS,
      ]);
      if (!rows.length) break;
      rows.sort((a, b) => a.id - b.id);
      for (const r of rows) {
        if (r.state === "suppressed") {
          suppressed.push(r.address);
          continue;
        }
        claimed.push({
          id: r.id,
          email: r.email,
          address: r.address,
          fields: r.fields,
          attempts: r.attempts,
          messageId: r.message_id,
          deferredSince: r.deferred_since ?? undefined,
          inDoubt: r.in_doubt === 1,
        });
      }
    }
    return { claimed, suppressed, lost };
  }

  async record(outcomes: Outcome[]): Promise<number> {
    if (!outcomes.length) return 0;
    const r = await this.pool.query({ name: "rassylka-record", text: RECORD }, [
      this.worker,
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.state),
      outcomes.map((o) => o.attempts),
      outcomes.map((o) => o.code ?? null),
      outcomes.map((o) => o.response ?? null),
      outcomes.map((o) => o.nextAt ?? 0),
      outcomes.map((o) => o.providerId ?? null),
      Date.now(),
    ]);
    return outcomes.length - (r.rowCount ?? 0);
  }

  async heartbeat(issue: string, leaseMs = DEFAULT_LEASE_MS): Promise<void> {
    await this.pool.query(
      `WITH w AS (UPDATE send_workers SET lease_expires_at = ${LEASE.replace("$LEASE", "$3")}, updated_at = now()
                  WHERE worker = $1 AND issue = $2 AND ended_at IS NULL)
       UPDATE send_ledger SET lease_expires_at = ${LEASE.replace("$LEASE", "$3")} WHERE issue = $2 AND state = 'in_flight' AND claimed_by = $1`,
      [this.worker, issue, leaseMs],
    );
  }

  async nextDue(issue: string, runId: number): Promise<NextDue | undefined> {
    const { rows } = await this.pool.query<{ deferred: number | null; lease: number | null }>(
      `SELECT (SELECT min(next_at)::float8 FROM send_ledger WHERE issue = $1 AND run_id = $2 AND state = 'deferred') AS deferred,
              (SELECT (extract(epoch FROM min(coalesce(lease_expires_at, '-infinity')) - now()) * 1000)::float8
                 FROM send_ledger WHERE issue = $1 AND state = 'in_flight' AND run_id = $2 AND claimed_by IS DISTINCT FROM $3) AS lease`,
      [issue, runId, this.worker],
    );
    const { deferred } = rows[0];
    // the server's clock decides leases: how long until one runs out, on this machine's clock
    const lease = rows[0].lease === null ? null : Date.now() + Math.max(0, rows[0].lease) + 5;
    if (lease !== null && (deferred === null || lease < deferred)) return { at: lease, kind: "lease" };
    return deferred === null ? undefined : { at: deferred, kind: "deferred" };
  }

  async counts(issue: string, runId?: number): Promise<LedgerCounts> {
    const { rows } =
      runId === undefined
        ? await this.pool.query("SELECT state, count(*)::int AS n FROM send_ledger WHERE issue = $1 GROUP BY state", [issue])
        : await this.pool.query("SELECT state, count(*)::int AS n FROM send_ledger WHERE issue = $1 AND run_id = $2 GROUP BY state", [
            issue,
            runId,
          ]);
    return countsOf(rows as { state: LedgerState; n: number }[]);
  }

  async failures(issue: string, runId?: number, limit = 1000): Promise<LedgerFailure[]> {
    const { rows } = await this.pool.query(
      `SELECT address AS email, last_code AS code, coalesce(last_response, '') AS message, attempts FROM send_ledger
       WHERE issue = $1 AND ($2::int IS NULL OR run_id = $2) AND state = 'failed' ORDER BY id LIMIT $3`,
      [issue, runId ?? null, limit],
    );
    return rows;
  }

  async workers(issue: string): Promise<WorkerInfo[]> {
    const { rows } = await this.pool.query(
      `SELECT w.worker, w.host, w.pid, w.run_id, ${ISO("w.started_at")} AS started_at, ${ISO("w.updated_at")} AS updated_at,
              (w.ended_at IS NULL AND w.lease_expires_at > now()) AS live, w.ended_at IS NOT NULL AS ended,
              coalesce(f.sent, 0)::int AS sent, coalesce(f.failed, 0)::int AS failed, coalesce(f.suppressed, 0)::int AS suppressed,
              coalesce(f.resent, 0)::int AS resent
       FROM send_workers w LEFT JOIN (
         SELECT claimed_by, count(*) FILTER (WHERE state = 'sent') AS sent, count(*) FILTER (WHERE state = 'failed') AS failed,
                count(*) FILTER (WHERE state = 'suppressed') AS suppressed, count(*) FILTER (WHERE state = 'sent' AND resent > 0) AS resent
         FROM send_ledger WHERE issue = $1 AND claimed_by IS NOT NULL GROUP BY claimed_by
       ) f ON f.claimed_by = w.worker
       WHERE w.issue = $1 ORDER BY w.started_at, w.worker`,
      [issue],
    );
    return rows.map((w) => ({
      worker: w.worker,
      host: w.host,
      pid: w.pid,
      runId: w.run_id,
      startedAt: w.started_at,
      updatedAt: w.updated_at,
      live: w.live,
      ended: w.ended,
      sent: w.sent,
      failed: w.failed,
      suppressed: w.suppressed,
      resent: w.resent,
    }));
  }

  async isSent(issue: string, email: string): Promise<boolean> {
    const r = await this.pool.query("SELECT 1 FROM send_ledger WHERE issue = $1 AND email = $2 AND state = 'sent'", [issue, email]);
    return (r.rowCount ?? 0) > 0;
  }

  async clear(issue: string): Promise<void> {
    await this.transaction(async (c) => {
      for (const table of ["send_ledger", "send_runs", "send_workers"]) await c.query(`DELETE FROM ${table} WHERE issue = $1`, [issue]);
    });
  }

  async checkpoint(): Promise<void> {}
}
