import { setTimeout as delay } from "node:timers/promises";
import { compileIssueFile, loadProject, type Project, resolveIssueFile } from "../build/build.js";
import { fileCache } from "../build/cache.js";
import { type Diagnostic, hasErrors, RassylkaError } from "../diagnostics.js";
import { requireSecret } from "../publish/token.js";
import { createPersonaliser } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { openState, stateFile } from "../state/db.js";
import { sha256 } from "../util/fs.js";
import type { AudienceSource } from "./audience.js";
import { Ledger, type LedgerFailure, type LedgerRow, type Outcome } from "./ledger.js";
import { buildMessage, type MessageContext, messageContext, messageIdFor, type Recipient, subscriberFor } from "./message.js";
import type { DeliveryResult, Transport } from "./transport.js";
import { DryRunTransport } from "./transports/dry-run.js";

/**
 * The send engine: compile once → list into the ledger → claim / send / record until nobody is left.
 * A library: it returns a summary and never prints or exits; `rassylka send` (src/cli/send.ts) and
 * `rassylka sendsay` decide what to show and which exit code to use. Any Transport plugs in.
 */
export type SendMode = "send" | "test" | "dry-run";

export interface SendOptions {
  /** The newsletter's folder. */
  root: string;
  /** Issue file (path) or slug. */
  issue: string;
  /** Recipients (CSV or a list); for `test`, the test addresses are given instead. */
  audience?: AudienceSource;
  mode?: SendMode;
  /** The transport, or a factory called once the issue is compiled (outbox needs the slug). */
  transport: Transport | ((issue: { slug: string; mode: SendMode }) => Transport | Promise<Transport>);
  /** State file; default `.rassylka/state.sqlite` under root. */
  stateFile?: string;
  /** Messages per second over the whole run; 0 or undefined: no limit. */
  rate?: number;
  /** Messages handed to the transport at once (the SMTP pool size). Default 5. */
  concurrency?: number;
  /** Attempts per reader for temporary failures. Default 5. */
  maxAttempts?: number;
  /** Base of the exponential backoff, ms. Default 2000. */
  retryDelay?: number;
  /** Transient failures in a row that pause the run. Default 20. */
  pauseAfter?: number;
  allowChanged?: boolean;
  /** Abort (Ctrl-C, SIGTERM): stop claiming, let in-flight messages finish, record them, return. */
  signal?: AbortSignal;
  /** Called with the count before anything is delivered in a real send; false stops with nothing sent. */
  confirm?: (info: ConfirmInfo) => Promise<boolean>;
  onProgress?: (progress: SendProgress) => void;
  /** Where RASSYLKA_SECRET is read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** An already loaded project (saves reloading config and templates). */
  project?: Project;
  /**
   * fsync the ledger on every commit (SQLite synchronous=FULL). Default false: synchronous=NORMAL plus
   * a checkpoint (which syncs) every second. Both survive a killed process (kill -9, Ctrl-C, OOM);
   * NORMAL may lose the last second of records to a power cut or OS crash (those readers would be sent
   * again), and is ~100× cheaper per commit on an ordinary disk.
   */
  syncEveryCommit?: boolean;
}

export interface ConfirmInfo {
  subject: string;
  recipients: number;
  transport: string;
  slug: string;
}

export interface SendProgress {
  /** Readers to deliver to in this run. */
  total: number;
  /** Finished in this run: sent, failed or suppressed. */
  done: number;
  sent: number;
  failed: number;
  suppressed: number;
  /** Temporary failures waiting for their retry. */
  retrying: number;
  elapsedMs: number;
  /** Messages per second so far. */
  rate: number;
}

export interface InvalidRow {
  line: number;
  address: string;
  reason: string;
}

