import type { NewsletterConfig, Tracking } from "../config/schema.js";
import { issueTracking, tracksAnything } from "../config/tracking.js";
import { noteText } from "../i18n/notes.js";
import { addressKey } from "../identity/address.js";
import { clickToken, openToken, readerKeyer } from "../identity/click-token.js";
import { pollToken } from "../identity/poll-token.js";
import { type MessageContext, messageContext, messageIdFor } from "../message/message.js";
import { createPersonaliser, type Personaliser, type Subscriber } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { PollLinks, pollPersonaliser } from "../render/poll-links.js";
import { LinkTracker, trackingPersonaliser } from "../render/tracking.js";
import type { AbSummary, SqlAbTests } from "../state/ab.js";
import type { ClickStore } from "../state/clicks.js";
import {
  DEFAULT_LEASE_MS,
  type InvalidListRow,
  type LedgerFailure,
  type LedgerStore,
  type NewRecipient,
  trialKey,
} from "../state/ledger.js";
import type { PollStore } from "../state/polls.js";
import { sha256 } from "../util/fs.js";
import { type AbRequest, type AbRun, abTestOf, beginAb, endAb } from "./ab-test.js";
import type { AudienceSource } from "./audience.js";
import { Delivery, type DeliveryProgress, type StopReason } from "./delivery.js";
import { Heartbeat } from "./lease.js";
import type { DomainPace } from "./pacing.js";
import type { Transport } from "./transport.js";

/**
 * The send engine: a compiled issue, an audience and a transport → the list into the ledger → claim /
 * send / record (src/send/delivery.ts) until nobody is left. Compiling, the draft check, the state file
 * and the transport (the dry run's included) are chosen before it, by the caller (src/cli/send.ts).
 * A library: it returns a summary and never prints or exits; the CLI decides what to show and the exit code.
 */
export type SendMode = "send" | "test" | "dry-run";

export interface SendInput {
  compiled: CompiledIssue;
  config: NewsletterConfig;
  /** RASSYLKA_SECRET: signs each reader's unsubscribe link; needed when `unsubscribe.url` is set. */
  secret?: string;
  /** Recipients (CSV or a list); for `test`, the test addresses. */
  audience: AudienceSource;
  /** Who delivers; for a dry run, the dry-run transport. */
  transport: Transport;
  /** The run's one ledger, on the state store the caller opened (SQLite or PostgreSQL). */
  ledger: LedgerStore;
  /** The same store's clicks: with clicks tracked, the issue's link list is kept there as the send starts. */
  clicks?: ClickStore;
  /** The same store's polls: an issue's polls are kept there as its send starts (serve's vote page shows them). */
  polls?: PollStore;
  /** The same store's A/B tests: an issue with several subjects is sent as a test (src/send/ab-test.ts, docs/ab-testing.md). */
  ab?: SqlAbTests;
  /** `--ab-decide`, `--ab-winner N`, or the worker's "decide when the wait is over". */
  abRequest?: AbRequest;
  /** How long this worker's claims are its own without a heartbeat, ms. Default 60 s. */
  leaseMs?: number;
  mode?: SendMode;
  /** Messages per second over the whole run; 0 or undefined: no limit. */
  rate?: number;
  /**
   * Messages per second per receiving domain (`--domain-rate`), over `sending.domainRates` of the config
   * domain by domain. Both this and `rate` are per worker (src/send/pacing.ts).
   */
  domainRates?: Record<string, number>;
  /** Messages handed to the transport at once. Default 5 (at least 16 for a dry run, which hands nothing over). */
  concurrency?: number;
  /** Attempts per reader for temporary failures. Default: no limit but the window. */
  maxAttempts?: number;
  /** Base of the exponential backoff, ms. Default 60,000: the first retry comes after 30–90 s. */
  retryDelay?: number;
  /** How long a temporary failure is retried before the reader is failed, ms. Default 12 hours. */
  retryWindow?: number;
  /** The longest the run waits for a deferred reader's retry before it stops (exit 3), ms. Default 5 minutes. */
  maxWait?: number;
  /** Transient failures in a row that pause the run. Default 20. */
  pauseAfter?: number;
  /** The same permanent reply for this many different readers in a row stops the run as the sender's problem. Default 10. */
  samePermanentStop?: number;
  /** Put this list's failed readers back in the queue (`--retry-failed`). */
  retryFailed?: boolean;
  /**
   * Add readers refused because their mailbox does not exist (5.1.1, 5.1.10, 5.2.1) to the suppression
   * list, reason `bounced`. Default true (`suppressBounces: false` in newsletter.yaml turns it off).
   */
  suppressBounces?: boolean;
  allowChanged?: boolean;
  /** Abort (Ctrl-C, SIGTERM): stop claiming, let in-flight messages finish, record them, return. */
  signal?: AbortSignal;
  /** Called with the count before anything is delivered in a real send; false stops with nothing sent. */
  confirm?: (info: ConfirmInfo) => Promise<boolean>;
  onProgress?: (progress: SendProgress) => void;
}

