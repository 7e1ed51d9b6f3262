import { storeNote } from "../i18n/notes.js";
import { buildMessage, type MessageContext, type Recipient, subscriberFor } from "../message/message.js";
import type { Personaliser } from "../render/personalise.js";
import type { LedgerRow, LedgerStore, NextDue, Outcome } from "../state/ledger.js";
import { isStateOutage } from "../state/outage.js";
import { decideOutcome, initialPolicyState, type PolicyState, type RetryPolicy, type StopReason } from "./outcome.js";
import { type DomainPace, DomainPacer } from "./pacing.js";
import type { DeliveryResult, Transport } from "./transport.js";

export type { StopReason };

/**
 * The claim / send / record loop of one run. Up to `concurrency` readers are in flight; finished ones
 * are recorded in the same transaction that claims the next (one commit per step, not two). A reader is
 * committed as in flight before the transport sees it, so a crash leaves it marked and it is resent.
 * Refills when half of the slots are free, and records outcomes within RECORD_WITHIN_MS: a crash can
 * only resend readers that are counted, and reported, as in flight.
 */
export interface DeliverySettings extends RetryPolicy {
  /** Messages handed to the transport at once. */
  concurrency: number;
  /**
   * The longest the loop waits for a deferred reader's retry, ms. When only deferred readers are left and
   * the next is due later than this, the run stops (`deferred`): the next run sends those that are due.
   */
  maxWait: number;
  /** Messages per second over the whole run; 0: no limit. */
  rate: number;
  /** Messages per second per receiving domain (src/send/pacing.ts); flags already merged over the config. */
  domainRates?: Record<string, number>;
  signal?: AbortSignal;
  onProgress?: (progress: DeliveryProgress) => void;
}

export interface DeliveryProgress {
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

export interface DeliveryResultSummary {
  sent: number;
  stopped?: StopReason;
  /** The last error before a pause, or the sender's problem. */
  pauseReason?: string;
  /** For `sender`: what to fix. */
  fix?: string;
  /** For `deferred`: when the earliest deferred reader is due (ms since epoch). */
  nextRetryAt?: number;
  /** Readers in doubt after a crash that this run sent again. */
  resent: number;
  resentAddresses: string[];
  /**
   * Outcomes this worker could not record because another worker had taken the readers over (its lease
   * ran out: the process was suspended or stalled longer than the lease); they may get the issue twice.
   */
  lost: number;
  rate: number;
  /** Paced domains: configured ones and those slowed by a 421/451 during the run. */
  domains: DomainPace[];
}

/** Where the loop delivers from and to: one run of one issue in the ledger. */
export interface DeliveryTarget {
  ledger: LedgerStore;
  key: string;
  runId: number;
  /** This worker's lease on what it claims, ms (renewed by the heartbeat, src/send/lease.ts). */
  leaseMs: number;
  /** Readers waiting in this run's list when the loop starts (for progress). */
  toSend: number;
  transport: Transport;
  personaliser: Personaliser;
  ctx: MessageContext;
  /** An A/B test's message context per sample group (its subject); a row without a group gets `ctx`. */
  variants?: MessageContext[];
}

const RECORD_WITHIN_MS = 20;
/** How often the run's last outcomes are written again while the state's server is away. */
const RECORD_RETRY_MS = 1000;
/** Retries back off to once an hour at most: a reader deferred for a day is tried about 24 more times. */
const MAX_LISTED = 1000;
const CHECKPOINT_EVERY_MS = 1000;
/** Waiting on readers another worker has in flight: how often to look whether it finished them (or died). */
const OTHERS_POLL_MS = 250;

/** How long to sleep for what is due next: a retry's time, or a short look at the other workers' leases. */
function untilDue(due: NextDue): number {
  const ms = due.at - Date.now();
  return due.kind === "lease" ? Math.min(ms, OTHERS_POLL_MS) : ms;
}

/** Backoff for the n-th failed attempt: base·2^(n−1), times a jitter factor in [0.5, 1.5), capped at an hour. */

/** A global messages-per-second limit (a slot every 1000/rate ms), shared by every concurrent send. */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;
  private readonly sleepers = new Set<() => void>();
  private readonly wakeAll = () => {
    for (const wake of [...this.sleepers]) wake();
  };
  /**
   * One abort listener for every waiting message: a listener per waiting message (timers/promises'
   * `delay` with a signal) trips Node's MaxListenersExceededWarning once 11 of them wait.
   */
  constructor(
    perSecond: number,
    private readonly signal?: AbortSignal,
  ) {
    this.interval = 1000 / perSecond;
    signal?.addEventListener("abort", this.wakeAll);
  }
  async take(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    // Timers may fire up to a millisecond early against performance.now(): wait out the remainder.
    for (let left = at - now; left > 0 && !this.signal?.aborted; left = at - performance.now()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.ceil(left));
        this.sleepers.add(done);
      });
    }
  }
  dispose(): void {
    this.signal?.removeEventListener("abort", this.wakeAll);
    this.wakeAll();
  }
}

