import { Worker } from "node:worker_threads";
import { RassylkaError } from "../../diagnostics.js";
import { t } from "../../i18n/index.js";
import { noteText, storeNote } from "../../i18n/notes.js";
import { type DkimOptions, mailOptionsFor } from "../../message/message.js";
import { maskUrl } from "../../util/redact.js";
import type { DeliveryResult, OutgoingMessage, Transport } from "../transport.js";
import { type PoolReply, PoolSender, type PoolSettings, type SmtpErrorFields } from "./smtp-pool.js";

/**
 * SMTP over a pool of nodemailer connections (smtp-pool.ts). The rate limit is global and lives in the engine.
 * STARTTLS is used whenever the server offers it.
 */
export const SMTP_URL_ENV = "SMTP_URL";

export interface SmtpOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  /** Pool size: connections kept open. */
  maxConnections?: number;
  dkim?: DkimOptions;
  /** The name said in EHLO (nodemailer's default is the host's name, or an IP literal without one). */
  name?: string;
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
  /** Run the pool on a thread of its own (default true); false: on the caller's thread. */
  thread?: boolean;
  /** Milliseconds close() waits for the connections to say goodbye (QUIT) before it ends the thread; default 5000. */
  closeWaitMs?: number;
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
        message: t("send:smtpUrl.notUrl"),
        field: "--smtp-url / SMTP_URL",
        fix: t("send:smtpUrl.notUrl.fix"),
      },
      { cause },
    );
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new RassylkaError({
      ruleId: "send/smtp-url",
      severity: "error",
      message: t("send:smtpUrl.scheme", { scheme: url.protocol }),
      field: "--smtp-url / SMTP_URL",
      fix: t("send:smtpUrl.scheme.fix"),
    });
  }
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  const masked = maskUrl(url.href, { defaultPort: String(port) });
  return { host, port, secure, auth, description: `${url.protocol}//${url.hostname}:${port}`, masked };
}

// Node's and OpenSSL's codes for a certificate or handshake problem (tls.connect, STARTTLS upgrade)
const TLS_PROBLEM = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME|\bEPROTO\b/;

/**
 * The sender's problem as data (src/i18n/notes.ts): `response` holds the note's code, the server (`where`)
 * and its raw reply, written out in the reader's language when shown; `fix` is the note's fix.
 */
function senderProblem(code: string, status: number | undefined, response: string, where: string | undefined): DeliveryResult {
  return {
    status: "sender",
    code: status,
    response: storeNote(code, where === undefined ? { response } : { where, response }),
    fix: storeNote(`${code}.fix`),
  };
}

/**
 * nodemailer error → ledger outcome. The sender's problems (login, TLS, a refused connection or greeting,
 * MAIL FROM refused) stop the run; 4xx, dropped connections and timeouts: try again; 5xx: never.
 * `where` names the server (host:port); without it the note says "the SMTP server".
 */