export interface ConfirmInfo {
  subject: string;
  recipients: number;
  transport: string;
  slug: string;
}

export type SendProgress = DeliveryProgress;

/** A list row that is not an address (the store keeps every one: `rassylka status` lists them). */
export type InvalidRow = InvalidListRow;

export interface SendSummary {
  issue: string;
  slug: string;
  subject: string;
  mode: SendMode;
  /**
   * A trial: a send through a transport that delivers to nobody (the outbox). Kept in a ledger of its
   * own, so "sent" counts files written, and the real send afterwards still goes to every reader.
   */
  trial: boolean;
  transport: string;
  /** Unique valid readers in the list given. */
  total: number;
  /** Delivered by this run. */
  sent: number;
  /** Delivered by an earlier run of the same issue (not sent again). */
  alreadySent: number;
  /** Delivered by the other workers sharing this run (the same send started on other machines or processes). */
  sentByOthers: number;
  /** Workers that shared this run, this one included. */
  workers: number;
  /** Outcomes not recorded because another worker took the readers over after this one's lease ran out. */
  lost: number;
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
  /** Readers that were in flight when an earlier process died, sent again by this run (they may get it twice). */
  resent: number;
  resentAddresses: string[];
  /** Still to be delivered (deferred or pending) when the run stopped. */
  pending: number;
  /** Of those, waiting for the retry of a temporary failure. */
  deferred: number;
  /** For `stopped: "deferred"`: when the earliest deferred reader is due (ISO time). */
  nextRetryAt?: string;
  /** Failed readers of the list put back in the queue by `retryFailed`. */
  retried: number;
  /** Readers added to the suppression list (reason `bounced`) because their mailbox does not exist. */
  bounced: number;
  /**
   * Why the run stopped early: paused (server looks down), signal (Ctrl-C / SIGTERM), declined, sender
   * (a problem on the sender's side: see pauseReason and fix), deferred (only retries later than maxWait left).
   */
  stopped?: StopReason | "declined" | "state";
  /** The last error before a pause, or the sender's problem, in English: what scripts read. */
  pauseReason?: string;
  /** The same reason in the editor's language: what a person reads. */
  note?: string;
  /** For `stopped: "sender"`: what to fix before running the same command again. */
  fix?: string;
  elapsedMs: number;
  /** Messages per second while sending. */
  rate: number;
  /** Paced domains: configured ones, and any slowed by a 421/451, with their pace at the end. */
  domains: DomainPace[];
  /** The state used: the file, or the PostgreSQL URL with its password masked. */
  stateFile: string;
  /** An A/B test of subjects: each variant's figures, the readers held for the winner, the decision. */
  ab?: AbSummary;
}