/** A reply with the reader's address taken out: the same text for every reader when it is about the sender. */

/** A wake-up the loop sleeps on: a finished message, a due retry or an abort ends the sleep. */
class Alarm {
  private wake?: () => void;
  private rung = false;
  ring(): void {
    this.rung = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  async sleep(ms: number): Promise<void> {
    if (!this.rung) {
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        this.wake = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        if (Number.isFinite(ms)) timer = setTimeout(() => this.ring(), Math.max(0, ms));
      });
    }
    this.rung = false;
  }
}

export class Delivery {
  private readonly inflight = new Set<Promise<void>>();
  /** Finished, not yet committed. */
  private readonly outcomes: Outcome[] = [];
  private firstOutcomeAt = 0;
  private readonly stats = { sent: 0, failed: 0, suppressed: 0, retrying: 0 };
  private stop?: StopReason;
  private pauseReason?: string;
  private fix?: string;
  private nextRetryAt?: number;
  /** What the retry/stop policy remembers between answers (transient failures in a row, the same refusal in a row). */
  private policy: Pick<PolicyState, "transientInARow" | "permanentStreak"> = initialPolicyState();
  private resentCount = 0;
  private readonly resentAddresses: string[] = [];
  private lostCount = 0;
  /** The last claim found fewer readers than it asked for: only then is the next due time worth reading. */
  private drained = false;
  private readonly alarm = new Alarm();
  private readonly limiter?: RateLimiter;
  /** Claimed readers whose domain has no free slot yet wait here, out of the concurrency slots. */
  private readonly pacer: DomainPacer<LedgerRow>;
  private readonly started = performance.now();

  constructor(
    private readonly target: DeliveryTarget,
    private readonly settings: DeliverySettings,
  ) {
    this.limiter = settings.rate > 0 ? new RateLimiter(settings.rate, settings.signal) : undefined;
    this.pacer = new DomainPacer({ rates: settings.domainRates });
    if (settings.signal?.aborted) this.stop = "signal";
  }

  /** Readers the transport accepted in this run so far (known even when the ledger failed before recording them). */
  get delivered(): number {
    return this.stats.sent;
  }

  async run(): Promise<DeliveryResultSummary> {
    const { signal } = this.settings;
    const onAbort = () => {
      this.stop ??= "signal";
      this.alarm.ring();
    };
    signal?.addEventListener("abort", onAbort);
    try {
      await this.loop();
    } finally {
      await Promise.allSettled([...this.inflight]);
      this.releaseParked();
      await this.recordLeft();
      await this.target.ledger.checkpoint();
      this.limiter?.dispose();
      signal?.removeEventListener("abort", onAbort);
    }
    const elapsed = performance.now() - this.started;
    return {
      sent: this.stats.sent,
      stopped: this.stop,
      pauseReason: this.pauseReason,
      fix: this.fix,
      nextRetryAt: this.nextRetryAt,
      resent: this.resentCount,
      resentAddresses: this.resentAddresses,
      lost: this.lostCount,
      rate: elapsed > 0 ? (this.stats.sent * 1000) / elapsed : 0,
      domains: this.pacer.summary(),
    };
  }

