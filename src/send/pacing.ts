import { RassylkaError } from "../diagnostics.js";
import { domainKey } from "../util/domain.js";
import type { DeliveryResult } from "./transport.js";

/**
 * Pacing per receiving domain: Mail.ru, Yandex and Gmail limit how fast one sender may deliver
 * to them, and answer 421/451 beyond it. Each configured domain (`sending.domainRates`, `--domain-rate`)
 * gets at most N messages per second **from this worker**: two workers sharing a send deliver up to 2·N.
 *
 * Matching: on the domain of the reader's canonical address (lower case, IDN as A-labels, see
 * src/identity/address.ts). A key covers its subdomains too (`mail.ru` paces `corp.mail.ru`, the same
 * receiving servers as a rule), and the most specific key wins (`corp.mail.ru: 2` beside `mail.ru: 10`).
 * Readers of every subdomain a key covers share that key's one pace. `inbox.ru` or `bk.ru` are other
 * domains (Mail.ru's, but not subdomains): give them their own keys.
 *
 * How the loop (src/send/delivery.ts) uses it, so that a paced domain never stalls the others: every
 * claimed reader is `offer`ed; one whose domain has no free slot yet is parked here, in memory, in its
 * domain's queue, and does not take a concurrency slot — the loop goes on handing other domains' readers
 * over, and takes parked readers back (`ready`) when their domain's slot comes. The loop claims more only
 * while `roomToClaim`: every parked queue clears within HORIZON_MS and fewer than MAX_PARKED wait. That
 * keeps memory bounded, and bounds what a crash costs (parked readers are in flight in the ledger, so
 * after a crash they are sent again and reported as resent although they never left). A list where a
 * paced domain dominates therefore moves at that domain's pace once its queue is full — the send could
 * not end before that domain's last reader anyway — while the paced domain itself never idles.
 *
 * Slowing down: a 421 or 451 in reply to RCPT TO or DATA (the receiving side's answer about this message,
 * `domain: true` from the transport; not a relay's greeting, which pauses the run as before) halves that
 * domain's pace, at most once per hold (the messages already in flight at the old pace answer together),
 * never below FLOOR_PER_SECOND (or the configured rate when it is lower). A domain nobody configured is
 * paced from then on at half the pace it was being handed messages at. Greylisting (a 451 that says
 * greylisted) is not a rate limit: the reader is retried, the domain is not slowed. Every RECOVER_AFTER
 * successes in a row raise the pace by RECOVER_FACTOR, back up to the configured rate (an unconfigured
 * domain is no longer paced once it is back where it started). The reader itself is retried by the
 * loop's deferral, as every temporary failure is.
 */

/** A slowed domain never goes below this many messages per second (nor below its configured rate). */
export const FLOOR_PER_SECOND = 1;
/** A domain is halved at most once per this (or two of its new intervals, when longer), ms. */
export const SLOWDOWN_HOLD_MS = 1000;
/** Successes in a row that raise a slowed domain's pace one step. */
export const RECOVER_AFTER = 10;
export const RECOVER_FACTOR = 1.25;
/** The loop claims more only while every parked queue clears within this, ms. */
export const HORIZON_MS = 5000;
/** …and while fewer readers than this are parked in all. */
export const MAX_PARKED = 500;
/** Unconfigured domains remembered (for the pace they were being handed messages at), least recent first out. */
const MAX_OBSERVED = 10_000;

export interface PacingOptions {
  /** Domain → messages per second (this worker), as in `sending.domainRates`. */
  rates?: Record<string, number>;
  /** A monotonic clock, ms. Default `performance.now`. */
  now?: () => number;
  horizonMs?: number;
  maxParked?: number;
}

/** One domain's (or one key's) pace, for the summary. */
export interface DomainPace {
  domain: string;
  /** The configured rate; undefined: not configured, paced only since it answered 421/451. */
  configured?: number;
  /** Messages per second now (rounded to 0.01); null: not paced (any more). */
  rate: number | null;
  /** How many times it was halved during the run. */
  slowdowns: number;
  /** The last reply that slowed it. */
  reason?: string;
}

interface Pace<T> {
  key: string;
  configured?: number;
  /** The current pace, messages per second; Infinity: not paced. */
  rate: number;
  /** Recovery goes back up to this. */
  ceiling: number;
  /** The earliest time of the next handover (clock ms). */
  next: number;
  queue: T[];
  successes: number;
  slowedAt: number;
  slowdowns: number;
  reason?: string;
  /** For an unconfigured domain's observed pace: the last handover and a moving average of the gaps, ms. */
  last: number;
  gap: number;
  /** The usual time from handover to answer, ms. */
  latency: number;
  /** Handed a message over since the run started; answered one. A paced domain has one in flight until its first answer. */
  handed: boolean;
  answered: boolean;
}

