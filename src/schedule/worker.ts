import { createServer, type Server } from "node:http";
import { type Diagnostic, isRassylkaError } from "../diagnostics.js";
import { storeNote } from "../i18n/notes.js";
import type { SendSummary } from "../send/engine.js";
import type { PreparedIssue } from "../send/send-issue.js";
import { sendRequest } from "../send/send-request.js";
import { chooseTransport } from "../send/transport-choice.js";
import { workerId } from "../state/ledger.js";
import { type StateLocation, stateLocation } from "../state/location.js";
import type { ScheduleRow } from "../state/schedule.js";
import { openStore, type Store } from "../state/store.js";
import { maskAddress } from "../util/redact.js";
import { sendsayGroupOf } from "./audience.js";

/**
 * `rassylka worker` (docs/schedule.md): a long-running sender of scheduled issues. It reads the schedule,
 * sleeps until the next `sendAt` (a timer set for that instant, not a coarse poll) or the next re-read of
 * the schedule (a push may have moved a time), and sends each due issue through the same use-case and
 * ledger as `rassylka send --subscribers` (src/send/send-request.ts), with the issue as the push compiled it.
 *
 * Several workers may share one state: the one whose conditional update moves a row scheduled → sending
 * starts it (src/state/schedule.ts); every other worker sees the row sending and joins the send, so the
 * ledger's leases share the readers out and a worker killed mid-send is taken over when its lease runs out.
 * A row whose time is further back than its late limit becomes `missed` and is never sent.
 */
export const RECHECK_ENV = "RASSYLKA_SCHEDULE_RECHECK_MS";
export const RETRY_ENV = "RASSYLKA_SCHEDULE_RETRY_MS";
const DEFAULT_RECHECK_MS = 5000;
const DEFAULT_RETRY_MS = 30_000;

export type WorkerEvent =
  | "ready"
  | "started"
  | "joined"
  | "sent"
  | "waiting"
  | "ab-sample-sent"
  | "missed"
  | "failed"
  | "warning"
  | "state-error"
  | "listening"
  | "stopping"
  | "stopped";

/** One JSON line of the worker's log. Addresses never appear in it (masked). */
export interface WorkerLogEntry {
  time: string;
  level: "info" | "warn" | "error";
  event: WorkerEvent;
  worker: string;
  slug?: string;
  [key: string]: unknown;
}

export interface WorkerOptions {
  /** Where the state file is looked for when neither `state` nor RASSYLKA_DATABASE_URL is given. */
  root: string;
  /** `--state`: a SQLite file or a postgres:// URL. */
  state?: string;
  /** `--transport`: smtp (SMTP_URL, as `send`) or sendsay (personal letters through the Sendsay API). */
  transport: "smtp" | "sendsay";
  /** SMTP connections; `send`'s default. */
  concurrency?: number;
  /** `--port`: answer `GET /healthz` on 127.0.0.1 (0: any free port, told by the `listening` event). */
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** SIGTERM: no new sends; those under way stop claiming and record their in-flight readers. */
  signal: AbortSignal;
  log: (entry: WorkerLogEntry) => void;
}

/** What `GET /healthz` answers. */
export interface WorkerHealth {
  ok: boolean;
  worker: string;
  /** Slugs this worker is sending now. */
  sending: string[];
  /** The next time a scheduled issue is due (ISO), if any. */
  nextDue: string | null;
  /** When the schedule was last read (ISO); null before the first read. */
  checkedAt: string | null;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  const worker = new Worker(options);
  await worker.run();
}

const positive = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

class Worker {
  private readonly id: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly location: StateLocation;
  private readonly recheckMs: number;
  private readonly retryMs: number;
  private readonly active = new Map<string, Promise<void>>();
  /** When a send that stopped with readers pending is joined again. */
  private readonly retryAt = new Map<string, number>();
  private health: WorkerHealth;
  private wake: () => void = () => {};
  private healthy = true;