export function classifySmtpError(error: unknown, where?: string): DeliveryResult {
  const e = error as { responseCode?: number; response?: string; code?: string; originalCode?: string; command?: string; message?: string };
  const response = (e.response ?? e.message ?? String(error)).trim();
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const sys = `${e.originalCode ?? ""} ${e.code ?? ""}`;
  const message = e.message ?? String(error);
  if (e.code === "EAUTH") return senderProblem("smtp/login-rejected", code, response, where);
  if (code === 530 || (code !== undefined && /^5\.7\.0\b/.test(response.replace(/^\d+\s+/, "")) && /auth/i.test(response)))
    return senderProblem("smtp/auth-required", code, response, where);
  if (e.code === "ETLS" || TLS_PROBLEM.test(sys) || /certificate|wrong version number|handshake/i.test(message))
    return senderProblem("smtp/tls-failed", code, message, where);
  if (e.command === "CONN" && code !== undefined && code >= 500) return senderProblem("smtp/greeting-refused", code, response, where);
  if (/ECONNREFUSED|ENOTFOUND|EAI_FAIL|EHOSTUNREACH|ENETUNREACH/.test(sys) || /ECONNREFUSED|ENOTFOUND/.test(message))
    return senderProblem("smtp/cannot-connect", code, message, where);
  if (e.command === "MAIL FROM" && code !== undefined && code >= 500) return senderProblem("smtp/sender-refused", code, response, where);
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
 * SMTP over a pool of nodemailer connections (smtp-pool.ts), by default on a thread of its own (smtp-thread.ts): the
 * send loop's thread renders, splices and keeps the ledger while nodemailer's streams and sockets run on
 * the other core. `thread: false` keeps the pool on the caller's thread; both run the same
 * code and give the same results.
 */
export class SmtpTransport implements Transport {
  readonly name = "smtp";
  readonly description: string;
  private readonly host: string;
  private readonly settings: PoolSettings;
  private readonly useThread: boolean;
  private local?: PoolSender;
  private closed = false;
  private handedOver = 0;
  private readonly closeWaitMs: number;
  /** open()'s check, when warmUp() started it. */
  private check?: Promise<SmtpErrorFields | undefined>;
  private thread?: PoolThread;
  constructor(options: SmtpOptions) {
    const parsed = parseSmtpUrl(options.url);
    this.description = parsed.description;
    this.host = `${parsed.host}:${parsed.port}`;
    this.useThread = options.thread ?? true;
    this.closeWaitMs = options.closeWaitMs ?? 5000;
    this.settings = {
      host: parsed.host,
      port: parsed.port,
      secure: parsed.secure,
      auth: parsed.auth,
      maxConnections: options.maxConnections ?? 5,
      dkim: options.dkim,
      name: options.name,
      connectionTimeout: options.connectionTimeout ?? 30_000,
      greetingTimeout: options.greetingTimeout ?? 30_000,
      socketTimeout: options.socketTimeout ?? 120_000,
      ca: options.ca,
      allowInvalidCertificates: options.allowInvalidCertificates,
    };
  }
  /** One connection before the first message: greeting, STARTTLS and login, so a sender's mistake costs no reader. */
  async open(): Promise<void> {
    const error = await (this.check ?? this.verify());
    this.check = undefined;
    if (!error) return;
    const result = classifySmtpError(error, this.host);
    // a temporary problem (a timeout, 421) is left to the loop: it retries and pauses
    if (result.status === "sender") throw senderError(result);
  }
  warmUp(): void {
    this.check ??= this.verify();
  }
  private async verify(): Promise<SmtpErrorFields | undefined> {
    try {
      return this.useThread ? await this.threaded().call<SmtpErrorFields | undefined>({ op: "verify" }) : await this.inProcess().verify();
    } catch (error) {
      // a thread that died (or a closed transport) answers with its error, as the check's outcome
      return { message: (error as Error).message };
    }
  }
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    let reply: PoolReply;
    try {
      // the raw message spliced from the prepared MIME (toMailOptions when there is none)
      const mail = mailOptionsFor(message) as Record<string, unknown>;
      this.handedOver++;
      reply = this.useThread ? await this.threaded().call<PoolReply>({ op: "send", mail }) : await this.inProcess().send(mail);
    } catch (error) {
      return { status: "transient", response: (error as Error).message || String(error) };
    }
    if (!reply.ok) return classifySmtpError(reply.error, this.host);
    if (reply.rejected) {
      const response = reply.response ?? "recipient rejected";
      return { status: "permanent", code: Number.parseInt(response, 10) || undefined, response };
    }
    return { status: "sent", code: Number.parseInt(reply.response ?? "", 10) || undefined, response: reply.response };
  }
  async close(): Promise<void> {
    this.closed = true;
    this.local?.close();
    // nothing was handed over (nobody to send, or declined): only the check's connection, which need not say goodbye
    await this.thread?.close(this.handedOver ? this.closeWaitMs : 0);
  }
  private inProcess(): PoolSender {
    if (this.closed && !this.local) throw new Error("the SMTP transport was closed");
    this.local ??= new PoolSender(this.settings);
    return this.local;
  }
  private threaded(): PoolThread {
    if (this.closed && !this.thread) throw new Error("the SMTP transport was closed");
    this.thread ??= new PoolThread(this.settings);
    return this.thread;
  }
}