export interface SendSummary {
  issue: string;
  slug: string;
  subject: string;
  mode: SendMode;
  transport: string;
  /** Unique valid readers in the list given. */
  total: number;
  /** Delivered by this run. */
  sent: number;
  /** Delivered by an earlier run of the same issue (not sent again). */
  alreadySent: number;
  /** Permanent failures among this list (this run or earlier). */
  failed: number;
  failures: LedgerFailure[];
  /** Skipped: unsubscribed or bounced (the `suppressed` table). */
  suppressed: number;
  /** Rows with an unusable address (skipped), with their line numbers. */
  invalid: number;
  invalidRows: InvalidRow[];
  /** Rows repeating an address already listed (case-insensitive): sent once. */
  duplicates: number;
  /** Readers that were in flight when an earlier process died: sent again (they may get it twice). */
  resent: number;
  resentAddresses: string[];
  /** Still to be delivered (deferred or pending) when the run stopped. */
  pending: number;
  /** Why the run stopped early: paused (server looks down), signal (Ctrl-C / SIGTERM), declined. */
  stopped?: "paused" | "signal" | "declined";
  /** The last error before a pause. */
  pauseReason?: string;
  elapsedMs: number;
  /** Messages per second while sending. */
  rate: number;
  /** The state file used. */
  stateFile: string;
}

const IMPORT_BATCH = 500;
const RECORD_WITHIN_MS = 20;
const MAX_LISTED = 1000;
const MAX_BACKOFF_MS = 15 * 60_000;

/** What changes what a reader receives: a change after the send started needs --allow-changed. */
export function contentHash(compiled: CompiledIssue, ctx: MessageContext): string {
  const c = ctx.config;
  return sha256(
    compiled.subject,
    compiled.html,
    compiled.text,
    JSON.stringify([compiled.deferred, compiled.deferredText, c.from, c.replyTo ?? null, c.unsubscribe ?? null]),
  );
}

/** Backoff for the n-th failed attempt: base·2^(n−1), times a jitter factor in [0.5, 1.5), capped at 15 minutes. */
export function backoff(base: number, attempt: number, random = Math.random): number {
  return Math.min(MAX_BACKOFF_MS, Math.round(base * 2 ** Math.max(0, attempt - 1) * (0.5 + random())));
}

/** A global messages-per-second limit (a slot every 1000/rate ms), shared by every concurrent send. */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;
  constructor(perSecond: number) {
    this.interval = 1000 / perSecond;
  }
  async take(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    // Timers may fire up to a millisecond early against performance.now(): wait out the remainder.
    for (let left = at - now; left > 0 && !signal?.aborted; left = at - performance.now()) {
      await delay(Math.ceil(left), undefined, { signal }).catch(() => {});
    }
  }
}

/** Compile the issue once (cached build); errors become a RassylkaError naming the file. */
export async function compileForSend(
  project: Project,
  ref: string,
): Promise<{ compiled: CompiledIssue; file: string; warnings: Diagnostic[] }> {
  const file = await resolveIssueFile(project.root, ref);
  const r = await compileIssueFile(project, file, fileCache(project.root));
  if (!r.compiled || hasErrors(r.diagnostics)) {
    throw new RassylkaError(
      r.diagnostics.filter((d) => d.severity === "error").length
        ? r.diagnostics.filter((d) => d.severity === "error")
        : [{ ruleId: "send/build", severity: "error", message: "the issue did not compile", file, fix: "run `rassylka build` to see why" }],
    );
  }
  return { compiled: r.compiled, file, warnings: r.diagnostics };
}

/** A draft goes out only as test copies. */
export function refuseDraft(compiled: CompiledIssue, testFlag = "--test you@example.ru"): void {
  if (!compiled.draft) return;
  throw new RassylkaError({
    ruleId: "send/draft",
    severity: "error",
    message: "the issue is a draft (draft: true)",
    file: compiled.source,
    field: "draft",
    fix: `send test copies with ${testFlag}, or remove \`draft: true\` from the front-matter when it is ready`,
  });
}