/** Does this result ask its domain to slow down? */
export function slowsDomain(result: DeliveryResult): boolean {
  return (
    result.status === "transient" &&
    result.domain === true &&
    (result.code === 421 || result.code === 451) &&
    !/gr[ae]y ?list/i.test(result.response)
  );
}

/** `{ "Mail.RU": 10 }` → `Map { "mail.ru" => 10 }`; a bad key or rate is a RassylkaError naming it. */
export function normaliseRates(rates: Record<string, number>, where = "sending.domainRates"): Map<string, number> {
  const out = new Map<string, number>();
  for (const [raw, perSecond] of Object.entries(rates)) {
    const key = domainKey(raw);
    if (!key || !(perSecond > 0) || !Number.isFinite(perSecond)) {
      throw new RassylkaError({
        ruleId: "send/domain-rate",
        severity: "error",
        message: `${where}: ${JSON.stringify(raw)}: ${JSON.stringify(perSecond)} is not a domain and a rate`,
        field: where,
        fix: "give a domain and messages per second above 0, e.g. mail.ru: 10",
      });
    }
    out.set(key, perSecond);
  }
  return out;
}

export class DomainPacer<T> {
  private readonly configured: Map<string, number>;
  private readonly paces = new Map<string, Pace<T>>();
  /** Paces with readers parked, in the order they started waiting. */
  private readonly waiting = new Set<Pace<T>>();
  private count = 0;
  private readonly now: () => number;
  private readonly horizonMs: number;
  private readonly maxParked: number;

  constructor(options: PacingOptions = {}) {
    this.configured = normaliseRates(options.rates ?? {});
    this.now = options.now ?? (() => performance.now());
    this.horizonMs = options.horizonMs ?? HORIZON_MS;
    this.maxParked = options.maxParked ?? MAX_PARKED;
  }

  /** The key a canonical address is paced under: the most specific configured domain covering it, or its own domain. */
  keyOf(email: string): string {
    const domain = email.slice(email.lastIndexOf("@") + 1);
    for (let d = domain; ; ) {
      if (this.configured.has(d)) return d;
      const dot = d.indexOf(".");
      if (dot < 0) return domain;
      d = d.slice(dot + 1);
    }
  }

  /** Readers parked, waiting for their domain. */
  get parked(): number {
    return this.count;
  }

  /**
   * A claimed reader: true when it may be handed over now (its domain's slot is taken), false when it
   * is parked until `ready` returns it.
   */
  offer(email: string, item: T): boolean {
    const p = this.paceOf(email);
    const t = this.now();
    if (p.queue.length === 0 && this.free(p, t)) {
      this.handOver(p, t);
      return true;
    }
    p.queue.push(item);
    this.waiting.add(p);
    this.count++;
    return false;
  }