  private async loop(): Promise<void> {
    const { ledger, key, runId } = this.target;
    const { concurrency } = this.settings;
    const refillAt = Math.max(1, Math.ceil(concurrency / 2));
    let lastCheckpoint = performance.now();
    for (;;) {
      if (performance.now() - lastCheckpoint > CHECKPOINT_EVERY_MS) {
        await ledger.checkpoint();
        lastCheckpoint = performance.now();
        // a transport that never waits for I/O (dry run) would otherwise starve timers and signals
        await new Promise<void>((r) => setImmediate(r));
      }
      // parked readers whose domain's slot has come go first: they are claimed already
      if (this.stop) this.releaseParked();
      else for (const row of this.pacer.ready(concurrency - this.inflight.size)) this.launch(row);
      const free = concurrency - this.inflight.size;
      const stale = this.outcomes.length > 0 && performance.now() - this.firstOutcomeAt >= RECORD_WITHIN_MS;
      const room = this.pacer.roomToClaim();
      if (!this.stop && room && free > 0 && (free >= refillAt || this.inflight.size === 0 || stale)) {
        await this.claim(free);
      } else if (this.outcomes.length && (this.stop || stale || this.inflight.size === 0)) {
        this.lost(await this.keeping((batch) => ledger.record(batch)));
      }
      const paced = this.pacer.waitMs();
      if (this.inflight.size === 0) {
        if (this.stop) return;
        const due = await ledger.nextDue(key, runId);
        if (paced !== undefined) {
          await this.alarm.sleep(Math.min(paced, due === undefined ? paced : untilDue(due)));
          continue;
        }
        if (due === undefined) return;
        if (due.kind === "deferred" && due.at - Date.now() > this.settings.maxWait) {
          // only deferred readers are left, and not soon: the next run sends them (the process need not wait)
          this.stop = "deferred";
          this.nextRetryAt = due.at;
          return;
        }
        // a retry due soon, or readers in flight with another worker: if its lease runs out, they are ours
        await this.alarm.sleep(untilDue(due));
        continue;
      }
      const due = !this.stop && room && this.drained && this.inflight.size < concurrency ? await ledger.nextDue(key, runId) : undefined;
      let wait = due === undefined ? Number.POSITIVE_INFINITY : untilDue(due);
      if (paced !== undefined && this.inflight.size < concurrency) wait = Math.min(wait, paced);
      if (this.outcomes.length) wait = Math.min(wait, RECORD_WITHIN_MS - (performance.now() - this.firstOutcomeAt));
      await this.alarm.sleep(wait);
    }
  }

  /**
   * Writes the outcomes waiting to be recorded through `write`; when the write fails (the state's server
   * restarting, its disk refusing) they are kept, not dropped, so the run's end can still record them.
   */
  private async keeping<T>(write: (batch: Outcome[]) => Promise<T>): Promise<T> {
    const batch = this.outcomes.splice(0);
    try {
      return await write(batch);
    } catch (e) {
      this.outcomes.unshift(...batch);
      throw e;
    }
  }

