import { rootCertificates } from "node:tls";
import MailComposer, { type Options as MailComposerOptions } from "nodemailer/lib/mail-composer";
import MimeNode from "nodemailer/lib/mime-node";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { DkimSigner } from "../../message/dkim.js";
import type { DkimOptions } from "../../message/message.js";
import { isSimpleAddress } from "../../message/prepared.js";

/**
 * The connections behind SmtpTransport, with what goes in and out as plain data: the same code runs on
 * the SMTP thread (smtp-thread.ts, the default: the socket writes and nodemailer's dot-stuffing then take
 * the second core, not the send loop's) and on the caller's thread (`thread: false`).
 *
 * Up to `maxConnections` nodemailer SMTPConnections (greeting, STARTTLS when offered, login, PIPELINING),
 * each with one message at a time. A reader's message is already MIME (spliced by src/message/prepared.ts),
 * so it goes to its connection as bytes: nodemailer's pool would wrap each one in a MIME node, a stream
 * pipeline and an abort signal first, which cost the SMTP thread about a third of its time. A message
 * without prepared bytes is built by nodemailer's MailComposer here. No message is silently re-sent on
 * another connection when its connection drops: retries belong to the ledger, which counts them and keeps
 * the Message-ID, and the server's reply reaches it as it was (a 421 slows the reader's domain).
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
type Mail = Record<string, unknown> & { raw?: Uint8Array | string; envelope?: Envelope };
type Envelope = { from: string; to: string[] };

/** A connection is closed and a fresh one opened after this many messages (servers limit a session). */
const MAX_MESSAGES = 1000;

interface Job {
  mail: Mail;
  done(reply: PoolReply): void;
}

/** One connection of the pool and the messages it has carried. */
interface Link {
  conn: SMTPConnection;
  messages: number;
  /** Carrying a message. */
  busy: boolean;
  /** Closed, or closing: no more messages. */
  gone: boolean;
}

export class PoolSender {
  private readonly queue: Job[] = [];
  private readonly idle: Link[] = [];
  /** Open and opening connections. */
  private readonly links = new Set<Link>();
  private readonly signer?: DkimSigner;
  private closed = false;

  constructor(private readonly s: PoolSettings) {
    // signed here, on the SMTP thread, by our signer: nodemailer's cannot over-sign (src/message/dkim.ts)
    if (s.dkim) this.signer = new DkimSigner(s.dkim);
  }

  /** Greeting, STARTTLS and login on a connection of its own, then QUIT; the error's fields when that fails. */
  async verify(): Promise<SmtpErrorFields | undefined> {
    if (this.closed) return { message: "the SMTP connections were closed" };
    try {
      this.quit(await this.connect());
      // messages that came while it was set up may have waited for its place
      this.pump();
      return undefined;
    } catch (error) {
      return errorFields(error);
    }
  }

  send(mail: Mail): Promise<PoolReply> {
    if (this.closed) return Promise.resolve({ ok: false, error: { message: "the SMTP connections were closed" } });
    return new Promise((done) => {
      this.queue.push({ mail, done });
      this.pump();
    });
  }

