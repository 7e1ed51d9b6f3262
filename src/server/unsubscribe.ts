import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NewsletterConfig } from "../config/schema.js";
import { verifyUnsubscribeToken } from "../identity/token.js";
import type { SuppressionStore } from "../state/store.js";
import type { SubscriberStore } from "../state/subscribers.js";
import { ALL_METHODS, answer } from "./page-shell.js";
import { pages } from "./pages.js";
import type { PublishContext } from "./server.js";

/**
 * The one-click unsubscribe endpoint (RFC 8058). The mailbox provider POSTs `List-Unsubscribe=One-Click`
 * to the URL from the `List-Unsubscribe` header, without cookies, and expects a plain answer — so the
 * POST is answered 200 with no redirect and no cookie. Mail scanners fetch every link in a message, so
 * GET only shows a page whose button POSTs (RFC 8058 §4): GET never unsubscribes. The token is checked
 * without a database (src/identity/token.ts); only a valid token touches the store, and recording is
 * idempotent (the address is the table's key), so a repeated or concurrent request is harmless.
 *
 * The bare URL (no `token` at all), which the web versions and the feed link as «Отписаться», answers a
 * GET with 200 and a page that says how to unsubscribe: with the personal link in any email
 * A damaged or forged token is still a 400 that records nothing.
 */

/**
 * The paths the unsubscribe endpoint answers on: the path of config `unsubscribe.url`, `/unsubscribe`,
 * and, when `unsubscribe.url` lies under the archive's `url`, its path below it — what `serve` sees
 * behind a reverse proxy that maps the archive's path to `/` (docs/publish.md).
 */
export function unsubscribePaths(config: Pick<NewsletterConfig, "unsubscribe" | "url">): string[] {
  const paths = new Set(["/unsubscribe"]);
  if (config.unsubscribe?.url) {
    const u = new URL(config.unsubscribe.url);
    const p = u.pathname.replace(/\/+$/, "");
    if (p) paths.add(p);
    const base = config.url ? new URL(config.url.replace(/\/?$/, "/")) : undefined;
    if (base && base.origin === u.origin && p.startsWith(base.pathname) && p.length > base.pathname.length) {
      paths.add(`/${p.slice(base.pathname.length)}`);
    }
  }
  return [...paths];
}

/** RFC 8058 §3.1 asks for no more than this body; a bigger one is answered 413. */
export const BODY_LIMIT = 16 * 1024;

/**
 * RFC 8058 §3.1: the body is `List-Unsubscribe=One-Click`, sent as application/x-www-form-urlencoded
 * (parsed by @fastify/formbody into fields) or multipart/form-data (kept as text).
 */
export function isOneClickBody(body: unknown, type: string | undefined): boolean {
  if (typeof body === "string") {
    if (/^multipart\/form-data/i.test(type ?? "")) {
      return /content-disposition:\s*form-data;\s*name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
    }
    return new URLSearchParams(body.trim()).getAll("List-Unsubscribe").includes("One-Click");
  }
  if (body && typeof body === "object") {
    const value = (body as Record<string, unknown>)["List-Unsubscribe"];
    return (Array.isArray(value) ? value : [value]).some((v) => typeof v === "string" && v.trim() === "One-Click");
  }
  return false;
}

/**
 * Group commit. With synchronous=FULL every commit waits for the disk, so one transaction per request
 * caps the endpoint at the disk's flushes per second — and a send to many readers brings one-click
 * POSTs in bursts. Addresses that arrive while a commit is on disk are written together in the next
 * transaction (one flush for all of them); each request is answered only after the transaction that
 * holds its address has committed, so a 200 always means "recorded".
 */
export class SuppressionWriter {
  private queue: { email: string; source: string; done: (added: boolean) => void; fail: (error: unknown) => void }[] = [];
  private scheduled = false;
  /** `subscribers`: the list rassylka keeps, whose readers an unsubscribe marks `unsubscribed`. */
  constructor(
    private readonly suppressions: SuppressionStore,
    private readonly subscribers?: Pick<SubscriberStore, "markUnsubscribed">,
  ) {}
  /**
   * Resolves after the commit: true when the address was not suppressed before. `source`: `one-click` (the
   * mail client's button, RFC 8058) or `page` (the button on our unsubscribe page), which the report tells apart.
   */
  add(email: string, source: "one-click" | "page" = "one-click"): Promise<boolean> {
    return new Promise((done, fail) => {
      this.queue.push({ email, source, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        // after the current round of I/O callbacks: every request that arrived in it joins this batch
        setImmediate(() => this.flush());
      }
    });
  }
  has(email: string): Promise<boolean> {
    return this.suppressions.has(email);
  }
  /** One commit at a time: what arrives while it is on its way joins the next one. */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const added = await this.suppressions.addMany(batch.map((b) => ({ email: b.email, reason: "unsubscribed", source: b.source })));
      await this.subscribers?.markUnsubscribed(
        batch.map((b) => b.email),
        new Date().toISOString(),
      );
      for (const [i, b] of batch.entries()) b.done(added[i]);
    } catch (error) {
      for (const b of batch) b.fail(error);
    }
    if (this.queue.length) setImmediate(() => this.flush());
    else this.scheduled = false;
  }
}

