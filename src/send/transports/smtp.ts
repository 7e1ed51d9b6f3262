import { rootCertificates } from "node:tls";
import nodemailer from "nodemailer";
import { RassylkaError } from "../../diagnostics.js";
import { type DkimOptions, mailOptionsFor } from "../../message/message.js";
import type { DeliveryResult, OutgoingMessage, Transport } from "../transport.js";

/**
 * SMTP through a nodemailer pool. `maxRequeues: 0`: a message whose connection dropped is not silently
 * re-sent by the pool — retries belong to the ledger, which counts them and keeps the Message-ID.
 * The rate limit is global and lives in the engine. STARTTLS is used whenever the server offers it.
 */
export const SMTP_URL_ENV = "SMTP_URL";

export interface SmtpOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  /** Pool size: connections kept open. */
  maxConnections?: number;
  dkim?: DkimOptions;
  /** Milliseconds; defaults suit a real server. */
  connectionTimeout?: number;
  greetingTimeout?: number;
  socketTimeout?: number;
  /**
   * Trust these certificates (PEM) besides the system's: a relay with a private CA or a self-signed
   * certificate (`SMTP_CA_FILE`, read by the CLI).
   */
  ca?: string;
  /** Do not verify the server's certificate at all (`SMTP_TLS_INSECURE=1`): a relay on a trusted network only. */
  allowInvalidCertificates?: boolean;
}

export interface ParsedSmtpUrl {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Without credentials: safe to print. */
  description: string;
  /** The URL with its password masked, `smtp://user:***@host:587`: safe to print in a hint. */
  masked: string;
}

export function parseSmtpUrl(value: string): ParsedSmtpUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new RassylkaError(
      {
        ruleId: "send/smtp-url",
        severity: "error",
        message: "the SMTP URL is not a URL",
        field: "--smtp-url / SMTP_URL",
        fix: "write it as smtp://user:password@host:587 or smtps://user:password@host:465 (percent-encode special characters in the password)",
      },
      { cause },
    );
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new RassylkaError({
      ruleId: "send/smtp-url",
      severity: "error",
      message: `the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`,
      field: "--smtp-url / SMTP_URL",
      fix: "smtp://host:587 (STARTTLS when offered) or smtps://host:465 (TLS from the start)",
    });
  }
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  const masked = `${url.protocol}//${url.username ? `${url.username}${url.password ? ":***" : ""}@` : ""}${url.hostname}:${port}`;
  return { host, port, secure, auth, description: `${url.protocol}//${url.hostname}:${port}`, masked };
}

// Node's and OpenSSL's codes for a certificate or handshake problem (tls.connect, STARTTLS upgrade)
const TLS_PROBLEM = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME|\bEPROTO\b/;
const TLS_FIX =
  "if the relay uses a private CA or a self-signed certificate, export SMTP_CA_FILE=/path/to/ca.pem (or NODE_EXTRA_CA_CERTS); for a relay on a trusted network only, SMTP_TLS_INSECURE=1 (or --insecure-tls) skips the check; a wrong-version error usually means smtps:// on a STARTTLS port (587) or the reverse";

/**
 * nodemailer error → ledger outcome. The sender's problems (login, TLS, a refused connection or greeting,
 * MAIL FROM refused) stop the run; 4xx, dropped connections and timeouts: try again; 5xx: never.
 */
export function classifySmtpError(error: unknown, where = "the SMTP server"): DeliveryResult {
  const e = error as { responseCode?: number; response?: string; code?: string; originalCode?: string; command?: string; message?: string };
  const response = (e.response ?? e.message ?? String(error)).trim();
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const sys = `${e.originalCode ?? ""} ${e.code ?? ""}`;
  const message = e.message ?? String(error);
  if (e.code === "EAUTH")
    return {
      status: "sender",
      code,
      response: `${where} rejected the login: ${response}`,
      fix: "check the user name and password in SMTP_URL or --smtp-url (percent-encode @ : / % in the password), then run the same command again",
    };
  if (code === 530 || (code !== undefined && /^5\.7\.0\b/.test(response.replace(/^\d+\s+/, "")) && /auth/i.test(response)))
    return {
      status: "sender",
      code,
      response: `${where} requires authentication: ${response}`,
      fix: "put the user name and password into the URL: SMTP_URL=smtp://user:password@host:587",
    };
  if (e.code === "ETLS" || TLS_PROBLEM.test(sys) || /certificate|wrong version number|handshake/i.test(message))
    return { status: "sender", code, response: `TLS with ${where} failed: ${message}`, fix: TLS_FIX };
  if (e.command === "CONN" && code !== undefined && code >= 500)
    return {
      status: "sender",
      code,
      response: `${where} refused the connection at its greeting: ${response}`,
      fix: "the relay does not accept mail from this machine: ask its administrator to allow this host, or use the submission port (587) with a login",
    };
  if (/ECONNREFUSED|ENOTFOUND|EAI_FAIL|EHOSTUNREACH|ENETUNREACH/.test(sys) || /ECONNREFUSED|ENOTFOUND/.test(message))
    return {
      status: "sender",
      code,
      response: `cannot connect to ${where}: ${message}`,
      fix: "check the host and port in SMTP_URL or --smtp-url (587 for STARTTLS, 465 with smtps://) and that the server is running, then run the same command again",
    };
  if (e.command === "MAIL FROM" && code !== undefined && code >= 500)
    return {
      status: "sender",
      code,
      response: `${where} refused the sender address: ${response}`,
      fix: "check from.email (and returnPath) in newsletter.yaml: the relay must allow this account to send as that address",
    };
  if (code !== undefined && code >= 500 && code < 600) return { status: "permanent", code, response };
  // a 4xx to RCPT TO is about this reader (greylisting, a full mailbox); 421 means the server is closing
  const recipient = e.command === "RCPT TO" && code !== undefined && code >= 400 && code !== 421;
  // a reply to RCPT TO or DATA speaks for the reader's domain (a rate limit slows that domain alone);
  // nodemailer reports a 421 there as the connection closing (ECONNECTION) with the reply, while a
  // 421 greeting is EPROTOCOL and a 421 to MAIL FROM keeps its command: those are the relay's
  const domain = code !== undefined && (e.command === "RCPT TO" || e.command === "DATA" || (e.code === "ECONNECTION" && code === 421));
  return {
    status: "transient",
    code,
    response: e.code && !response.includes(e.code) ? `${e.code}: ${response}` : response,
    ...(recipient ? { recipient } : {}),
    ...(domain ? { domain } : {}),
  };
}

