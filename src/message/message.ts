import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { encodeWords } from "nodemailer/lib/mime-funcs";
import type { NewsletterConfig } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import { mailtoAddress, mailtoToken } from "../identity/mailto.js";
import { newsletterId } from "../identity/newsletter.js";
import { createPreferencesToken, createUnsubscribeToken, preferencesUrl, unsubscribeUrl } from "../identity/token.js";
import { BOUNCE_HEADER, bounceToken, messageIdTag, verpAddress } from "../identity/verp.js";
import type { Subscriber } from "../render/personalise.js";
import { sha256 } from "../util/fs.js";
import { oneLine } from "./header-value.js";
import { type HtmlParts, PreparedMime } from "./prepared.js";

/** One reader's message, as every transport gets it (src/send/transport.ts). */
export interface OutgoingMessage {
  /** Recipient address. */
  to: string;
  subscriber: Subscriber;
  from: { name: string; email: string };
  replyTo?: string;
  /** The envelope sender (SMTP MAIL FROM; the outbox's Return-Path): `returnPath` in newsletter.yaml. */
  returnPath?: string;
  subject: string;
  html: string;
  text: string;
  /** Fixed per (issue, recipient): a retry reuses it. Without angle brackets. */
  messageId: string;
  /** Extra headers: List-Id, List-Unsubscribe, List-Unsubscribe-Post, … (values already safe). */
  headers: Record<string, string>;
  date: Date;
  /** The MIME prepared once and this reader's HTML values: `mailOptionsFor` splices the raw message from them. */
  mime?: { prepared: PreparedMime; html: HtmlParts; text?: HtmlParts };
}

/**
 * One reader's message: headers that mail providers require of bulk mail (RFC 2369 List-Unsubscribe,
 * RFC 8058 one-click, RFC 2919 List-Id), a Message-ID fixed per (issue, recipient) so a retry after a
 * dropped connection reuses it and receivers can de-duplicate, and no header that a subscriber value
 * can reach except the To display name, which is stripped of CR/LF and encoded by nodemailer.
 */
export interface MessageContext {
  config: NewsletterConfig;
  /** `newsletterId(config)`, computed once. */
  listId: string;
  /** The List-Id header value, encoded once. */
  listIdHeader: string;
  slug: string;
  subject: string;
  /** RASSYLKA_SECRET; required when `unsubscribe.url` is configured. */
  secret?: string;
  /** `sending.headers`, each value one line and ASCII (RFC 2047 encoded words for the rest), encoded once. */
  extraHeaders: Record<string, string>;
  /** The issue's `topic:` (docs/audiences.md): named by List-Id, and the one a topic-scoped unsubscribe leaves. */
  topic?: string;
}

export function messageContext(config: NewsletterConfig, slug: string, subject: string, secret?: string, topic?: string): MessageContext {
  const listId = newsletterId(config);
  // an issue with a topic is on that topic's list: `<topic>.<newsletter id>`, its title beside the name
  const title = topic ? config.topics?.find((x) => x.id === topic)?.title : undefined;
  const phrase = title ? `${config.name} — ${title}` : config.name;
  const id = topic ? `${topic}.${listId}` : listId;
  // RFC 2919: a phrase then <id>. Only the phrase may be an encoded word (RFC 2047), so we encode it
  // ourselves: left to nodemailer, the whole value would be encoded and the <id> lost to parsers.
  const listIdHeader = `${encodeWords(oneLine(phrase).replace(/[<>"\\]/g, ""), "B", 52, false)} <${id}>`;
  const extraHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.sending?.headers ?? {})) {
    // the schema refused line breaks; oneLine is the last guard, and non-ASCII text goes as encoded words
    extraHeaders[name] = encodeWords(oneLine(value), "Q", 52, false);
  }
  return { config, listId, listIdHeader, slug, subject, secret, extraHeaders, ...(topic ? { topic } : {}) };
}

