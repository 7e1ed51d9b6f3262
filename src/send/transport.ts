import type { Subscriber } from "../render/personalise.js";

/**
 * The one interface every way of delivering sits behind: outbox (.eml files), SMTP (nodemailer pool),
 * Sendsay (HTTP API, personal letters). The engine (src/send/engine.ts) owns the ledger, rate limit and
 * retries; a transport only tries once and says what happened.
 */
export interface OutgoingMessage {
  /** Recipient address. */
  to: string;
  subscriber: Subscriber;
  from: { name: string; email: string };
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Fixed per (issue, recipient): a retry reuses it. Without angle brackets. */
  messageId: string;
  /** Extra headers: List-Id, List-Unsubscribe, List-Unsubscribe-Post, … (values already safe). */
  headers: Record<string, string>;
  date: Date;
}

export type DeliveryResult =
  | { status: "sent"; code?: number; response?: string; providerId?: string }
  /** Try again later: 4xx, dropped connection, timeout, HTTP 5xx from an API. */
  | { status: "transient"; code?: number; response: string }
  /** Never retry: 5xx from SMTP, a rejected address. */
  | { status: "permanent"; code?: number; response: string };

export interface Transport {
  /** "outbox", "smtp", "sendsay". */
  readonly name: string;
  /** For the confirmation prompt and the summary, without secrets: "smtp://mail.example.ru:587". */
  readonly description: string;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  close(): Promise<void>;
}
