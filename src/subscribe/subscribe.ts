import { createHash, randomBytes } from "node:crypto";
import { isIPv6 } from "node:net";
import type { NewsletterConfig } from "../config/schema.js";
import { noteText } from "../i18n/notes.js";
import { addressKey, emailProblem, stripControls } from "../identity/address.js";
import type { Transport } from "../send/transport.js";
import type { LimitCheck, Subscriber, SubscriberStore } from "../state/subscribers.js";
import { maskAddress } from "../util/redact.js";
import { consentTextHash } from "./consent.js";
import { CONFIRM_DAYS, confirmationMessage } from "./email.js";
import type { ConfirmationQueue } from "./queue.js";
import { CONFIRM_TTL_MS, checkFormStamp, createConfirmToken, createFormStamp, verifyConfirmToken } from "./tokens.js";

/**
 * The subscribe flow as library functions, free of HTTP: parsed form fields, the client's IP and user
 * agent and the time in; an outcome out — what to answer (the route turns it into a page and a status)
 * and one log record (data, the address masked). `serve` wires them to `POST /subscribe` and
 * `GET|POST /subscribe/confirm` (src/server/), tests call them directly.
 *
 * Order of the checks, cheapest and most telling first: sizes (bounded before anything is parsed
 * further), the honeypot, the form's signed stamp (minimum fill time), the fields, then the limits kept
 * in the store (per IP, per address, all confirmation emails per hour), then the store's record and the
 * one confirmation email. Whatever the address's state — new, pending, confirmed, over its own limit —
 * the answer is the same "check your mail" page: the form never tells whether an address is subscribed.
 */
export type SubscribeConfig = Pick<NewsletterConfig, "name" | "language" | "from" | "replyTo" | "returnPath" | "url"> &
  Partial<Pick<NewsletterConfig, "topics">> & {
    subscribe: NonNullable<NewsletterConfig["subscribe"]>;
  };

export interface SubscribeContext {
  config: SubscribeConfig;
  /** newsletterId(config): inside every signed value. */
  listId: string;
  /** RASSYLKA_SECRET. */
  secret: string;
  store: SubscriberStore;
  /** Delivers the confirmation (SMTP, or the outbox folder). */
  mailer: Pick<Transport, "send">;
  /** The public URL of the confirmation page; the token is appended as `?token=`. */
  confirmUrl: string;
  /**
   * Where confirmation emails wait to be sent after the answer (serve): the request is answered
   * "check your mail" (logged `queued`) at once, and the queue reports `sent` or `mail-failed` later.
   * Without it the email is sent before answering (and a failure answers 503).
   */
  queue?: ConfirmationQueue;
}

/** The form's fields, as a form-urlencoded body parses (a repeated field: its first value). */
export interface SubscribeFields {
  email?: string;
  name?: string;
  consent?: string;
  /** The honeypot: a field people never see (src/subscribe/form.ts); anything in it is a bot. */
  website?: string;
  /** The signed time the form was served. */
  stamp?: string;
  /** SHA-256 of the consent text the page showed (so the record holds exactly that text). */
  consentHash?: string;
  /** The page the form is on, as the page says it. */
  page?: string;
  /** The ticked topic checkboxes (`topic`, repeated); undefined when the form had none. */
  topics?: string[];
}

export interface Client {
  ip: string;
  userAgent?: string;
  /** The Referer, when the page did not say where it is. */
  referer?: string;
}

/** Bounds of what is read and stored (the body as a whole is bounded by the route). */
export const FIELD_LIMITS = { email: 254, name: 100, page: 500, userAgent: 400, other: 200 } as const;

export type SubscribeResult =
  | "sent"
  | "queued"
  | "honeypot"
  | "already-confirmed"
  | "address-limit"
  | "ip-limit"
  | "global-limit"
  | "too-fast"
  | "stale-form"
  | "invalid"
  | "mail-failed";