export async function runSend(options: SendOptions): Promise<SendSummary> {
  const started = performance.now();
  const mode = options.mode ?? "send";
  const project = options.project ?? (await loadProject(options.root));
  const { compiled } = await compileForSend(project, options.issue);
  const config = project.config.config;
  if (mode !== "test") refuseDraft(compiled);
  if (!options.audience) {
    throw new RassylkaError({
      ruleId: "send/no-recipients",
      severity: "error",
      message: "no recipients given",
      fix: "pass --to list.csv or --to a@x.ru,b@y.ru",
    });
  }
  // the secret signs every reader's unsubscribe link; without unsubscribe.url nothing needs it
  const secret = config.unsubscribe?.url ? requireSecret(options.env ?? process.env) : undefined;
  const subject = mode === "test" ? `[TEST] ${compiled.subject}` : compiled.subject;
  const ctx = messageContext(config, compiled.slug, subject, secret);
  const hash = contentHash(compiled, ctx);
  const personaliser = createPersonaliser(compiled);

  const statePath = stateFile(project.root, options.stateFile);
  const db = openState(statePath);
  if (!options.syncEveryCommit) db.pragma("synchronous = NORMAL");
  // 8 MB of page cache (default 2 MB): the ledger's indexes of a big list mostly stay in memory
  db.pragma("cache_size = -8000");
  let transport: Transport | undefined;
  const realKey = compiled.slug;
  // test copies and dry runs keep a scratch ledger: they never count as the real send
  const key = mode === "send" ? realKey : `${mode}:${realKey}`;
  const testStamp = mode === "test" ? `${Date.now()}` : "";
  let runId = 0;
  let began = false;
  try {
    const ledger = new Ledger(db);
    if (mode !== "send") ledger.clear(key);
    if (mode === "dry-run") ledger.assertUnchanged(realKey, hash, { allowChanged: options.allowChanged, issueFile: compiled.source });
    runId = ledger.beginRun(key, hash, subject, { allowChanged: options.allowChanged, issueFile: compiled.source });
    began = true;

    // 1. the list → ledger, streamed in batches (duplicates are found by the ledger, not held in memory)
    let invalid = 0;
    let duplicates = 0;
    let alreadySentDry = 0;
    const invalidRows: InvalidRow[] = [];
    let batch: Parameters<Ledger["addRecipients"]>[2] = [];
    const flush = () => {
      if (batch.length) duplicates += ledger.addRecipients(key, runId, batch);
      batch = [];
    };
    for await (const row of options.audience.rows()) {
      if (row.invalid) {
        invalid++;
        if (invalidRows.length < MAX_LISTED) invalidRows.push({ line: row.line, address: row.address, reason: row.invalid });
        continue;
      }
      const email = row.address.toLowerCase();
      if (mode === "dry-run" && ledger.isSent(realKey, email)) {
        alreadySentDry++;
        continue;
      }
      batch.push({
        email,
        address: row.address,
        fields: row.fields,
        line: row.line,
        messageId: messageIdFor(ctx.listId, testStamp ? `${compiled.slug}-test${testStamp}` : compiled.slug, email, config.from.email),
      });
      if (batch.length >= IMPORT_BATCH) flush();
    }
    flush();
    const resentAddresses = ledger.recoverInFlight(key, runId);
    const before = ledger.counts(key, runId);
    ledger.setListStats(key, { total: before.total + alreadySentDry, invalid, duplicates });
    const toSend = before.pending;

    transport = typeof options.transport === "function" ? await options.transport({ slug: compiled.slug, mode }) : options.transport;
    if (mode === "dry-run" && transport.name !== "dry-run") {
      // a dry run never delivers, whatever transport it was given
      const real = transport;
      transport = new DryRunTransport(real.description);
      await real.close();
    }
    const summary = (extra: Partial<SendSummary> & { sent: number }): SendSummary => {
      const after = ledger.counts(key, runId);
      const elapsedMs = Math.round(performance.now() - started);
      return {
        issue: compiled.source,
        slug: compiled.slug,
        subject,
        mode,
        transport: transport?.description ?? "",
        total: after.total + alreadySentDry,
        alreadySent: after.sent - extra.sent + alreadySentDry,
        failed: after.failed,
        failures: ledger.failures(key, runId, MAX_LISTED),
        suppressed: after.suppressed,
        invalid,
        invalidRows,
        duplicates,
        resent: resentAddresses.length,
        resentAddresses: resentAddresses.slice(0, MAX_LISTED),
        pending: after.pending,
        elapsedMs,
        rate: 0,
        stateFile: statePath,
        ...extra,
      };
    };

    if (mode === "send" && toSend > 0 && options.confirm) {
      const ok = await options.confirm({ subject, recipients: toSend, transport: transport.description, slug: compiled.slug });
      if (!ok) return summary({ sent: 0, stopped: "declined" });
    }

    // 2. claim → send → record
    const loop = await deliverAll({ ledger, key, runId, toSend, transport, personaliser, ctx, options });
    return summary({ sent: loop.sent, stopped: loop.stopped, pauseReason: loop.pauseReason, rate: loop.rate });
  } finally {
    try {
      const ledger = new Ledger(db);
      if (began) ledger.endRun(key);
      if (mode !== "send") ledger.clear(key);
    } finally {
      await transport?.close();
      db.close();
    }
  }
}