  /**
   * The run's last outcomes, recorded even through a short outage of the state: the readers they name were
   * delivered, and unrecorded they would be sent again by whoever takes their lease over. Through an outage
   * of the state's server (src/state/outage.ts) tried again each second while their lease lasts (after it,
   * another worker may hold them: the ledger reports them resent); any other error stops the run as before.
   */
  private async recordLeft(): Promise<void> {
    const deadline = performance.now() + this.target.leaseMs;
    for (;;) {
      try {
        this.lost(await this.keeping((batch) => this.target.ledger.record(batch)));
        return;
      } catch (e) {
        if (!isStateOutage(e) || performance.now() + RECORD_RETRY_MS > deadline) throw e;
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  /** Record what finished and claim up to `free` readers in one transaction; start delivering them. */
  private async claim(free: number): Promise<void> {
    const { ledger, key, runId, leaseMs } = this.target;
    const { claimed, suppressed, lost } = await this.keeping((batch) => ledger.recordAndClaim(key, runId, batch, free, { leaseMs }));
    this.lost(lost);
    this.drained = claimed.length + suppressed.length < free;
    if (suppressed.length) {
      this.stats.suppressed += suppressed.length;
      this.progress();
    }
    for (const row of claimed) if (this.pacer.offer(row.email, row)) this.launch(row);
  }

  private launch(row: LedgerRow): void {
    const p: Promise<void> = this.deliver(row).finally(() => {
      this.inflight.delete(p);
      this.alarm.ring();
    });
    this.inflight.add(p);
  }

  /** The run stops: parked readers were never handed over, back to the queue as they were. */
  private releaseParked(): void {
    for (const row of this.pacer.drain()) this.settle({ id: row.id, state: "pending", attempts: row.attempts });
  }

  /** Outcomes another worker's claim overrode: this worker's lease ran out, so it stops claiming. */
  private lost(n: number): void {
    if (n <= 0) return;
    this.lostCount += n;
    if (this.stop === undefined || this.stop === "paused") {
      this.stop = "lease";
      this.pauseReason = storeNote("send/lease-lost", { count: this.lostCount });
    }
    this.alarm.ring();
  }

  private settle(o: Outcome): void {
    if (!this.outcomes.length) this.firstOutcomeAt = performance.now();
    this.outcomes.push(o);
  }

  private async deliver(row: LedgerRow): Promise<void> {
    // rendered before the rate limiter's slot is taken, so the slots space the hand-overs themselves
    // (a slow first render would otherwise bunch the first two hand-overs together)
    const message = this.render(row);
    if (this.limiter && !("status" in message)) await this.limiter.take();
    if (this.stop) {
      // claimed but never handed over: back to the queue as it was
      this.settle({ id: row.id, state: "pending", attempts: row.attempts });
      return;
    }
    const handedAt = performance.now();
    const result = "status" in message ? message : await this.handOver(message);
    this.pacer.observe(row.email, result, performance.now() - handedAt);
    if (row.attempts > 0 && this.stats.retrying > 0) this.stats.retrying--;
    this.settle(this.outcomeOf(row, result));
    this.progress();
  }

  /** One reader's message, or why it could not be rendered (a permanent failure: nothing is handed over). */
  private render(row: LedgerRow): ReturnType<typeof buildMessage> | DeliveryResult {
    const { personaliser, variants } = this.target;
    const ctx = (row.variant !== null && variants?.[row.variant]) || this.target.ctx;
    const recipient: Recipient = { address: row.address, key: row.email, fields: row.fields, messageId: row.messageId };
    try {
      const subscriber = subscriberFor(ctx, recipient);
      return buildMessage(ctx, recipient, subscriber, personaliser.render(subscriber));
    } catch (e) {
      return { status: "permanent", response: storeNote("send/render-failed", { error: (e as Error).message }) };
    }
  }

  /** Hands one rendered message to the transport, once. */
  private async handOver(message: ReturnType<typeof buildMessage>): Promise<DeliveryResult> {
    try {
      return await this.target.transport.send(message);
    } catch (e) {
      return { status: "transient", response: (e as Error).message || String(e) };
    }
  }

  /** The policy's decision (src/send/outcome.ts), applied to the run's figures and the readers it puts back. */
  private outcomeOf(row: LedgerRow, result: DeliveryResult): Outcome {
    const before: PolicyState = { ...this.policy, stop: this.stop, pauseReason: this.pauseReason, fix: this.fix };
    const d = decideOutcome(row, result, before, this.settings, Date.now());
    this.policy = { transientInARow: d.state.transientInARow, permanentStreak: d.state.permanentStreak };
    ({ stop: this.stop, pauseReason: this.pauseReason, fix: this.fix } = d.state);
    if (d.requeue.length) {
      this.stats.failed -= d.requeue.length;
      for (const r of d.requeue) this.settle(r);
    }
    if (d.counted) this.stats[d.counted]++;
    if (d.counted === "sent" && row.inDoubt) {
      this.resentCount++;
      if (this.resentAddresses.length < MAX_LISTED) this.resentAddresses.push(row.address);
    }
    return d.outcome;
  }

  private progress(): void {
    const { onProgress } = this.settings;
    if (!onProgress) return;
    const elapsedMs = performance.now() - this.started;
    const { sent, failed, suppressed, retrying } = this.stats;
    onProgress({
      total: this.target.toSend,
      done: sent + failed + suppressed,
      sent,
      failed,
      suppressed,
      retrying,
      elapsedMs,
      rate: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0,
    });
  }
}
