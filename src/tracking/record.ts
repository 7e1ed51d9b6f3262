import { randomUUID } from "node:crypto";
import { type ClickClaim, verifyClickToken } from "../identity/click-token.js";
import type { ClickEvent, ClickStore, EventKind, TrackedIssueRecord } from "../state/clicks.js";
import { BurstWatch, Classifier, type Hit, type Rules } from "./classify.js";

/**
 * Recording a click or an open (docs/report.md), what `serve` calls for `GET /c/<token>` and
 * `GET /o/<token>.gif`: the token is checked without the database; only a valid one touches the store.
 * A click leads only to a link of the issue's own list (kept as its send started): never an open
 * redirect. Each event is committed before the answer goes out — group commit, as the unsubscribe
 * endpoint does: events that arrive while a commit is on disk go together in the next one — so a 302
 * always means "recorded", and nothing is left in memory when `serve` stops.
 */
export interface RecorderOptions {
  /** The newsletter's id (identity/newsletter.ts), inside every token's MAC. */
  listId: string;
  secret: string;
  /** Where the invisible canary link leads (the archive): it is in no issue's list. */
  home: string;
  /** newsletter.yaml's `tracking.anonymous`, for an issue whose send kept no settings. */
  anonymous?: boolean;
  rules?: Rules;
  /** Now, in ms (tests move it). */
  now?: () => number;
}

export type ClickAnswer = { ok: true; url: string } | { ok: false; reason: "bad-token" | "no-link" };

/** How long what the store said of an issue (its settings, its links) is believed. */
const CACHE_MS = 60_000;
const CACHE_MAX = 20_000;

class Cache<T> {
  private readonly map = new Map<string, { value: T; at: number }>();
  constructor(private readonly now: () => number) {}
  async get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.value;
    const value = await load();
    if (this.map.size >= CACHE_MAX) this.map.clear();
    this.map.set(key, { value, at: this.now() });
    return value;
  }
}

type Job = { kind: "record"; event: ClickEvent } | { kind: "reclassify"; event: EventKind; ids: string[] };

/** Group commit of events (and the burst rule's reclassifications) in the order they came. */
class EventWriter {
  private queue: { job: Job; done: () => void; fail: (e: unknown) => void }[] = [];
  private scheduled = false;
  constructor(private readonly store: Pick<ClickStore, "recordMany" | "reclassify">) {}

  write(job: Job): Promise<void> {
    return new Promise((done, fail) => {
      this.queue.push({ job, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const events = batch.flatMap((b) => (b.job.kind === "record" ? [b.job.event] : []));
      await this.store.recordMany(events);
      for (const b of batch) if (b.job.kind === "reclassify") await this.store.reclassify(b.job.event, b.job.ids, "automated", "burst");
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.fail(error);
    }
    if (this.queue.length) setImmediate(() => this.flush());
    else this.scheduled = false;
  }
}

export class TrackRecorder {
  private readonly classifier: Classifier;
  private readonly burst: BurstWatch;
  private readonly writer: EventWriter;
  private readonly now: () => number;
  private readonly issues: Cache<TrackedIssueRecord | undefined>;
  private readonly links: Cache<string | undefined>;

  constructor(
    private readonly store: ClickStore,
    private readonly options: RecorderOptions,
  ) {
    this.classifier = new Classifier(options.rules);
    this.burst = new BurstWatch(this.classifier.rules.burst);
    this.writer = new EventWriter(store);
    this.now = options.now ?? Date.now;
    this.issues = new Cache(this.now);
    this.links = new Cache(this.now);
  }

  /** The reader's key as the event keeps it: none when the issue counts anonymously. */
  private async reader(claim: ClickClaim): Promise<string | null> {
    const settings = await this.issues.get(claim.slug, () => this.store.issue(claim.slug));
    const anonymous = settings ? settings.anonymous === 1 : (this.options.anonymous ?? false);
    return anonymous ? null : claim.reader;
  }

  /** `GET /c/<token>`: where to send the reader, once the click is recorded. */
  async click(token: string, hit: Omit<Hit, "kind" | "link">): Promise<ClickAnswer> {
    const claim = verifyClickToken(token, this.options.listId, this.options.secret);
    if (!claim) return { ok: false, reason: "bad-token" };
    const { slug, link, trial } = claim;
    // the canary leads to the archive: it is in no list
    const url =
      link === 0 ? this.options.home : await this.links.get(`${slug}\n${trial}\n${link}`, () => this.store.link(slug, link, { trial }));
    if (url === undefined) return { ok: false, reason: "no-link" };
    const at = this.now();
    const eventId = randomUUID();
    let verdict = this.classifier.classify({ ...hit, kind: "click", link });
    const burst = this.burst.see(
      `${slug}\n${claim.reader}\n${claim.sent}\n${trial}`,
      claim.sent * 1000,
      link,
      at,
      eventId,
      verdict.uaClass === "human",
    );
    if (burst.burst && verdict.uaClass === "human") verdict = { uaClass: "automated", rule: "burst" };
    const event: ClickEvent = {
      kind: "click",
      issue: slug,
      link,
      reader: await this.reader(claim),
      uaClass: verdict.uaClass,
      rule: verdict.rule,
      trial,
      at: new Date(at).toISOString(),
      eventId,
    };
    const writes = [this.writer.write({ kind: "record", event })];
    if (burst.earlier.length) writes.push(this.writer.write({ kind: "reclassify", event: "click", ids: burst.earlier }));
    await Promise.all(writes);
    return { ok: true, url };
  }

  /** `GET /o/<token>.gif`: false for a bad token; true once the open is recorded. */
  async open(token: string, hit: Omit<Hit, "kind" | "link">): Promise<boolean> {
    const claim = verifyClickToken(token, this.options.listId, this.options.secret, "open");
    if (!claim) return false;
    const verdict = this.classifier.classify({ ...hit, kind: "open", link: 0 });
    await this.writer.write({
      kind: "record",
      event: {
        kind: "open",
        issue: claim.slug,
        link: 0,
        reader: await this.reader(claim),
        uaClass: verdict.uaClass,
        rule: verdict.rule,
        trial: claim.trial,
        at: new Date(this.now()).toISOString(),
      },
    });
    return true;
  }
}
