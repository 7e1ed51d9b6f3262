import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Transport } from "../send/transport.js";
import type { Subscriber, SubscriberStore } from "../state/subscribers.js";
import { ConfirmationQueue } from "../subscribe/queue.js";
import {
  type Client,
  type ConfirmOutcomeData,
  confirmationPage,
  confirmSubscription,
  formStamp,
  requestSubscription,
  type SubscribeConfig,
  type SubscribeContext,
  type SubscribeLog,
  subscribeFields,
} from "../subscribe/subscribe.js";
import { ALL_METHODS, answer } from "./page-shell.js";
import type { PublishContext } from "./server.js";
import { subscribePages } from "./subscribe-pages.js";

/**
 * The subscribe endpoints (docs/subscribe.md), a plugin of `serve` like the unsubscribe one:
 *
 *   GET  /subscribe           the form (with a fresh stamp): for a link from anywhere, or a custom layout
 *   POST /subscribe           the form's request → "check your mail" (the same for every address), the
 *                             form again (422), too many (429), or no mail could be sent (503)
 *   GET  /subscribe/stamp     a fresh signed stamp, for the form on the built pages (a line of script)
 *   GET  /subscribe/confirm   the confirmation link: a page with a button — a GET never confirms
 *   POST /subscribe/confirm   the button: confirmed
 *
 * also under the path of `url` in newsletter.yaml (`/rassylka/subscribe`…), as the unsubscribe
 * endpoint is. What each request means is decided by src/subscribe/subscribe.ts; this file only reads
 * the request and writes the answer.
 */
export interface SubscribeServerOptions {
  store: SubscriberStore;
  /** Delivers the confirmation emails: SMTP (`SMTP_URL`), or the outbox folder. */
  mailer: Pick<Transport, "send">;
  /** One record per request, the address masked (serve prints them). */
  onEvent?: (log: SubscribeLog) => void;
  /** After a reader confirmed (serve sends the welcome issue). */
  onConfirmed?: (subscriber: Subscriber) => void;
  /** The clock (tests). */
  now?: () => number;
}

/** Form bodies are small: a few fields of bounded length (src/subscribe/subscribe.ts FIELD_LIMITS). */
export const SUBSCRIBE_BODY_LIMIT = 8 * 1024;

/** The paths: `/subscribe`, and the same under the path of config `url`. */
export function subscribePaths(config: Pick<SubscribeConfig, "url">): string[] {
  const paths = new Set(["/subscribe"]);
  if (config.url) {
    const p = new URL(config.url).pathname.replace(/\/+$/, "");
    if (p) paths.add(`${p}/subscribe`);
  }
  return [...paths];
}

function clientOf(request: FastifyRequest): Client {
  const ua = request.headers["user-agent"];
  const referer = request.headers.referer;
  return { ip: request.ip, userAgent: typeof ua === "string" ? ua : undefined, referer: typeof referer === "string" ? referer : undefined };
}

function tokenOf(request: FastifyRequest): string | undefined {
  const q = request.url.indexOf("?");
  const tokens = new URLSearchParams(q < 0 ? "" : request.url.slice(q + 1)).getAll("token");
  return tokens.length === 1 ? tokens[0] : undefined;
}