/**
 * nodemailer's pool, on a connection that delivered before, treats an error that came before any of the
 * message was sent (a 421 to RCPT TO: the server closes) as a dropped connection, and with `maxRequeues: 0`
 * fails the message with "Reached maximum number of retries…", the reply lost. Its log line still has
 * the reply, by Message-ID: kept here (the last few) so that the 421 reaches the loop and slows the domain.
 */
const RETRIES_LOST_REPLY = /Reached maximum number of retries after connection was closed/;
const CLOSED_BEFORE = /was closed by the server before message/;
const MAX_REMEMBERED = 256;

export class SmtpTransport implements Transport {
  readonly name = "smtp";
  readonly description: string;
  private readonly pool;
  private readonly host: string;
  private readonly lostReplies = new Map<string, string>();
  constructor(options: SmtpOptions) {
    const parsed = parseSmtpUrl(options.url);
    this.description = parsed.description;
    this.host = `${parsed.host}:${parsed.port}`;
    this.pool = nodemailer.createTransport({
      pool: true,
      host: parsed.host,
      port: parsed.port,
      secure: parsed.secure,
      auth: parsed.auth,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: 1000,
      maxRequeues: 0,
      logger: this.replyLogger(),
      connectionTimeout: options.connectionTimeout ?? 30_000,
      greetingTimeout: options.greetingTimeout ?? 30_000,
      socketTimeout: options.socketTimeout ?? 120_000,
      dkim: options.dkim,
      tls: options.allowInvalidCertificates
        ? { rejectUnauthorized: false }
        : options.ca
          ? { ca: [...rootCertificates, options.ca] }
          : undefined,
    });
  }
  /** One connection before the first message: greeting, STARTTLS and login, so a sender's mistake costs no reader. */
  async open(): Promise<void> {
    try {
      await this.pool.verify();
    } catch (error) {
      const result = classifySmtpError(error, this.host);
      // a temporary problem (a timeout, 421) is left to the loop: it retries and pauses
      if (result.status === "sender") throw senderError(result);
    }
  }
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    try {
      // issue 17: the raw message spliced from the issue's prepared MIME (toMailOptions when there is none)
      const info = await this.pool.sendMail(mailOptionsFor(message));
      const rejected = (info.rejected ?? []) as unknown[];
      if (rejected.length) {
        const response = (info.response ?? "recipient rejected").toString();
        return { status: "permanent", code: Number.parseInt(response, 10) || undefined, response };
      }
      return { status: "sent", code: Number.parseInt(String(info.response ?? ""), 10) || undefined, response: info.response };
    } catch (error) {
      return classifySmtpError(this.withLostReply(error, message.messageId), this.host);
    }
  }
  /** A bunyan-shaped logger that notes only the pool's "closed before message" lines, with their reply. */
  private replyLogger() {
    const ignore = () => {};
    const info = (entry: { messageId?: string } | undefined, text?: unknown, ...args: unknown[]) => {
      if (!entry?.messageId || typeof text !== "string" || !CLOSED_BEFORE.test(text)) return;
      this.lostReplies.set(entry.messageId.replace(/^<|>$/g, ""), String(args[2] ?? ""));
      if (this.lostReplies.size > MAX_REMEMBERED) this.lostReplies.delete(this.lostReplies.keys().next().value as string);
    };
    return { trace: ignore, debug: ignore, info, warn: ignore, error: ignore, fatal: ignore };
  }
  /** The pool's reply-less error for a message, with the reply its log line kept (see RETRIES_LOST_REPLY). */
  private withLostReply(error: unknown, messageId: string): unknown {
    const e = error as { message?: string; code?: string };
    const kept = this.lostReplies.get(messageId);
    this.lostReplies.delete(messageId);
    if (!kept || !RETRIES_LOST_REPLY.test(e?.message ?? "")) return error;
    const m = /(?:^|: )(\d{3})[ -](.*)$/.exec(kept);
    if (!m) return error;
    // "Server closed the connection: 421 …" answered RCPT TO or DATA; "Mail command failed: 421 …" MAIL FROM
    const command = /^Mail command failed/.test(kept) ? "MAIL FROM" : undefined;
    return { code: command ? "EENVELOPE" : "ECONNECTION", responseCode: Number(m[1]), response: `${m[1]} ${m[2]}`, command, message: kept };
  }
  async close(): Promise<void> {
    this.pool.close();
  }
}

/** A sender problem found before anything was sent: a RassylkaError, so the CLI prints it and exits 1. */
export function senderError(result: Extract<DeliveryResult, { status: "sender" }>): RassylkaError {
  return new RassylkaError({ ruleId: "send/sender", severity: "error", message: `${result.response} — nothing was sent`, fix: result.fix });
}