  /** Each connection says QUIT once its message (if any) is answered; messages still queued fail. */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.done({ ok: false, error: { message: "the SMTP connections were closed" } });
    // waiting ones say QUIT; one still being set up (a server that never greets) is cut off; one carrying a
    // message says QUIT once it is answered (release)
    for (const link of [...this.idle]) this.quit(link);
    for (const link of [...this.links]) if (!link.busy) this.drop(link);
  }

  /** Hands queued messages to idle connections, opening new ones up to the limit. */
  private pump(): void {
    while (this.queue.length) {
      const link = this.idle.pop();
      if (link) {
        this.deliver(link, this.queue.shift() as Job);
        continue;
      }
      if (this.links.size >= this.s.maxConnections) return;
      // the message waits for its own new connection, and fails with it when it cannot be opened
      const job = this.queue.shift() as Job;
      this.connect().then(
        (opened) => this.deliver(opened, job),
        (error) => {
          job.done({ ok: false, error: errorFields(error) });
          this.pump();
        },
      );
    }
  }

  private connect(): Promise<Link> {
    const s = this.s;
    const conn = new SMTPConnection({
      host: s.host,
      port: s.port,
      secure: s.secure,
      name: s.name,
      connectionTimeout: s.connectionTimeout,
      greetingTimeout: s.greetingTimeout,
      socketTimeout: s.socketTimeout,
      tls: s.allowInvalidCertificates ? { rejectUnauthorized: false } : s.ca ? { ca: [...rootCertificates, s.ca] } : undefined,
    });
    const link: Link = { conn, messages: 0, busy: false, gone: false };
    this.links.add(link);
    return new Promise<Link>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        // settled first: closing the connection emits its "end", which must not answer in this error's place
        const first = !settled;
        settled = true;
        if (first) reject(error);
        this.drop(link);
      };
      // after set-up an error ends the connection (the message it carried gets the error from send's callback)
      conn.on("error", fail);
      conn.once("end", () => fail(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION", command: "CONN" })));
      conn.connect((error?: Error) => {
        if (settled) return;
        if (error) return fail(error);
        // as nodemailer's pool: log in when there are credentials and the server offers AUTH; without AUTH
        // the server's refusal of MAIL FROM says what is missing
        if (!s.auth || !(s.auth.user || s.auth.pass) || !conn.allowsAuth) {
          settled = true;
          return resolve(link);
        }
        conn.login({ user: s.auth.user, pass: s.auth.pass }, (loginError?: Error | null) => {
          if (settled) return;
          if (loginError) return fail(loginError);
          settled = true;
          resolve(link);
        });
      });
    });
  }

  private deliver(link: Link, job: Job): void {
    link.busy = true;
    void this.bytes(job.mail).then(
      ({ envelope, message }) => {
        if (link.gone) {
          // the server closed it while the message was made ready, before any of it was sent: the next connection takes it
          this.queue.unshift(job);
          this.pump();
          return;
        }
        link.conn.send(envelope, message, (error, info) => {
          link.messages++;
          if (!error) {
            job.done({
              ok: true,
              rejected: (info.rejected ?? []).length,
              response: info.response === undefined ? undefined : String(info.response),
            });
            this.release(link);
            return;
          }
          job.done({ ok: false, error: errorFields(error) });
          const e = error as { code?: string; responseCode?: number };
          // the server refused this message and the session is fine: reset it and go on; anything else ends it
          if ((e.code === "EENVELOPE" || e.code === "EMESSAGE") && e.responseCode !== 421 && !link.gone)
            link.conn.reset((resetError) => (resetError ? this.drop(link) : this.release(link)));
          else this.drop(link);
        });
      },
      (error) => {
        job.done({ ok: false, error: errorFields(error) });
        this.release(link);
      },
    );
  }

  /** The message's envelope and bytes: the spliced MIME as it is, or nodemailer's build of the mail options; signed when DKIM is on. */
  private async bytes(mail: Mail): Promise<{ envelope: Envelope; message: Buffer }> {
    let envelope = mail.envelope;
    let message: Buffer;
    if (mail.raw !== undefined) {
      const raw = mail.raw;
      message =
        typeof raw === "string" ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    } else {
      const node = new MailComposer(mail as MailComposerOptions).compile();
      envelope ??= node.getEnvelope() as Envelope;
      message = await node.build();
    }
    if (!envelope) throw new Error("a raw message needs its envelope");
    // addresses as nodemailer puts them in MAIL FROM and RCPT TO (an IDN domain in punycode, a local part
    // quoted when it must be); the plain ones, nearly every reader, need nothing
    if (!isSimpleAddress(envelope.from) || !envelope.to.every(isSimpleAddress))
      envelope = new MimeNode().setEnvelope(envelope).getEnvelope() as Envelope;
    // the message ends with a line break (as nodemailer's pool ensures) before it is signed
    if (message[message.length - 1] !== 0x0a) message = Buffer.concat([message, Buffer.from("\r\n")]);
    return { envelope, message: this.signer ? this.signer.sign(message) : message };
  }

  /** A connection done with its message: back to waiting, or QUIT when the pool closed or the session is long enough. */
  private release(link: Link): void {
    link.busy = false;
    if (!link.gone) {
      if (this.closed || link.messages >= MAX_MESSAGES) this.quit(link);
      else this.idle.push(link);
    }
    this.pump();
  }

  private quit(link: Link): void {
    this.forget(link);
    link.conn.quit();
  }

  private drop(link: Link): void {
    if (link.gone) return;
    this.forget(link);
    link.conn.close();
    this.pump();
  }

  private forget(link: Link): void {
    link.gone = true;
    this.links.delete(link);
    const i = this.idle.indexOf(link);
    if (i >= 0) this.idle.splice(i, 1);
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