  /** Parked readers whose domain's slot has come, at most `limit`, their slots taken. */
  ready(limit: number): T[] {
    const out: T[] = [];
    if (limit <= 0 || this.count === 0) return out;
    const t = this.now();
    for (const p of this.waiting) {
      while (out.length < limit && p.queue.length && this.free(p, t)) {
        out.push(p.queue.shift() as T);
        this.count--;
        this.handOver(p, t);
      }
      if (!p.queue.length) this.waiting.delete(p);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** How long until the first parked reader's domain has its slot, ms; undefined when nobody is parked. */
  waitMs(): number | undefined {
    if (this.count === 0) return undefined;
    const t = this.now();
    let wait = Number.POSITIVE_INFINITY;
    // a domain waiting for its first answer is woken by that answer (the loop's alarm), not by time
    for (const p of this.waiting) if (!this.probing(p)) wait = Math.min(wait, Math.max(0, p.next - t));
    return wait;
  }

  /** May the loop claim more readers? Not while some domain's queue takes longer than the horizon to clear. */
  roomToClaim(): boolean {
    if (this.count >= this.maxParked) return false;
    for (const p of this.waiting) if ((p.queue.length * 1000) / p.rate > this.horizonMs) return false;
    return true;
  }

  /** Every parked reader, out of the queues (the run stops: they go back to the ledger unsent). */
  drain(): T[] {
    const out: T[] = [];
    for (const p of this.waiting) out.push(...p.queue.splice(0));
    this.waiting.clear();
    this.count = 0;
    return out;
  }

  /**
   * What the transport answered for a reader, `latencyMs` after it was handed over: a 421/451 slows its
   * domain, successes bring it back. The receiver counts arrivals, not handovers: a message that took
   * longer than the domain's usual (a pool opening connections, a busy relay) arrived late, and the next
   * one, on time, would follow it closer than the interval — so the next slot moves to keep an interval
   * after this arrival, as far as the usual latency tells.
   */
  observe(email: string, result: DeliveryResult, latencyMs?: number): void {
    const p = this.paceOf(email);
    p.answered = true;
    if (latencyMs !== undefined && p.rate !== Number.POSITIVE_INFINITY) {
      // the usual latency, from 0: follows a faster one at once, a slower one slowly (the first answers
      // of a run are slow: the pool opens its connections)
      p.latency = latencyMs < p.latency ? latencyMs : p.latency + (latencyMs - p.latency) * 0.1;
      p.next = Math.max(p.next, this.now() + 1000 / p.rate - p.latency);
    }
    if (result.status === "sent") {
      if (p.rate >= p.ceiling) return;
      if (++p.successes < RECOVER_AFTER) return;
      p.successes = 0;
      p.rate = Math.min(p.ceiling, p.rate * RECOVER_FACTOR);
      // an unconfigured domain back at the pace it had before its first 421: not paced any more
      if (p.configured === undefined && p.rate >= p.ceiling) p.rate = p.ceiling = Number.POSITIVE_INFINITY;
      return;
    }
    if (!slowsDomain(result)) return;
    p.successes = 0;
    const t = this.now();
    if (t - p.slowedAt < Math.max(SLOWDOWN_HOLD_MS, 2000 / p.rate)) return;
    if (p.rate === Number.POSITIVE_INFINITY) {
      // not configured: start from the pace it was being handed messages at
      const observed = Number.isNaN(p.gap) ? 2 * FLOOR_PER_SECOND : 1000 / Math.max(1, p.gap);
      p.rate = p.ceiling = observed;
    }
    p.rate = Math.max(Math.min(FLOOR_PER_SECOND, p.ceiling), p.rate / 2);
    p.slowedAt = t;
    p.slowdowns++;
    p.reason = result.status === "transient" ? result.response : undefined;
    // one new interval's pause before its next message
    p.next = Math.max(p.next, t + 1000 / p.rate);
  }

  /** Configured domains and those slowed during the run, for the summary. */
  summary(): DomainPace[] {
    const out: DomainPace[] = [];
    for (const p of this.paceList()) {
      if (p.configured === undefined && p.slowdowns === 0) continue;
      out.push({
        domain: p.key,
        configured: p.configured,
        rate: p.rate === Number.POSITIVE_INFINITY ? null : Math.round(p.rate * 100) / 100,
        slowdowns: p.slowdowns,
        reason: p.reason,
      });
    }
    return out;
  }

  private paceList(): Pace<T>[] {
    const seen = new Set(this.paces.keys());
    const list = [...this.paces.values()];
    for (const [key, rate] of this.configured) if (!seen.has(key)) list.push(this.make(key, rate));
    return list.sort((a, b) => a.key.localeCompare(b.key));
  }

  private make(key: string, configured: number | undefined): Pace<T> {
    const rate = configured ?? Number.POSITIVE_INFINITY;
    return {
      key,
      configured,
      rate,
      ceiling: rate,
      next: Number.NEGATIVE_INFINITY,
      queue: [],
      successes: 0,
      slowedAt: Number.NEGATIVE_INFINITY,
      slowdowns: 0,
      last: Number.NaN,
      gap: Number.NaN,
      latency: 0,
      handed: false,
      answered: false,
    };
  }

  private paceOf(email: string): Pace<T> {
    const key = this.keyOf(email);
    let p = this.paces.get(key);
    if (p) {
      if (p.configured === undefined) {
        // least recently used first out: move it to the end
        this.paces.delete(key);
        this.paces.set(key, p);
      }
      return p;
    }
    p = this.make(key, this.configured.get(key));
    this.paces.set(key, p);
    if (p.configured === undefined && this.paces.size > MAX_OBSERVED + this.configured.size) this.forgetOne();
    return p;
  }

  /** Forget the least recently used unconfigured domain that is neither slowed nor waited for. */
  private forgetOne(): void {
    for (const [key, p] of this.paces) {
      if (p.configured === undefined && p.rate === Number.POSITIVE_INFINITY && p.queue.length === 0) {
        this.paces.delete(key);
        return;
      }
    }
  }

  /**
   * Its slot has come, and it is not waiting for its first answer: until then the latency is not known
   * (the first answers of a run wait for the pool's connections), and messages handed over an interval
   * apart would all arrive together once the connections are up.
   */
  private free(p: Pace<T>, t: number): boolean {
    return t >= p.next && !this.probing(p);
  }

  private probing(p: Pace<T>): boolean {
    return p.handed && !p.answered && p.rate !== Number.POSITIVE_INFINITY;
  }

  private handOver(p: Pace<T>, t: number): void {
    p.handed = true;
    p.next = Math.max(p.next, t) + 1000 / p.rate;
    if (p.configured === undefined) {
      if (!Number.isNaN(p.last)) p.gap = Number.isNaN(p.gap) ? t - p.last : 0.7 * p.gap + 0.3 * (t - p.last);
      p.last = t;
    }
  }
}
