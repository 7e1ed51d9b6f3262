import { rootCertificates } from "node:tls";
import nodemailer, { type SendMailOptions } from "nodemailer";
import { DkimSigner, signWith } from "../../message/dkim.js";
import type { DkimOptions } from "../../message/message.js";

/**
 * The nodemailer pool behind SmtpTransport, with what goes in and out of it as plain data: the same code
 * runs on the SMTP thread (smtp-thread.ts, the default: nodemailer's per-message work — its MIME
 * streams, dot-stuffing and socket writes — then takes the second core, not the send loop's) and on the
 * caller's thread (`thread: false`). `maxRequeues: 0`: a message whose connection dropped is not silently
 * re-sent by the pool — retries belong to the ledger, which counts them and keeps the Message-ID.
 */
export interface PoolSettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  maxConnections: number;
  dkim?: DkimOptions;
  /** EHLO name. */
  name?: string;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
  /** PEM trusted besides the system's certificates. */
  ca?: string;
  allowInvalidCertificates?: boolean;
}

/** The fields of a nodemailer error that classifySmtpError reads: all a reply needs to carry. */
export interface SmtpErrorFields {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

export type PoolReply = { ok: true; rejected: number; response?: string } | { ok: false; error: SmtpErrorFields };

/** What a mail option holds after a trip through postMessage: a Buffer arrives as a Uint8Array. */
type Mail = Record<string, unknown> & { raw?: Uint8Array | string; messageId?: string };

/**
 * nodemailer's pool, on a connection that delivered before, treats an error that came before any of the
 * message was sent (a 421 to RCPT TO: the server closes) as a dropped connection, and with `maxRequeues: 0`
 * fails the message with "Reached maximum number of retries…", the reply lost. Its log line still has
 * the reply, by Message-ID: kept here (the last few) so that the 421 reaches the loop and slows the domain.
 */
const RETRIES_LOST_REPLY = /Reached maximum number of retries after connection was closed/;
const CLOSED_BEFORE = /was closed by the server before message/;
const MAX_REMEMBERED = 256;

export class PoolSender {
  private readonly pool;
  private readonly lostReplies = new Map<string, string>();

  constructor(s: PoolSettings) {
    this.pool = nodemailer.createTransport({
      pool: true,
      host: s.host,
      port: s.port,
      secure: s.secure,
      auth: s.auth,
      maxConnections: s.maxConnections,
      maxMessages: 1000,
      maxRequeues: 0,
      logger: this.replyLogger(),
      connectionTimeout: s.connectionTimeout,
      greetingTimeout: s.greetingTimeout,
      socketTimeout: s.socketTimeout,
      name: s.name,
      tls: s.allowInvalidCertificates ? { rejectUnauthorized: false } : s.ca ? { ca: [...rootCertificates, s.ca] } : undefined,
    });
    // signed here, on the SMTP thread, by our signer: nodemailer's cannot over-sign (src/message/dkim.ts)
    if (s.dkim) signWith(this.pool, new DkimSigner(s.dkim));
  }

  /** Greeting, STARTTLS and login on one connection; the error's fields when that fails. */
  async verify(): Promise<SmtpErrorFields | undefined> {
    try {
      await this.pool.verify();
      return undefined;
    } catch (error) {
      return errorFields(error);
    }
  }

  async send(mail: Mail): Promise<PoolReply> {
    if (mail.raw instanceof Uint8Array && !Buffer.isBuffer(mail.raw)) {
      mail.raw = Buffer.from(mail.raw.buffer, mail.raw.byteOffset, mail.raw.byteLength);
    }
    try {
      const info = await this.pool.sendMail(mail as SendMailOptions);
      const rejected = ((info.rejected ?? []) as unknown[]).length;
      return { ok: true, rejected, response: info.response === undefined ? undefined : String(info.response) };
    } catch (error) {
      return { ok: false, error: this.withLostReply(errorFields(error), String(mail.messageId ?? "").replace(/^<|>$/g, "")) };
    }
  }

  close(): void {
    this.pool.close();
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
  private withLostReply(error: SmtpErrorFields, messageId: string): SmtpErrorFields {
    const kept = this.lostReplies.get(messageId);
    this.lostReplies.delete(messageId);
    if (!kept || !RETRIES_LOST_REPLY.test(error.message ?? "")) return error;
    const m = /(?:^|: )(\d{3})[ -](.*)$/.exec(kept);
    if (!m) return error;
    // "Server closed the connection: 421 …" answered RCPT TO or DATA; "Mail command failed: 421 …" MAIL FROM
    const command = /^Mail command failed/.test(kept) ? "MAIL FROM" : undefined;
    return { code: command ? "EENVELOPE" : "ECONNECTION", responseCode: Number(m[1]), response: `${m[1]} ${m[2]}`, command, message: kept };
  }
}

function errorFields(error: unknown): SmtpErrorFields {
  const e = (error ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    message: str(e.message) ?? String(error),
    code: str(e.code),
    originalCode: str(e.originalCode),
    responseCode: typeof e.responseCode === "number" ? e.responseCode : undefined,
    response: str(e.response),
    command: str(e.command),
  };
}
