import type { OutgoingMessage } from "../message/message.js";

export type { OutgoingMessage };

/**
 * The one interface every way of delivering sits behind: outbox (.eml files), SMTP (a pool of nodemailer connections),
 * Sendsay (HTTP API, personal letters). The engine (src/send/engine.ts) owns the ledger, rate limit and
 * retries; a transport only tries once and says what happened. Messages are built by src/message.
 */
export type DeliveryResult =
  | { status: "sent"; code?: number; response?: string; providerId?: string }
  /**
   * Try again later: 4xx, dropped connection, timeout, HTTP 5xx from an API. `recipient`: the reply was
   * about this reader (a 4xx to RCPT TO, e.g. greylisting), not about the server: it does not count
   * towards pausing the run.
   */
  | {
      status: "transient";
      code?: number;
      response: string;
      recipient?: boolean;
      /**
       * The reply came from the receiving side about this message (to RCPT TO or DATA), not from the
       * connection or the relay's greeting: a 421/451 here slows the reader's domain (src/send/pacing.ts).
       */
      domain?: boolean;
    }
  /** Never retry: 5xx from SMTP, a rejected address. */
  | { status: "permanent"; code?: number; response: string }
  /**
   * The sender's side failed, not the reader (authentication, TLS, a 554 greeting, connection refused,
   * MAIL FROM refused): nothing can be delivered until the user fixes it. The run stops at once, the
   * reader goes back to pending untouched, and the summary carries `response` and `fix`.
   */
  | { status: "sender"; code?: number; response: string; fix: string };

export interface Transport {
  /** "outbox", "smtp", "sendsay". */
  readonly name: string;
  /** For the confirmation prompt and the summary, without secrets: "smtp://mail.example.ru:587". */
  readonly description: string;
  /**
   * Delivers to nobody (the outbox's files): a send through it is a trial, kept apart from the real
   * send in the ledger, so it never makes a later real send or a welcome email skip a reader.
   */
  readonly trial?: boolean;
  /**
   * Optional check before the first message (credentials, the account): throws a RassylkaError with the
   * fix when nothing could be delivered. Called once per run, only when someone is waiting to be sent.
   */
  open?(): Promise<void>;
  /**
   * Optional: start open()'s check now, without waiting (the engine calls it before reading the list, so
   * a server's greeting delay is not added to the send). Its outcome is what open() then reports; if
   * open() is never called (nobody to send), it is ignored.
   */
  warmUp?(): void;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  close(): Promise<void>;
}