/** `<hash>.<slug>@<sender domain>`, without angle brackets; the same for every attempt. */
export function messageIdFor(listId: string, slug: string, emailKey: string, fromEmail: string, secret?: string): string {
  const domain = fromEmail.split("@")[1]?.toLowerCase() || "localhost";
  // keyed with the secret, so that a forged bounce cannot quote "our" Message-ID for a reader it names
  const tag = secret ? messageIdTag(secret, listId, slug, emailKey) : sha256(listId, slug, emailKey).slice(0, 32);
  return `${tag}.${slug.replace(/[^A-Za-z0-9-]/g, "")}@${domain}`;
}

/** The tokenised unsubscribe URL for a reader, or undefined when the config has no `unsubscribe.url`. */
export function readerUnsubscribeUrl(ctx: MessageContext, email: string): string | undefined {
  const base = ctx.config.unsubscribe?.url;
  if (!base || !ctx.secret) return undefined;
  const url = unsubscribeUrl(base, createUnsubscribeToken(email, ctx.listId, ctx.secret));
  // `unsubscribe.scope: topic`: the link (and one-click) leaves this topic only. The topic is not
  // signed: it can only narrow what the signed token already allows.
  return ctx.topic && ctx.config.unsubscribe?.scope === "topic" ? `${url}&topic=${ctx.topic}` : url;
}

/**
 * The reader's preference page (served by `serve`, docs/audiences.md): `<url>/preferences?token=`, with a
 * token of its own purpose. Only for a newsletter with topics, a `url` and the secret.
 */
export function readerPreferencesUrl(ctx: MessageContext, email: string): string | undefined {
  const base = ctx.config.url;
  if (!base || !ctx.secret || !ctx.config.topics?.length) return undefined;
  return preferencesUrl(base, createPreferencesToken(email, ctx.listId, ctx.secret));
}

/**
 * The reader's envelope sender and bounce header: with `returnPath` and the secret,
 * `returnPath+<token>` and `X-Rassylka-Bounce: <token>` (src/identity/verp.ts); `bounces.verp: false`
 * or no secret: `returnPath` as it is.
 */
export function bounceAddress(ctx: MessageContext, email: string): { returnPath?: string; token?: string } {
  const returnPath = ctx.config.returnPath;
  if (!returnPath || !ctx.secret || ctx.config.bounces?.verp === false) return { returnPath };
  const token = bounceToken(ctx.secret, ctx.listId, ctx.slug, email);
  return { returnPath: verpAddress(returnPath, token), token };
}

/**
 * The same for every reader of a newsletter, read by the postmasters: `X-Postmaster-Msgtype` (Mail.ru groups
 * its statistics by it: stable per newsletter), `Precedence: bulk`, and with `sending.feedbackId` Gmail's
 * `Feedback-ID` (`<issue>:<newsletter>:rassylka:<sender id>`, no per-reader value).
 */
export function postmasterHeaders(ctx: MessageContext): Record<string, string> {
  const out: Record<string, string> = { "X-Postmaster-Msgtype": ctx.listId, Precedence: "bulk" };
  const feedbackId = ctx.config.sending?.feedbackId;
  if (feedbackId) out["Feedback-ID"] = `${ctx.slug.replace(/[^A-Za-z0-9._-]/g, "")}:${ctx.listId}:rassylka:${feedbackId}`;
  return { ...out, ...ctx.extraHeaders };
}

/**
 * The reader's own unsubscribe address, `<local>+u-<token>@<domain>` of `unsubscribe.mailto`
 * (src/identity/mailto.ts: `bounces import|fetch` unsubscribes exactly that reader); without the secret,
 * `unsubscribe.mailto` as it is.
 */
export function readerUnsubscribeMailto(ctx: MessageContext, email: string): string | undefined {
  const mailto = ctx.config.unsubscribe?.mailto;
  if (!mailto || !ctx.secret) return mailto;
  return mailtoAddress(mailto, mailtoToken(ctx.secret, ctx.listId, ctx.slug, email));
}

