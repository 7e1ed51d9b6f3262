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
  /** Accept self-signed certificates (local test servers only). */
  allowInvalidCertificates?: boolean;
}

export interface ParsedSmtpUrl {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Without credentials: safe to print. */
  description: string;
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
  return { host, port, secure, auth, description: `${url.protocol}//${url.hostname}:${port}` };
}

/** nodemailer error → ledger outcome. 4xx, dropped connections and timeouts: try again; 5xx: never. */
export function classifySmtpError(error: unknown): DeliveryResult {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const response = (e.response ?? e.message ?? String(error)).trim();
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  // a rejected login is the sender's config, not the reader: retry, so a long run of them pauses the send
  if (e.code === "EAUTH") return { status: "transient", code, response: `authentication failed: ${response}` };
  if (code !== undefined && code >= 500 && code < 600) return { status: "permanent", code, response };
  return { status: "transient", code, response: e.code && !response.includes(e.code) ? `${e.code}: ${response}` : response };
}

export class SmtpTransport implements Transport {
  readonly name = "smtp";
  readonly description: string;
  private readonly pool;
  constructor(options: SmtpOptions) {
    const parsed = parseSmtpUrl(options.url);
    this.description = parsed.description;
    this.pool = nodemailer.createTransport({
      pool: true,
      host: parsed.host,
      port: parsed.port,
      secure: parsed.secure,
      auth: parsed.auth,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: 1000,
      maxRequeues: 0,
      connectionTimeout: options.connectionTimeout ?? 30_000,
      greetingTimeout: options.greetingTimeout ?? 30_000,
      socketTimeout: options.socketTimeout ?? 120_000,
      dkim: options.dkim,
      tls: options.allowInvalidCertificates ? { rejectUnauthorized: false } : undefined,
    });
  }
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    try {
      // issue 17: the raw message spliced from the prepared MIME (toMailOptions when there is none)
      const info = await this.pool.sendMail(mailOptionsFor(message));
      const rejected = (info.rejected ?? []) as unknown[];
      if (rejected.length) {
        const response = (info.response ?? "recipient rejected").toString();
        return { status: "permanent", code: Number.parseInt(response, 10) || undefined, response };
      }
      return { status: "sent", code: Number.parseInt(String(info.response ?? ""), 10) || undefined, response: info.response };
    } catch (error) {
      return classifySmtpError(error);
    }
  }
  async close(): Promise<void> {
    this.pool.close();
  }
}