export interface SubscribeLog {
  event: "subscribe" | "confirm";
  result: SubscribeResult | ConfirmResult;
  /** `i***@example.ru`. */
  email?: string;
  ip: string;
  detail?: string;
}

export type FormError = { field: "email" | "name" | "consent" | "form"; code: "email" | "consent" | "tooLong" | "tooFast" | "stale" };

export type SubscribeOutcome =
  /** 200: "check your mail" — the same for every address. */
  | { kind: "check-mail"; log: SubscribeLog }
  /** 422: the form again, with what to correct, the values typed, and a fresh stamp. */
  | { kind: "form"; errors: FormError[]; values: { email: string; name: string; topics?: string[] }; stamp: string; log: SubscribeLog }
  /** 429: this IP, or everyone, asked too often; `retryAfter` seconds. */
  | { kind: "limited"; retryAfter: number; log: SubscribeLog }
  /** 503: the confirmation could not be sent (the reader is pending; asking again later works). */
  | { kind: "unavailable"; log: SubscribeLog };

/** A fresh signed stamp for a form served now. */
export function formStamp(ctx: Pick<SubscribeContext, "listId" | "secret">, now: number): string {
  return createFormStamp(now, ctx.listId, ctx.secret);
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * What a per-IP limit counts: an IPv4 address (also written IPv4-mapped, `::ffff:1.2.3.4`), or an IPv6
 * address's /64 — one subscriber line gets a whole /64, and would otherwise have 2^64 "IPs" to rotate.
 */
export function ipLimitKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

function limitChecks(ctx: SubscribeContext, ip: string, email: string): LimitCheck[] {
  const l = ctx.config.subscribe.limits;
  // the address only as a hash: the counters are not a second list of addresses
  const addr = `addr:${createHash("sha256").update(addressKey(email)).digest("hex").slice(0, 32)}`;
  return [
    { key: `ip:${ipLimitKey(ip)}`, max: l.perIpPerHour, windowMs: HOUR },
    { key: `ip:${ipLimitKey(ip)}`, max: l.perIpPerDay, windowMs: DAY },
    { key: addr, max: l.perAddressPerHour, windowMs: HOUR },
    { key: addr, max: l.perAddressPerDay, windowMs: DAY },
    { key: "emails", max: l.emailsPerHour, windowMs: HOUR },
  ];
}

function first(value: unknown): string {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === "string" ? value : "";
}

/** A form-urlencoded body (as @fastify/formbody or URLSearchParams parse it) → our fields. */
export function subscribeFields(body: unknown): SubscribeFields {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  return {
    email: first(b.email),
    name: first(b.name),
    consent: first(b.consent),
    website: first(b.website),
    stamp: first(b.stamp),
    consentHash: first(b.consent_hash),
    page: first(b.page),
    // the form says it showed the checkboxes: none ticked is a choice too
    ...(b.topic !== undefined || first(b.topics) === "shown"
      ? {
          topics: (Array.isArray(b.topic) ? b.topic : b.topic === undefined ? [] : [b.topic]).filter(
            (x): x is string => typeof x === "string",
          ),
        }
      : {}),
  };
}

/**
 * The topics a form request records: the known ones ticked. A form without the checkboxes (a custom one,
 * or one built before topics) leaves them unchosen, so the reader gets the default topics.
 */
function requestedTopics(config: SubscribeConfig, fields: SubscribeFields): string[] | undefined {
  const known = (config.topics ?? []).map((x) => x.id);
  if (!known.length || !fields.topics) return undefined;
  return known.filter((id) => fields.topics!.includes(id));
}

/** `POST /subscribe`. */
export async function requestSubscription(
  ctx: SubscribeContext,
  fields: SubscribeFields,
  client: Client,
  now: number,
): Promise<SubscribeOutcome> {
  const email = stripControls(fields.email ?? "").trim();
  const name = stripControls(fields.name ?? "").trim();
  const masked = email ? maskAddress(email) : undefined;
  const log = (result: SubscribeResult, detail?: string): SubscribeLog => ({
    event: "subscribe",
    result,
    ...(masked ? { email: masked } : {}),
    ip: client.ip,
    ...(detail ? { detail } : {}),
  });
  const again = (errors: FormError[], result: SubscribeResult, detail?: string): SubscribeOutcome => ({
    kind: "form",
    errors,
    values: {
      email: email.slice(0, FIELD_LIMITS.email),
      name: name.slice(0, FIELD_LIMITS.name),
      topics: requestedTopics(ctx.config, fields),
    },
    stamp: formStamp(ctx, now),
    log: log(result, detail),
  });

  // 1. bounded
  const tooLong: FormError[] = [];
  if (email.length > FIELD_LIMITS.email) tooLong.push({ field: "email", code: "tooLong" });
  if (name.length > FIELD_LIMITS.name) tooLong.push({ field: "name", code: "tooLong" });
  if ((fields.page ?? "").length > FIELD_LIMITS.page || (fields.website ?? "").length > FIELD_LIMITS.other)
    tooLong.push({ field: "form", code: "tooLong" });
  if (tooLong.length) return again(tooLong, "invalid", "too long");
  // 2. the honeypot: the bot is told what a person is told, and nothing is recorded or sent
  if (fields.website?.trim()) return { kind: "check-mail", log: log("honeypot") };
  // 3. the stamp: sent faster than a person fills a form, or from a page served days ago (or not by serve)
  const stamp = checkFormStamp(fields.stamp, ctx.listId, ctx.secret, now, ctx.config.subscribe.limits.minFillSeconds * 1000);
  if (stamp === "too-fast") return again([{ field: "form", code: "tooFast" }], "too-fast");
  if (stamp !== "ok") return again([{ field: "form", code: "stale" }], "stale-form", stamp);
  // the consent text the page showed must be the one configured now: the record holds exactly what was shown
  const text = ctx.config.subscribe.consent;
  if (fields.consentHash && fields.consentHash !== consentTextHash(text))
    return again([{ field: "form", code: "stale" }], "stale-form", "consent text changed");
  // 4. the fields
  const errors: FormError[] = [];
  if (emailProblem(email)) errors.push({ field: "email", code: "email" });
  if (!fields.consent) errors.push({ field: "consent", code: "consent" });
  if (errors.length) return again(errors, "invalid", errors.map((e) => e.code).join(","));
  // 5. the limits, kept in the store
  const full = await ctx.store.takeLimits(limitChecks(ctx, client.ip, email), now);
  if (full) {
    const retryAfter = Math.ceil(full.windowMs / 1000);
    if (full.key.startsWith("addr:")) return { kind: "check-mail", log: log("address-limit") };
    if (full.key.startsWith("ip:")) return { kind: "limited", retryAfter, log: log("ip-limit") };
    return { kind: "limited", retryAfter, log: log("global-limit") };
  }
  // 6. the record and the one email. With a queue (serve) both come after the answer: a new address is
  // written and mailed, a confirmed one only read, and the answer's time must not tell them apart.
  const nonce = randomBytes(16).toString("base64url");
  const at = new Date(now).toISOString();
  const page = (fields.page || client.referer || "").slice(0, FIELD_LIMITS.page) || null;
  const work = async (): Promise<SubscribeLog> => {
    const topics = requestedTopics(ctx.config, fields);
    const outcome = await ctx.store.request({
      address: email,
      fields: name ? { name } : {},
      ...(topics ? { topics } : {}),
      consent: {
        at,
        ip: client.ip,
        userAgent: (client.userAgent ?? "").slice(0, FIELD_LIMITS.userAgent) || null,
        page,
        text,
        textHash: consentTextHash(text),
      },
      nonce,
      at,
    });
    if (outcome.kind === "already-confirmed") return log("already-confirmed");
    const token = createConfirmToken(email, nonce, now + CONFIRM_TTL_MS, ctx.listId, ctx.secret);
    const link = `${ctx.confirmUrl}${ctx.confirmUrl.includes("?") ? "&" : "?"}token=${token}`;
    const message = confirmationMessage(ctx.config, { address: email, fields: name ? { name } : {} }, link, new Date(now));
    try {
      const delivered = await ctx.mailer.send(message);
      if (delivered.status === "sent") return log("sent", outcome.previous ? `was ${outcome.previous}` : undefined);
      return log("mail-failed", `${delivered.status}: ${noteText(delivered.response, "en")}`);
    } catch (e) {
      return log("mail-failed", (e as Error).message);
    }
  };
  if (ctx.queue) {
    ctx.queue.push(() => work().catch((e) => log("mail-failed", `not recorded: ${(e as Error).message}`)));
    return { kind: "check-mail", log: log("queued") };
  }
  const done = await work();
  return done.result === "mail-failed" ? { kind: "unavailable", log: done } : { kind: "check-mail", log: done };
}

export type ConfirmResult = "ask" | "confirmed" | "already-confirmed" | "expired" | "invalid";

export type ConfirmOutcomeData =
  /** GET with a good token: the page with the button that POSTs. */
  | { kind: "ask"; email: string; log: SubscribeLog }
  | { kind: "confirmed"; subscriber: Subscriber; log: SubscribeLog }
  | { kind: "already-confirmed"; log: SubscribeLog }
  /** 410: the link is too old: subscribe again. */
  | { kind: "expired"; log: SubscribeLog }
  /** 400: forged, damaged, used up (a newer link was sent), or the reader left since. */
  | { kind: "invalid"; log: SubscribeLog };

function confirmLog(result: ConfirmResult, client: Client, email?: string): SubscribeLog {
  return { event: "confirm", result, ...(email ? { email: maskAddress(email) } : {}), ip: client.ip };
}

/** `GET /subscribe/confirm?token=…`: looks, never changes anything (mail scanners follow every link). */
export async function confirmationPage(
  ctx: Pick<SubscribeContext, "listId" | "secret" | "store">,
  token: string | undefined,
  client: Client,
  now: number,
): Promise<ConfirmOutcomeData> {
  const t = verifyConfirmToken(token, ctx.listId, ctx.secret, now);
  if (!t.ok) return { kind: t.reason, log: confirmLog(t.reason, client) };
  const state = await ctx.store.peek(t.email, t.nonce);
  if (state === "confirmed") return { kind: "ask", email: t.email, log: confirmLog("ask", client, t.email) };
  if (state === "already-confirmed") return { kind: "already-confirmed", log: confirmLog("already-confirmed", client, t.email) };
  return { kind: "invalid", log: confirmLog("invalid", client, t.email) };
}

/** `POST /subscribe/confirm?token=…` (the button): pending → confirmed, the link spent. */
export async function confirmSubscription(
  ctx: Pick<SubscribeContext, "listId" | "secret" | "store">,
  token: string | undefined,
  client: Client,
  now: number,
): Promise<ConfirmOutcomeData> {
  const t = verifyConfirmToken(token, ctx.listId, ctx.secret, now);
  if (!t.ok) return { kind: t.reason, log: confirmLog(t.reason, client) };
  const result = await ctx.store.confirm(t.email, t.nonce, {
    at: new Date(now).toISOString(),
    ip: client.ip,
    userAgent: (client.userAgent ?? "").slice(0, FIELD_LIMITS.userAgent) || null,
  });
  if (result === "confirmed") {
    const subscriber = await ctx.store.get(t.email);
    if (subscriber) return { kind: "confirmed", subscriber, log: confirmLog("confirmed", client, t.email) };
  }
  if (result === "already-confirmed") return { kind: "already-confirmed", log: confirmLog("already-confirmed", client, t.email) };
  return { kind: "invalid", log: confirmLog("invalid", client, t.email) };
}

export { CONFIRM_DAYS, consentTextHash };