/** The unsubscribe page's own button says so (`via=page` beside the RFC 8058 field); a mail client's POST does not. */
function viaPage(body: unknown): boolean {
  if (typeof body === "string") return new URLSearchParams(body.trim()).get("via") === "page";
  return !!body && typeof body === "object" && (body as Record<string, unknown>).via === "page";
}

/** The topic a topic-scoped link names, when the newsletter scopes unsubscribes so and knows the topic. */
function topicOf(config: NewsletterConfig, params: URLSearchParams): { id: string; title: string } | undefined {
  if (config.unsubscribe?.scope !== "topic") return undefined;
  const id = params.get("topic");
  return id ? config.topics?.find((x) => x.id === id) : undefined;
}

function defaultTopicIds(config: NewsletterConfig): string[] {
  return (config.topics ?? []).filter((x) => x.default).map((x) => x.id);
}

/** The feature: its routes, and the body parsers only its POST needs. */
export async function unsubscribeRoutes(app: FastifyInstance, context: PublishContext): Promise<void> {
  const { options, listId, writer } = context;
  const { config } = options;
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // multipart/form-data (RFC 8058 allows it) and anything else: the text, judged by isOneClickBody
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD" && method !== "POST") {
      return answer(reply, 405, pages.error(config, 405), { allow: "GET, HEAD, POST" });
    }
    const q = request.url.indexOf("?");
    const params = new URLSearchParams(q < 0 ? "" : request.url.slice(q + 1));
    const tokens = params.getAll("token");
    // the bare URL, as the web versions and the feed link it: how to unsubscribe
    if (tokens.length === 0 && method !== "POST") return answer(reply, 200, pages.howTo(config));
    if (!options.secret || !writer) return answer(reply, 503, pages.unavailable(config), { "retry-after": "3600" });
    const email = tokens.length === 1 ? verifyUnsubscribeToken(tokens[0], listId, options.secret) : undefined;
    // `unsubscribe.scope: topic` (docs/audiences.md): the link of an issue with a topic leaves that topic only
    const topic = topicOf(config, params);
    const subscribers = options.state?.subscribers;
    if (method === "POST") {
      if (!email || !isOneClickBody(request.body, request.headers["content-type"])) return answer(reply, 400, pages.badLink(config));
      if (topic && subscribers) {
        try {
          const source = viaPage(request.body) ? "page" : "one-click";
          const at = new Date().toISOString();
          if (await subscribers.dropTopic(email, topic.id, defaultTopicIds(config), { at, source }))
            return answer(reply, 200, pages.topicDone(config, email, topic.title));
        } catch (cause) {
          options.onError?.(cause);
          return answer(reply, 503, pages.unavailable(config, false), { "retry-after": "60" });
        }
        // not a subscriber rassylka keeps (a reader of a CSV list): they have no topics, so the whole list
      }
      let added: boolean;
      try {
        added = await writer.add(email, viaPage(request.body) ? "page" : "one-click");
      } catch (cause) {
        // e.g. SQLITE_BUSY past the busy timeout, or PostgreSQL unreachable: not recorded, so not 200 — the provider will retry
        options.onError?.(cause);
        return answer(reply, 503, pages.unavailable(config, false), { "retry-after": "60" });
      }
      options.onUnsubscribe?.(email, added);
      return answer(reply, 200, pages.done(config, email));
    }
    if (!email) return answer(reply, 400, pages.badLink(config));
    // GET: look, never touch. A scanner following the link changes nothing.
    if (await writer.has(email)) return answer(reply, 200, pages.done(config, email));
    const action = `?token=${encodeURIComponent(tokens[0])}`;
    if (topic)
      return answer(reply, 200, pages.topicQuestion(config, email, topic.title, `${action}&topic=${encodeURIComponent(topic.id)}`));
    return answer(reply, 200, pages.question(config, email, action));
  };

  for (const path of unsubscribePaths(config)) {
    for (const url of [path, `${path}/`]) app.route({ method: ALL_METHODS, url, handler });
  }
}