interface LoopInput {
  ledger: Ledger;
  key: string;
  runId: number;
  toSend: number;
  transport: Transport;
  personaliser: ReturnType<typeof createPersonaliser>;
  ctx: MessageContext;
  options: SendOptions;
}

/**
 * The claim / send / record loop. Up to `concurrency` readers are in flight; each finished one is
 * recorded in the same transaction that claims the next (one commit per step, not two). A reader is
 * committed as in flight before the transport sees it, so a crash leaves it marked and it is resent.
 */
async function deliverAll(input: LoopInput): Promise<{ sent: number; stopped?: "paused" | "signal"; pauseReason?: string; rate: number }> {
  const { ledger, key, runId, transport, personaliser, ctx, options } = input;
  // a dry run hands nothing over: somewhat bigger batches, fewer commits (not too big: each message in
  // flight holds its rendered HTML, and many at once push garbage into V8's old space)
  const concurrency = Math.max(1, options.concurrency ?? 5, transport.name === "dry-run" ? 16 : 1);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const retryDelay = Math.max(0, options.retryDelay ?? 2000);
  const pauseAfter = Math.max(1, options.pauseAfter ?? 20);
  const limiter = options.rate && options.rate > 0 ? new RateLimiter(options.rate) : undefined;
  const signal = options.signal;
  const t0 = performance.now();

  const inflight = new Set<Promise<void>>();
  const outcomes: Outcome[] = [];
  let firstOutcomeAt = 0;
  const settle = (o: Outcome) => {
    if (!outcomes.length) firstOutcomeAt = performance.now();
    outcomes.push(o);
  };
  // Refill when half of the slots are free: one commit records several outcomes and claims several
  // readers. Readers stay in_flight in the ledger until their outcome is committed (within 20 ms), so a
  // crash can only resend readers that are counted — and reported — as in flight.
  const refillAt = Math.max(1, Math.ceil(concurrency / 2));
  let stop: "paused" | "signal" | undefined = signal?.aborted ? "signal" : undefined;
  let pauseReason: string | undefined;
  let consecutiveTransient = 0;
  const stats = { sent: 0, failed: 0, suppressed: 0, retrying: 0 };

  let wake: (() => void) | undefined;
  let poked = false;
  const poke = () => {
    poked = true;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitFor = async (ms: number) => {
    if (poked) {
      poked = false;
      return;
    }
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(() => poke(), Math.max(0, ms));
    });
    poked = false;
  };
  const onAbort = () => {
    stop ??= "signal";
    poke();
  };
  signal?.addEventListener("abort", onAbort);

  const progress = () => {
    if (!options.onProgress) return;
    const elapsedMs = performance.now() - t0;
    options.onProgress({
      total: input.toSend,
      done: stats.sent + stats.failed + stats.suppressed,
      sent: stats.sent,
      failed: stats.failed,
      suppressed: stats.suppressed,
      retrying: stats.retrying,
      elapsedMs,
      rate: elapsedMs > 0 ? (stats.sent * 1000) / elapsedMs : 0,
    });
  };

  const deliver = async (row: LedgerRow): Promise<void> => {
    if (limiter) await limiter.take(signal);
    if (stop) {
      // claimed but never handed over: back to the queue as it was
      settle({ id: row.id, state: "pending", attempts: row.attempts });
      return;
    }
    const attempts = row.attempts + 1;
    const recipient: Recipient = { address: row.address, key: row.email, fields: row.fields, messageId: row.messageId };
    let result: DeliveryResult;
    try {
      const subscriber = subscriberFor(ctx, recipient);
      const message = buildMessage(ctx, recipient, subscriber, personaliser.render(subscriber));
      try {
        result = await transport.send(message);
      } catch (e) {
        result = { status: "transient", response: (e as Error).message || String(e) };
      }
    } catch (e) {
      result = { status: "permanent", response: `could not render the message: ${(e as Error).message}` };
    }
    if (row.attempts > 0 && stats.retrying > 0) stats.retrying--;
    if (result.status === "sent") {
      consecutiveTransient = 0;
      stats.sent++;
      settle({ id: row.id, state: "sent", attempts, code: result.code, response: result.response, providerId: result.providerId });
    } else if (result.status === "permanent") {
      consecutiveTransient = 0;
      stats.failed++;
      settle({ id: row.id, state: "failed", attempts, code: result.code, response: result.response });
    } else {
      consecutiveTransient++;
      if (attempts >= maxAttempts) {
        stats.failed++;
        settle({
          id: row.id,
          state: "failed",
          attempts,
          code: result.code,
          response: `gave up after ${attempts} attempts: ${result.response}`,
        });
      } else {
        stats.retrying++;
        settle({
          id: row.id,
          state: "deferred",
          attempts,
          code: result.code,
          response: result.response,
          nextAt: Date.now() + backoff(retryDelay, attempts),
        });
      }
      if (consecutiveTransient >= pauseAfter && !stop) {
        stop = "paused";
        pauseReason = result.response;
      }
    }
    progress();
  };

  let lastCheckpoint = performance.now();
  try {
    while (true) {
      if (performance.now() - lastCheckpoint > 1000) {
        ledger.checkpoint();
        lastCheckpoint = performance.now();
        // a transport that never waits for I/O (dry run) would otherwise starve timers and signals
        await new Promise<void>((r) => setImmediate(r));
      }
      const free = concurrency - inflight.size;
      const stale = outcomes.length > 0 && performance.now() - firstOutcomeAt >= RECORD_WITHIN_MS;
      if (!stop && free > 0 && (free >= refillAt || inflight.size === 0 || stale)) {
        const { claimed, suppressed } = ledger.recordAndClaim(key, runId, outcomes.splice(0), free);
        if (suppressed.length) {
          stats.suppressed += suppressed.length;
          progress();
        }
        for (const row of claimed) {
          const p: Promise<void> = deliver(row).finally(() => {
            inflight.delete(p);
            poke();
          });
          inflight.add(p);
        }
      } else if (outcomes.length && (stop || stale || inflight.size === 0)) {
        ledger.record(outcomes.splice(0));
      }
      if (inflight.size === 0) {
        if (stop) break;
        const due = ledger.nextDue(key, runId);
        if (due === undefined) break;
        await waitFor(due - Date.now());
        continue;
      }
      const due = !stop && inflight.size < concurrency ? ledger.nextDue(key, runId) : undefined;
      let wait = due === undefined ? Number.POSITIVE_INFINITY : due - Date.now();
      if (outcomes.length) wait = Math.min(wait, RECORD_WITHIN_MS - (performance.now() - firstOutcomeAt));
      await waitFor(wait);
    }
  } finally {
    await Promise.allSettled([...inflight]);
    ledger.record(outcomes.splice(0));
    ledger.checkpoint();
    signal?.removeEventListener("abort", onAbort);
  }
  const elapsed = performance.now() - t0;
  return { sent: stats.sent, stopped: stop, pauseReason, rate: elapsed > 0 ? (stats.sent * 1000) / elapsed : 0 };
}