export async function subscribeRoutes(app: FastifyInstance, context: PublishContext): Promise<void> {
  const { options, listId } = context;
  const config = options.config;
  const sub = options.subscribe;
  if (!config.subscribe) return; // no form configured: /subscribe is the site's (a 404)
  const subscribeConfig = { ...config, subscribe: config.subscribe };
  await app.register(formbody, { bodyLimit: SUBSCRIBE_BODY_LIMIT });
  const now = () => sub?.now?.() ?? Date.now();
  // the link in the email must be the public address; the Host header of a request is the client's to choose
  const confirmUrl = config.url ? `${config.url.replace(/\/+$/, "")}/subscribe/confirm` : undefined;
  // confirmations go out after the answer: its time must not tell a new address from a subscribed one
  const queue = new ConfirmationQueue((log) => sub?.onEvent?.(log));
  app.addHook("onClose", async () => queue.drain());
  const ctx: SubscribeContext | undefined =
    sub && options.secret && confirmUrl
      ? { config: subscribeConfig, listId, secret: options.secret, store: sub.store, mailer: sub.mailer, confirmUrl, queue }
      : undefined;

  const form = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!ctx) return answer(reply, 503, subscribePages.unavailable(config), { "retry-after": "3600" });
    if (request.method === "GET" || request.method === "HEAD") {
      const page = typeof request.headers.referer === "string" ? request.headers.referer.slice(0, 500) : "";
      return answer(reply, 200, subscribePages.form(subscribeConfig, { page, stamp: formStamp(ctx, now()) }));
    }
    if (request.method !== "POST") return answer(reply, 405, subscribePages.unavailable(config), { allow: "GET, HEAD, POST" });
    const fields = subscribeFields(request.body);
    const outcome = await requestSubscription(ctx, fields, clientOf(request), now());
    sub?.onEvent?.(outcome.log);
    switch (outcome.kind) {
      case "check-mail":
        return answer(reply, 200, subscribePages.checkMail(config));
      case "form":
        return answer(
          reply,
          422,
          subscribePages.form(subscribeConfig, {
            page: fields.page ?? "",
            stamp: outcome.stamp,
            values: outcome.values,
            errors: outcome.errors,
          }),
        );
      case "limited":
        return answer(reply, 429, subscribePages.limited(config), { "retry-after": String(outcome.retryAfter) });
      case "unavailable":
        return answer(reply, 503, subscribePages.unavailable(config), { "retry-after": "300" });
    }
  };

  const stamp = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== "GET" && request.method !== "HEAD")
      return answer(reply, 405, subscribePages.unavailable(config), { allow: "GET, HEAD" });
    if (!ctx) return answer(reply, 503, subscribePages.unavailable(config));
    return reply
      .code(200)
      .headers({ "x-content-type-options": "nosniff", "cache-control": "no-store", "x-robots-tag": "noindex" })
      .type("text/plain; charset=utf-8")
      .send(formStamp(ctx, now()));
  };

  const confirm = async (request: FastifyRequest, reply: FastifyReply) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD" && method !== "POST")
      return answer(reply, 405, subscribePages.invalid(config), { allow: "GET, HEAD, POST" });
    if (!ctx) return answer(reply, 503, subscribePages.unavailable(config), { "retry-after": "3600" });
    const token = tokenOf(request);
    // GET (a reader, or a mail scanner following every link): look, never change
    const outcome: ConfirmOutcomeData =
      method === "POST"
        ? await confirmSubscription(ctx, token, clientOf(request), now())
        : await confirmationPage(ctx, token, clientOf(request), now());
    sub?.onEvent?.(outcome.log);
    switch (outcome.kind) {
      case "ask":
        return answer(reply, 200, subscribePages.ask(config, outcome.email, `?token=${encodeURIComponent(token ?? "")}`));
      case "confirmed":
        sub?.onConfirmed?.(outcome.subscriber);
        return answer(reply, 200, subscribePages.confirmed(config));
      case "already-confirmed":
        return answer(reply, 200, subscribePages.confirmed(config));
      case "expired":
        return answer(reply, 410, subscribePages.expired(config));
      case "invalid":
        return answer(reply, 400, subscribePages.invalid(config));
    }
  };

  for (const path of subscribePaths(config)) {
    for (const url of [path, `${path}/`]) app.route({ method: ALL_METHODS, url, handler: form });
    app.route({ method: ALL_METHODS, url: `${path}/stamp`, handler: stamp });
    for (const url of [`${path}/confirm`, `${path}/confirm/`]) app.route({ method: ALL_METHODS, url, handler: confirm });
  }
}