/** List-Id, List-Unsubscribe, List-Unsubscribe-Post for one reader: ASCII, ready for the wire. */
export function listHeaders(ctx: MessageContext, email: string, url = readerUnsubscribeUrl(ctx, email)): Record<string, string> {
  const headers: Record<string, string> = { "List-Id": ctx.listIdHeader, ...postmasterHeaders(ctx) };
  const targets: string[] = [];
  if (url) targets.push(`<${url}>`);
  const mailto = readerUnsubscribeMailto(ctx, email);
  if (mailto) targets.push(`<mailto:${mailto}?subject=unsubscribe>`);
  if (targets.length) headers["List-Unsubscribe"] = targets.join(", ");
  // RFC 8058: one-click works only with an https URL in List-Unsubscribe
  if (url) headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  return headers;
}

export interface Recipient {
  /** The address as written in the list. */
  address: string;
  /** Lower-cased address: the ledger key. */
  key: string;
  /** Other CSV columns. */
  fields: Record<string, string>;
  messageId: string;
}

/** What `render()` gets: the CSV columns, `email`, and `unsubscribeUrl` for `{{subscriber.unsubscribeUrl}}`. */
export function subscriberFor(ctx: MessageContext, recipient: Recipient): Subscriber {
  return {
    ...recipient.fields,
    email: recipient.address,
    unsubscribeUrl: readerUnsubscribeUrl(ctx, recipient.key),
    preferencesUrl: readerPreferencesUrl(ctx, recipient.key),
  };
}

/** The MIME prepared for a context's issue, made with its first reader's message. */
const preparedByContext = new WeakMap<MessageContext, PreparedMime>();

export function buildMessage(
  ctx: MessageContext,
  recipient: Recipient,
  subscriber: Subscriber,
  body: { html: string; text: string; htmlParts?: HtmlParts; textParts?: HtmlParts },
  date = new Date(),
): OutgoingMessage {
  const bounce = bounceAddress(ctx, recipient.key);
  const headers = listHeaders(ctx, recipient.key, subscriber.unsubscribeUrl ?? readerUnsubscribeUrl(ctx, recipient.key));
  if (bounce.token) headers[BOUNCE_HEADER] = bounce.token;
  const message: OutgoingMessage = {
    to: recipient.address,
    subscriber,
    from: { name: ctx.config.from.name, email: ctx.config.from.email },
    replyTo: ctx.config.replyTo,
    returnPath: bounce.returnPath,
    subject: ctx.subject,
    html: body.html,
    text: body.text,
    messageId: recipient.messageId,
    headers,
    date,
  };
  if (body.htmlParts) {
    let prepared = preparedByContext.get(ctx);
    if (prepared?.statics !== body.htmlParts.statics) {
      prepared = new PreparedMime(message, toMailOptions(message), body.htmlParts.statics);
      preparedByContext.set(ctx, prepared);
    }
    message.mime = { prepared, html: body.htmlParts, text: body.textParts };
  }
  return message;
}

/** nodemailer's message options for an OutgoingMessage (shared by the SMTP and outbox transports). */
export function toMailOptions(message: OutgoingMessage) {
  return {
    from: { name: oneLine(message.from.name), address: message.from.email },
    to: recipientOf(message),
    replyTo: message.replyTo,
    subject: oneLine(message.subject),
    html: message.html,
    text: message.text,
    messageId: `<${message.messageId}>`,
    date: message.date,
    // MAIL FROM: bounces go to returnPath; the header From stays the newsletter's
    ...(message.returnPath ? { envelope: { from: message.returnPath, to: message.to } } : {}),
    // already encoded (listHeaders): emitted as given, only folded at spaces, never re-encoded
    headers: Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, { prepared: true, foldLines: true, value: oneLine(v) }]),
    ),
    // nothing in a newsletter needs to read local files or fetch URLs while composing
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The To value: the reader's address, with the `name` field (any case) as display name when there is one. */
function recipientOf(message: OutgoingMessage): string | { name: string; address: string } {
  let rawName: string | undefined;
  for (const k in message.subscriber) {
    if (k.toLowerCase() === "name") {
      rawName = message.subscriber[k];
      break;
    }
  }
  const name = typeof rawName === "string" ? oneLine(rawName).slice(0, 200) : "";
  return name ? { name, address: message.to } : message.to;
}