/**
 * The state store (or its disk) failed after this run had delivered readers: `partial` is what the run
 * knows without it (`stopped: "state"`), so the CLI can say how many were delivered and exit 3 (re-run to
 * resume: the readers delivered but not recorded are in flight in the ledger, taken over and reported as
 * resent) instead of 1 ("nothing was sent"). `cause` is the store's error.
 */
export class DeliveredThenFailed extends Error {
  constructor(
    readonly partial: SendSummary,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
    this.name = "DeliveredThenFailed";
  }
}

const IMPORT_BATCH = 500;
const MAX_LISTED = 1000;

/** What changes what a reader receives: a change after the send started needs --allow-changed. */
export function contentHash(compiled: CompiledIssue, ctx: MessageContext): string {
  const c = ctx.config;
  // without the tokens' per-process nonce (render/tokens.ts): workers compiling the same issue at once must agree
  const plain = (text: string) => (compiled.tokens ? text.split(compiled.tokens).join("") : text);
  return sha256(
    compiled.subject,
    plain(compiled.html),
    plain(compiled.text),
    JSON.stringify([
      compiled.deferred,
      compiled.deferredText,
      c.from,
      c.replyTo ?? null,
      c.unsubscribe ?? null,
      // only when on: an issue sent before tracking existed keeps its hash
      ...(tracksAnything(sendTracking(compiled, c)) ? [sendTracking(compiled, c), c.url ?? null] : []),
      // only with a test: an issue with one subject keeps its hash
      ...(abTestOf(compiled) ? [compiled.subjects, compiled.abTest] : []),
    ]),
  );
}

/** What a send of this issue measures: newsletter.yaml's `tracking:` under the issue's front-matter. */
export function sendTracking(compiled: CompiledIssue, config: NewsletterConfig): Tracking {
  return issueTracking(config.tracking, compiled.tracking);
}

/**
 * The personaliser of a send: with clicks tracked, each reader's links become `<url>/c/<token>`
 * (render/tracking.ts) and `tracker.links` is then the issue's link list; with opens tracked, a 1×1
 * `<url>/o/<token>.gif` per reader. Each token carries when the message was made, and `trial` for a
 * trial's message (an outbox run or a test send: its events count in no figure). Needs `url` and the
 * secret (checked by the caller, src/send/send-issue.ts).
 */
export function sendPersonaliser(
  compiled: CompiledIssue,
  ctx: MessageContext,
  options: { trial?: boolean; now?: () => number } = {},
): { personaliser: Personaliser; tracker?: LinkTracker } {
  const { config, secret, listId } = ctx;
  let personaliser = createPersonaliser(compiled);
  // a reader's key, once per message (every link and poll answer of the message carries it)
  const keyOf = readerKeyer(listId);
  let lastEmail: string | undefined;
  let lastKey = "";
  const readerOf = (subscriber: Subscriber): string => {
    const email = subscriber.email ?? "";
    if (email !== lastEmail) [lastEmail, lastKey] = [email, keyOf(email)];
    return lastKey;
  };
  // each answer of a poll: the reader's own signed vote link (render/poll-links.ts, docs/polls.md)
  if (compiled.polls?.length && config.url && secret) {
    const web = config.url.replace(/\/+$/, "");
    const links = new PollLinks(compiled.polls, {
      webUrl: `${web}/${compiled.slug}.html`,
      url: (poll, answer, subscriber) => `${web}/poll/${pollToken({ poll, answer, reader: readerOf(subscriber) }, listId, secret)}`,
    });
    personaliser = pollPersonaliser(personaliser, links);
  }
  const tracking = sendTracking(compiled, config);
  if (!tracksAnything(tracking) || !config.url || !secret) return { personaliser };
  const base = config.url.replace(/\/+$/, "");
  const trial = options.trial ?? false;
  const now = options.now ?? Date.now;
  const claim = (subscriber: Subscriber) => ({
    slug: compiled.slug,
    reader: readerOf(subscriber),
    sent: Math.floor(now() / 1000),
    trial,
  });
  const tracker = new LinkTracker({
    url: tracking.clicks ? (link, subscriber) => `${base}/c/${clickToken({ ...claim(subscriber), link }, listId, secret)}` : undefined,
    pixel: tracking.opens ? (subscriber) => `${base}/o/${openToken(claim(subscriber), listId, secret)}.gif` : undefined,
    skipPrefixes: [
      `${base}/c/`,
      `${base}/o/`,
      `${base}/poll/`,
      `${base}/unsubscribe`,
      `${base}/preferences`,
      ...(config.unsubscribe?.url ? [config.unsubscribe.url] : []),
    ],
  });
  return { personaliser: trackingPersonaliser(personaliser, tracker), tracker };
}