  constructor(private readonly options: WorkerOptions) {
    this.env = options.env ?? process.env;
    this.id = workerId(this.env);
    this.location = stateLocation(options.root, options.state, this.env);
    this.recheckMs = positive(this.env[RECHECK_ENV], DEFAULT_RECHECK_MS);
    this.retryMs = positive(this.env[RETRY_ENV], DEFAULT_RETRY_MS);
    this.health = { ok: true, worker: this.id, sending: [], nextDue: null, checkedAt: null };
  }

  private log(level: WorkerLogEntry["level"], event: WorkerEvent, fields: Record<string, unknown> = {}): void {
    this.options.log({ time: new Date().toISOString(), level, event, worker: this.id, ...fields });
  }

  /** The send settings, checked before anything is due (no SMTP_URL: the worker does not start). */
  private transportChoice() {
    return { transport: this.options.transport, concurrency: this.options.concurrency ?? 5 };
  }

  async run(): Promise<void> {
    chooseTransport(this.transportChoice(), this.options.root, this.env, (d) => this.warn(d));
    const store = await openStore(this.location, { worker: this.id, onError: () => {} });
    const server = this.options.port === undefined ? undefined : await this.listen(this.options.port);
    this.log("info", "ready", { transport: this.options.transport, state: store.location });
    const { signal } = this.options;
    const onAbort = () => this.wake();
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        const wakeAt = await this.tick(store);
        await this.sleep(wakeAt - Date.now());
      }
      this.log("info", "stopping", { sending: [...this.active.keys()] });
      await Promise.allSettled(this.active.values());
    } finally {
      signal.removeEventListener("abort", onAbort);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await store.close();
      this.log("info", "stopped");
    }
  }

  /** One read of the schedule: miss, start or join what is due; returns when to look again. */
  private async tick(store: Store): Promise<number> {
    let wakeAt = Date.now() + this.recheckMs;
    let rows: ScheduleRow[];
    try {
      rows = await store.schedule.all();
    } catch (e) {
      if (this.healthy) this.log("error", "state-error", { message: (e as Error).message });
      this.healthy = false;
      this.health = { ...this.health, ok: false };
      return wakeAt;
    }
    this.healthy = true;
    let nextDue: number | undefined;
    for (const row of rows) {
      // a Sendsay list's campaign is sent by Sendsay at its time (src/schedule/sendsay.ts)
      if (sendsayGroupOf(row.audience) !== undefined || this.options.signal.aborted) continue;
      const now = Date.now();
      if (row.state === "scheduled") {
        const due = Date.parse(row.sendAt);
        if (now > due + row.lateLimitMs) {
          if (await store.schedule.miss(row, storeNote("schedule/late", { count: Math.round((now - due) / 60_000) })))
            this.log("warn", "missed", { slug: row.slug, sendAt: row.sendAt, lateLimitMs: row.lateLimitMs });
        } else if (now >= due) {
          if (await store.schedule.start(row, this.id)) {
            this.log("info", "started", { slug: row.slug, sendAt: row.sendAt, delayMs: now - due });
            this.launch(store, row.slug);
          } else wakeAt = now; // a push or another worker changed it: read again at once
        } else nextDue = Math.min(nextDue ?? due, due);
      } else if (row.state === "sending" && !this.active.has(row.slug)) {
        const retry = this.retryAt.get(row.slug) ?? 0;
        if (now >= retry) {
          this.log("info", "joined", { slug: row.slug, startedBy: row.startedBy });
          this.launch(store, row.slug);
        } else wakeAt = Math.min(wakeAt, retry);
      }
    }
    if (nextDue !== undefined) wakeAt = Math.min(wakeAt, nextDue);
    this.health = {
      ok: true,
      worker: this.id,
      sending: [...this.active.keys()],
      nextDue: nextDue === undefined ? null : new Date(nextDue).toISOString(),
      checkedAt: new Date().toISOString(),
    };
    return wakeAt;
  }

  private launch(store: Store, slug: string): void {
    const send = this.send(store, slug).finally(() => {
      this.active.delete(slug);
      this.wake();
    });
    this.active.set(slug, send);
  }

  /** One issue through the send use-case; finished when no reader is left, else joined again later. */
  private async send(store: Store, slug: string): Promise<void> {
    try {
      const payload = await store.schedule.issue(slug);
      if (!payload) return;
      const prepared = JSON.parse(payload) as PreparedIssue;
      const summary = await sendRequest(
        {
          ...this.transportChoice(),
          root: this.options.root,
          issue: slug,
          prepared,
          subscribers: true,
          state: this.location,
          yes: true,
          interactive: false,
          env: this.env,
          // an A/B test of subjects: decided here once its wait is over, then the winner goes to the rest
          abWhenDue: true,
        },
        { signal: this.options.signal, onWarning: (d) => this.warn(d, slug) },
      );
      const abWaiting = summary.ab && !summary.ab.decision && summary.ab.rest.held > 0;
      if (summary.pending === 0 && !summary.stopped && !abWaiting) {
        await store.schedule.finish(slug);
        this.retryAt.delete(slug);
        this.log("info", "sent", { slug, ...counts(summary) });
        return;
      }
      // the sample is out: come back when the decision is due (a worker started later finds the row sending and does the same)
      const abDue = abWaiting && !summary.stopped && summary.pending === 0 ? summary.ab?.decideAt : undefined;
      const retry = abDue ? Date.parse(abDue) : summary.nextRetryAt ? Date.parse(summary.nextRetryAt) : Date.now() + this.retryMs;
      this.retryAt.set(slug, retry);
      if (abDue) this.log("info", "ab-sample-sent", { slug, ...counts(summary), held: summary.ab?.rest.held, decideAt: abDue });
      else if (!this.options.signal.aborted || summary.stopped !== "signal")
        this.log("warn", "waiting", {
          slug,
          ...counts(summary),
          stopped: summary.stopped ?? null,
          reason: summary.pauseReason ? maskAddresses(summary.pauseReason) : null,
          retryAt: new Date(retry).toISOString(),
        });
    } catch (e) {
      this.retryAt.set(slug, Date.now() + this.retryMs);
      const diagnostics = isRassylkaError(e) ? e.diagnostics : [{ message: (e as Error).message }];
      this.log("error", "failed", {
        slug,
        problems: diagnostics.map((d) => ({ message: maskAddresses(d.message), ...("fix" in d && d.fix ? { fix: d.fix } : {}) })),
        retryAt: new Date(Date.now() + this.retryMs).toISOString(),
      });
    }
  }

  private warn(d: Diagnostic, slug?: string): void {
    this.log("warn", "warning", { ...(slug ? { slug } : {}), rule: d.ruleId, message: maskAddresses(d.message), fix: d.fix });
  }

  /** Until `ms` from now, a send ending, or SIGTERM. */
  private sleep(ms: number): Promise<void> {
    if (this.options.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** `GET /healthz` on 127.0.0.1: 200 with WorkerHealth while the state answers, 503 when it does not. */
  private listen(port: number): Promise<Server> {
    // one route, no body: node:http, not the pages' HTTP layer (src/server/http.ts), which an idle worker would carry in memory
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) {
        res.writeHead(path === "/healthz" ? 405 : 404, { "content-type": "text/plain; charset=utf-8" }).end();
        return;
      }
      const health = { ...this.health, sending: [...this.active.keys()] };
      res.writeHead(health.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify(health));
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        this.log("info", "listening", { port: typeof address === "object" && address ? address.port : port });
        resolve(server);
      });
    });
  }
}

function counts(s: SendSummary) {
  return {
    total: s.total,
    sent: s.sent,
    alreadySent: s.alreadySent,
    sentByOthers: s.sentByOthers,
    failed: s.failed,
    suppressed: s.suppressed,
    pending: s.pending,
    resent: s.resent,
    failures: s.failures.slice(0, 20).map((f) => ({ email: maskAddress(f.email), code: f.code ?? null })),
  };
}

/** Any address in a text (a server's reply names the reader) → `i***@example.ru`. */
export function maskAddresses(text: string): string {
  return text.replace(/[^\s<>()"',;:@]{1,64}@[A-Za-z0-9.-]{1,253}/g, (a) => maskAddress(a));
}