/**
 * What the SMTP and outbox transports hand nodemailer: the raw message spliced from the prepared
 * MIME with its envelope when the message has one (src/message/prepared.ts), else toMailOptions — the
 * same message either way (tests/message/prepared.test.ts).
 */
export function mailOptionsFor(message: OutgoingMessage) {
  const raw = message.mime?.prepared.build(message, message.mime, recipientOf(message));
  if (!raw) return toMailOptions(message);
  return {
    // MAIL FROM: bounces go to returnPath, as on the toMailOptions path
    envelope: { from: message.returnPath ?? message.from.email, to: [message.to] },
    raw,
    messageId: `<${message.messageId}>`,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** DKIM_DOMAIN, DKIM_SELECTOR and the key: what src/message/dkim.ts signs with. */
export interface DkimOptions {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/**
 * DKIM from the environment: DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (PEM) or DKIM_PRIVATE_KEY_FILE.
 * The signer (src/message/dkim.ts) signs every header and over-signs From, Subject and the List-Unsubscribe pair.
 * The key is never printed: errors name the variables only.
 */
export function dkimFromEnv(env: NodeJS.ProcessEnv = process.env): DkimOptions | undefined {
  const domain = env.DKIM_DOMAIN?.trim();
  const selector = env.DKIM_SELECTOR?.trim();
  let key = env.DKIM_PRIVATE_KEY;
  const keyFile = env.DKIM_PRIVATE_KEY_FILE;
  if (!domain && !selector && !key && !keyFile) return undefined;
  const fail = (message: string, fix: string) => new RassylkaError({ ruleId: "send/dkim", severity: "error", message, fix });
  if (!domain || !selector || (!key && !keyFile)) {
    throw fail(
      "DKIM is half configured",
      "set all of DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (the PEM) or DKIM_PRIVATE_KEY_FILE (its path), or none of them",
    );
  }
  if (!key && keyFile) {
    try {
      key = readFileSync(keyFile, "utf8");
    } catch (e) {
      throw fail(
        `cannot read DKIM_PRIVATE_KEY_FILE ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? "error"}`,
        "point it at the PEM file",
      );
    }
  }
  const variable = env.DKIM_PRIVATE_KEY ? "DKIM_PRIVATE_KEY" : "DKIM_PRIVATE_KEY_FILE";
  if (!key || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw fail(`${variable}: the DKIM private key is not a PEM private key`, "give the key as PEM (-----BEGIN PRIVATE KEY----- …)");
  }
  // nodemailer sends a message unsigned when its key does not work: sign a test message now, so a
  // damaged key stops the send before anyone gets a letter receivers will not trust
  try {
    const k = createPrivateKey(key);
    const type = k.asymmetricKeyType;
    if (type !== "rsa" && type !== "ed25519") throw new Error(`a ${type} key (DKIM signs with RSA or Ed25519)`);
    sign(type === "rsa" ? "sha256" : null, Buffer.from("rassylka DKIM check"), k);
  } catch (e) {
    throw fail(
      `${variable}: the DKIM private key cannot sign (${(e as Error).message.replace(/\s+/g, " ").slice(0, 120)})`,
      `give ${variable} the whole PEM of the RSA (or Ed25519) private key whose public half is published at ${selector}._domainkey.${domain}`,
    );
  }
  return { domainName: domain, keySelector: selector, privateKey: key };
}

/**
 * The letter of Sendsay's `issue.send` (docs/sendsay.md): Sendsay builds the MIME message itself, so
 * only From, Reply-To, Subject and both parts are passed; our List-* headers and Message-ID are not.
 */
export interface SendsayLetter {
  subject: string;
  "from.name": string;
  "from.email": string;
  "reply.email"?: string;
  message: { html: string; text: string };
}

export function toSendsayLetter(message: Pick<OutgoingMessage, "subject" | "from" | "replyTo" | "html" | "text">): SendsayLetter {
  return {
    subject: message.subject,
    "from.name": message.from.name,
    "from.email": message.from.email,
    ...(message.replyTo ? { "reply.email": message.replyTo } : {}),
    message: { html: message.html, text: message.text },
  };
}