export async function runSend(input: SendInput): Promise<SendSummary> {
  const started = performance.now();
  const { compiled, config, ledger, transport } = input;
  const mode = input.mode ?? "send";
  const subject = mode === "test" ? `[TEST] ${compiled.subject}` : compiled.subject;
  const ctx = messageContext(config, compiled.slug, subject, input.secret, compiled.topic);
  const hash = contentHash(compiled, ctx);
  const realKey = compiled.slug;
  // a send to the outbox delivers to nobody: a trial, in its own ledger, never counted as the real send
  const trial = mode === "send" && transport.trial === true;
  // test copies and dry runs keep a scratch ledger: they never count as the real send
  // (one per worker: two dry runs at once on a shared database do not clear each other's)
  const key = trial ? trialKey(realKey) : mode === "send" ? realKey : `${mode}:${realKey}:${ledger.worker}`;
  const leaseMs = Math.max(50, input.leaseMs ?? DEFAULT_LEASE_MS);
  const testStamp = mode === "test" ? `${Date.now()}` : "";
  // a trial may follow every edit: it starts over each time, so no reader has an earlier version of it
  const guard = { allowChanged: input.allowChanged || trial, issueFile: compiled.source };
  let heartbeat: Heartbeat | undefined;
  /** The delivery loop began: before it (an unreadable list, a refusal) this worker never sent, and is no worker of the issue. */
  let delivering = false;
  try {
    if (mode !== "send") await ledger.clear(key);
    if (mode === "dry-run") await ledger.assertUnchanged(realKey, hash, guard);
    // a real send is tied to its list: another list while this issue's run is live is refused, not merged
    const audience = mode === "send" ? await input.audience.identity?.() : undefined;
    const runId = await ledger.beginRun(key, hash, subject, { ...guard, leaseMs, audience, transport: transport.description });
    heartbeat = new Heartbeat(ledger, key, leaseMs);
    // an A/B test of subjects: decided first when asked to; each reader's group comes from the test
    let ab: AbRun | undefined;
    if (mode === "send" && !trial && input.ab && abTestOf(compiled)) {
      if (!input.secret) throw new Error("an A/B test needs RASSYLKA_SECRET (the caller checks it)");
      ab = await beginAb(input.ab, compiled, { secret: input.secret, listId: ctx.listId, request: input.abRequest });
    }

    // the transport's check (an SMTP greeting and login) runs while the list is read; open() reports it
    transport.warmUp?.();
    // 1. the list → ledger, streamed in batches (duplicates are found by the ledger, not held in memory)
    let invalid = 0;
    let duplicates = 0;
    let alreadySentDry = 0;
    const invalidRows: InvalidRow[] = [];
    let batch: NewRecipient[] = [];
    let invalidBatch: InvalidRow[] = [];
    // each reader's key in click events, kept in the ledger: the report joins clicks to domains by it
    const keyOf = readerKeyer(ctx.listId);
    const flush = async () => {
      if (batch.length) duplicates += await ledger.addRecipients(key, runId, batch, { again: trial });
      if (invalidBatch.length) await ledger.addInvalid(key, runId, invalidBatch);
      batch = [];
      invalidBatch = [];
    };
    for await (const row of input.audience.rows()) {
      if (row.invalid) {
        invalid++;
        const bad = { line: row.line, address: row.address, reason: row.invalid };
        // the summary lists the first ones; the store keeps them all
        if (invalidRows.length < MAX_LISTED) invalidRows.push(bad);
        invalidBatch.push(bad);
        if (invalidBatch.length >= IMPORT_BATCH) await flush();
        continue;
      }
      const email = addressKey(row.address);
      if (mode === "dry-run" && (await ledger.isSent(realKey, email))) {
        alreadySentDry++;
        continue;
      }
      batch.push({
        email,
        address: row.address,
        fields: row.fields,
        line: row.line,
        readerKey: keyOf(email),
        messageId: messageIdFor(
          ctx.listId,
          testStamp ? `${compiled.slug}-test${testStamp}` : compiled.slug,
          email,
          config.from.email,
          input.secret,
        ),
        ...ab?.group(compiled.slug, email),
      });
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    await ledger.recoverInFlight(key, runId);
    const retried = input.retryFailed ? await ledger.retryFailed(key, runId) : 0;
    const before = await ledger.counts(key, runId);
    await ledger.setListStats(key, { total: before.total + alreadySentDry, invalid, duplicates });
    const toSend = before.pending;

    const summary = async (extra: Partial<SendSummary> & { sent: number }): Promise<SendSummary> => {
      // after the loop, so a crash before it leaves the failed rows for the next run to find
      const bounced =
        mode === "send" && !trial && (input.suppressBounces ?? config.suppressBounces) !== false && extra.stopped !== "declined"
          ? await ledger.suppressBounced(key, runId)
          : 0;
      const after = await ledger.counts(key, runId);
      const others = (await ledger.workers(key)).filter((w) => w.runId === runId && w.worker !== ledger.worker);
      const sentByOthers = others.reduce((n, w) => n + w.sent, 0);
      return {
        issue: compiled.source,
        slug: compiled.slug,
        subject,
        mode,
        trial,
        transport: transport.description,
        total: after.total + alreadySentDry,
        alreadySent: Math.max(0, after.sent - extra.sent - sentByOthers) + alreadySentDry,
        sentByOthers,
        workers: others.length + 1,
        lost: 0,
        failed: after.failed,
        failures: (await ledger.failures(key, runId, MAX_LISTED)).map((f) => ({ ...f, message: noteText(f.message) })),
        suppressed: after.suppressed,
        invalid,
        invalidRows,
        duplicates,
        resent: 0,
        resentAddresses: [],
        pending: after.pending,
        deferred: after.deferred,
        retried,
        bounced,
        elapsedMs: Math.round(performance.now() - started),
        rate: 0,
        domains: [],
        stateFile: ledger.location,
        ab: ab && input.ab ? await endAb(input.ab, ab) : undefined,
        ...extra,
      };
    };

    if (toSend > 0) await transport.open?.();
    if (mode === "send" && toSend > 0 && input.confirm) {
      const ok = await input.confirm({ subject, recipients: toSend, transport: transport.description, slug: compiled.slug });
      if (!ok) return await summary({ sent: 0, stopped: "declined" });
    }

    // 2. claim → send → record; with clicks tracked the issue's links are kept first (serve redirects only to them)
    // an outbox run and a test send are trials: their clicks are kept apart and count in no figure
    const trialClicks = trial || mode === "test";
    const { personaliser, tracker } = sendPersonaliser(compiled, ctx, { trial: trialClicks });
    if (compiled.polls?.length && input.polls && mode !== "dry-run") await input.polls.savePolls(compiled.slug, compiled.polls);
    if (tracker && input.clicks && mode !== "dry-run") {
      personaliser.render({ email: "" });
      await input.clicks.startIssue(compiled.slug, sendTracking(compiled, config), tracker.links, { trial: trialClicks });
    }
    // each A/B group's messages carry its own subject; everybody else the winner's (the first until decided)
    const variants = ab?.test.subjects.map((_, i) => messageContext(config, compiled.slug, ab.subject(i), input.secret));
    const restCtx = ab ? messageContext(config, compiled.slug, ab.subject(null), input.secret) : ctx;
    const delivery = new Delivery(
      { ledger, key, runId, leaseMs, toSend, transport, personaliser, ctx: restCtx, variants },
      {
        // a dry run hands nothing over: somewhat bigger batches, fewer commits (not too big: each message in
        // flight holds its rendered HTML, and many at once push garbage into V8's old space)
        concurrency: Math.max(1, input.concurrency ?? 5, mode === "dry-run" ? 16 : 1),
        maxAttempts: Math.max(1, input.maxAttempts ?? Number.POSITIVE_INFINITY),
        retryDelay: Math.max(0, input.retryDelay ?? 60_000),
        retryWindow: Math.max(0, input.retryWindow ?? 12 * 3600_000),
        maxWait: Math.max(0, input.maxWait ?? 5 * 60_000),
        pauseAfter: Math.max(1, input.pauseAfter ?? 20),
        samePermanentStop: Math.max(2, input.samePermanentStop ?? 10),
        rate: input.rate && input.rate > 0 ? input.rate : 0,
        // a dry run hands nothing to any domain: the config's paces would only make it as slow as the send
        domainRates: mode === "dry-run" ? input.domainRates : { ...config.sending?.domainRates, ...input.domainRates },
        signal: input.signal,
        onProgress: input.onProgress,
      },
    );
    const failedAfter = (e: unknown): unknown =>
      delivery.delivered > 0 && !(e instanceof DeliveredThenFailed)
        ? new DeliveredThenFailed(
            {
              issue: compiled.source,
              slug: compiled.slug,
              subject,
              mode,
              trial,
              transport: transport.description,
              total: before.total + alreadySentDry,
              sent: delivery.delivered,
              alreadySent: before.sent + alreadySentDry,
              sentByOthers: 0,
              workers: 1,
              lost: 0,
              failed: before.failed,
              failures: [],
              suppressed: before.suppressed,
              invalid,
              invalidRows,
              duplicates,
              resent: 0,
              resentAddresses: [],
              pending: Math.max(0, toSend - delivery.delivered),
              deferred: 0,
              retried,
              bounced: 0,
              stopped: "state",
              elapsedMs: Math.round(performance.now() - started),
              rate: 0,
              domains: [],
              stateFile: ledger.location,
            },
            e,
          )
        : e;
    let loop: Awaited<ReturnType<Delivery["run"]>>;
    delivering = true;
    try {
      loop = await delivery.run();
    } catch (e) {
      throw failedAfter(e);
    }
    return await summary({
      sent: loop.sent,
      stopped: loop.stopped,
      // the reason as data written out: in English for scripts (as it always was), and in the editor's language
      pauseReason: noteText(loop.pauseReason, "en"),
      note: noteText(loop.pauseReason),
      fix: noteText(loop.fix),
      nextRetryAt: loop.nextRetryAt === undefined ? undefined : new Date(loop.nextRetryAt).toISOString(),
      resent: loop.resent,
      resentAddresses: loop.resentAddresses,
      lost: loop.lost,
      rate: loop.rate,
      domains: loop.domains,
    }).catch((e) => {
      throw failedAfter(e);
    });
  } finally {
    if (heartbeat) {
      await heartbeat.stop();
      // a ledger that fails now (a full disk, the server gone) has failed the send already: that error is the one to show
      await ledger.endRun(key, { started: delivering }).catch(() => {});
    }
    if (mode !== "send") await ledger.clear(key).catch(() => {});
  }
}