const isTs = import.meta.url.endsWith(".ts");
const threadUrl = new URL(isTs ? "./smtp-thread.ts" : "./smtp-thread.js", import.meta.url);

/**
 * The SMTP thread seen from the send loop: each call a message answered by id. The thread keeps the
 * process alive only while a call waits for it; if it dies, every waiting call and every later one fails
 * (the loop counts those as temporary failures and pauses).
 */
class PoolThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private outgoing: ({ id: number } & Record<string, unknown>)[] = [];
  private transfer: ArrayBuffer[] = [];
  private dead?: Error;
  private readonly exited: Promise<void>;
  constructor(settings: PoolSettings) {
    // under tsx or vitest (benchmarks, tests) the thread is TypeScript: register tsx in it first
    this.worker = isTs
      ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(threadUrl.href)}); });`, {
          eval: true,
          workerData: settings,
        })
      : new Worker(threadUrl, { workerData: settings });
    this.worker.unref();
    this.worker.on("message", (batch: { id: number; reply: never }[]) => {
      for (const { id, reply } of batch) {
        const w = this.waiting.get(id);
        this.waiting.delete(id);
        w?.resolve(reply);
      }
      if (this.waiting.size === 0) this.worker.unref();
    });
    const fail = (error: Error) => {
      this.dead ??= new Error(`the SMTP thread stopped: ${error.message}`);
      for (const w of this.waiting.values()) w.reject(this.dead);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        fail(new Error(`exit code ${code}`));
        resolve();
      }),
    );
  }
  call<T>(request: { op: "verify" } | { op: "send"; mail: Record<string, unknown> }): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: never) => void, reject });
      if (this.waiting.size === 1) this.worker.ref();
      // a spliced message owns its memory (Buffer.concat of a whole message): moved, not copied
      const raw = "mail" in request ? request.mail.raw : undefined;
      if (Buffer.isBuffer(raw) && raw.byteOffset === 0 && raw.buffer.byteLength === raw.byteLength)
        this.transfer.push(raw.buffer as ArrayBuffer);
      // the requests of one turn (a claim starts several readers at once) go to the thread as one message
      if (!this.outgoing.length) queueMicrotask(() => this.flush());
      this.outgoing.push({ id, ...request });
    });
  }
  private flush(): void {
    const batch = this.outgoing;
    const transfer = this.transfer;
    this.outgoing = [];
    this.transfer = [];
    if (!batch.length) return;
    try {
      this.worker.postMessage(batch, transfer);
    } catch (error) {
      // a mail option that cannot be copied to a thread: those readers fail (temporarily), not the process
      for (const { id } of batch) {
        this.waiting.get(id)?.reject(error as Error);
        this.waiting.delete(id);
      }
      if (this.waiting.size === 0) this.worker.unref();
    }
  }
  /** `waitMs`: how long the connections may take to say goodbye before the thread is ended. */
  async close(waitMs: number): Promise<void> {
    this.flush();
    if (!this.dead) this.worker.postMessage([{ id: -1, op: "close" }]);
    this.worker.ref();
    // the pool says QUIT on each connection and the thread ends when they have closed; a server that never
    // answers does not hold the process
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => {
      timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), waitMs);
    });
    await Promise.race([this.exited, stuck]);
    clearTimeout(timer);
  }
}

/** A sender problem found before anything was sent: a RassylkaError, so the CLI prints it and exits 1. */
export function senderError(result: Extract<DeliveryResult, { status: "sender" }>): RassylkaError {
  return new RassylkaError({
    ruleId: "send/sender",
    severity: "error",
    message: t("notes:send/nothing-sent", { reason: noteText(result.response) }),
    fix: noteText(result.fix),
  });
}
