import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { test as base } from "vitest";
import { addressList, csvFile } from "../../src/send/audience.js";
import type { SendSummary } from "../../src/send/engine.js";
import { type SendOptions, sendIssue } from "../../src/send/send-issue.js";
import { SmtpTransport, type SmtpOptions as TransportOptions } from "../../src/send/transports/smtp.js";
import type { StateLocation } from "../../src/state/location.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const SECRET = "send-tests-secret-0123456789abcdef";
export const ISSUE = "issues/2026-12-01-hello.md";
export const DRAFT = "issues/2026-12-03-draft.md";

export const HELLO = `---
title: Привет
date: 2026-12-01
subject: Тема письма
preheader: Коротко.
---
{{#if subscriber.name}}Здравствуйте, {{subscriber.name}}!{{else}}Здравствуйте!{{/if}} Город: {{subscriber.city}}.

Текст выпуска.
`;

export const CONFIG = `name: Как увеличить объёмы продаж
language: ru
url: https://prodazhi.example.ru/rassylka
from:
  name: Тренинговый центр «Практика продаж»
  email: rassylka@prodazhi.example.ru
replyTo: avtor@prodazhi.example.ru
unsubscribe:
  url: https://prodazhi.example.ru/rassylka/unsubscribe
  mailto: unsubscribe@prodazhi.example.ru
`;

/** A newsletter in a temp dir: the repo's templates, our config and two small issues. */
export async function makeProject(config = CONFIG): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "rassylka-send-"));
  await cp(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  await writeFile(join(root, "newsletter.yaml"), config);
  await mkdir(join(root, "issues"));
  await writeFile(join(root, ISSUE), HELLO);
  await writeFile(
    join(root, DRAFT),
    HELLO.replace("preheader: Коротко.", "preheader: Коротко.\ndraft: true").replace("2026-12-01", "2026-12-03"),
  );
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function writeCsv(root: string, name: string, text: string | Buffer): Promise<string> {
  const path = join(root, name);
  await writeFile(path, text);
  return path;
}

export interface Received {
  to: string[];
  /** The envelope sender (MAIL FROM). */
  from: string;
  raw: Buffer;
  /** The name the client said in EHLO/HELO. */
  ehlo: string;
  /** When the message was accepted (performance.now() of this process). */
  at: number;
}

/** What the server does with one RCPT of one attempt: accept (undefined), reply with a code, or drop the connection mid-DATA. */
export type Behaviour = (rcpt: string, attempt: number) => undefined | { code: number; message: string } | "drop";

/** A greylisting server: each address is refused with 451 4.7.1 until `ms` after its first attempt. */
export function greylist(ms: number): Behaviour {
  const first = new Map<string, number>();
  return (rcpt) => {
    const t = first.get(rcpt);
    if (t === undefined) first.set(rcpt, Date.now());
    if (t === undefined || Date.now() - t < ms) return { code: 451, message: "4.7.1 Greylisted, please try again later" };
    return undefined;
  };
}

export interface SmtpOptions {
  behaviour?: Behaviour;
  port?: number;
  dataDelayMs?: number;
  /** Offer STARTTLS with this certificate (see selfSignedCert). */
  tls?: { key: string; cert: string };
  /** Require AUTH PLAIN/LOGIN with these credentials (530 before it, 535 for wrong ones). */
  auth?: { user: string; pass: string /** Logins accepted before the password "changes" (default: all). */; acceptLogins?: number };
  /** Answer every connection with this greeting instead of 220 (e.g. 554 "no SMTP service here"). */
  greeting?: { code: number; message: string };
  /** Reply to MAIL FROM. */
  mailFrom?: (address: string) => undefined | { code: number; message: string };
  /**
   * Before the n-th message (from 1) is accepted: a promise its reply waits for, or undefined. While it
   * waits, the message is in flight — a send is surely under way, whatever the machine's speed.
   */
  hold?: (n: number) => Promise<void> | undefined;
}

/** A promise and what settles it: a message held by `hold` waits for `opened` until `open()` is called. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * A gate for startSmtp's `hold`, shut until `open()`: a send's messages wait at the end of DATA, so a test
 * can act while a send is surely running (`waiting(n)`: n messages are held) instead of slowing every
 * message down and hoping; once open, everything goes through at once.
 */
export function smtpGate(): { hold: () => Promise<void>; open: () => void; waiting: (n: number) => Promise<void> } {
  const { opened, open } = gate();
  let held = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    hold: () => {
      held++;
      for (const w of waiters.filter((x) => held >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return opened;
    },
    open,
    waiting: (n) => (held >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by openssl in `dir`: an EC P-256 key, made in
 * milliseconds where an RSA 2048 one took ~0.6 s (the tests are about trusting the certificate, not its key).
 */
export async function selfSignedCert(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = join(dir, "smtp-key.pem");
  const certFile = join(dir, "smtp-cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return { key: await readFile(keyFile, "utf8"), cert: await readFile(certFile, "utf8"), certFile };
}

export interface Sink {
  port: number;
  url: string;
  received: Received[];
  /** RCPT TO per address, every attempt. */
  attempts: Map<string, number>;
  /** Headers of messages whose connection was dropped during DATA. */
  dropped: string[];
  /** The client's MAIL FROM and RCPT TO lines as they came on the wire (smtp-server decodes the addresses it hands on). */
  envelopeLines: string[];
  close(): Promise<void>;
  waitForReceived(n: number): Promise<void>;
}

/** A real SMTP server (smtp-server) on 127.0.0.1: by default no TLS, no auth; see SmtpOptions. */
export async function startSmtp(options: SmtpOptions = {}): Promise<Sink> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const dropped: string[] = [];
  const envelopeLines: string[] = [];
  const toDrop = new Set<string>();
  const waiters: { n: number; resolve: () => void }[] = [];
  let logins = 0;
  let messages = 0;
  const reply = (d: { code: number; message: string }) => Object.assign(new Error(d.message), { responseCode: d.code });
  const server: SMTPServer = new SMTPServer({
    authOptional: !options.auth,
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: !options.tls,
    hideSTARTTLS: !options.tls,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onAuth(auth, _session, cb) {
      logins++;
      const open = options.auth?.acceptLogins === undefined || logins <= options.auth.acceptLogins;
      if (options.auth && open && auth.username === options.auth.user && auth.password === options.auth.pass)
        return cb(null, { user: auth.username });
      cb(reply({ code: 535, message: "5.7.8 Error: authentication failed" }));
    },
    onConnect(_session, cb) {
      if (options.greeting) return cb(reply(options.greeting));
      cb();
    },
    onMailFrom(address, _session, cb) {
      const d = options.mailFrom?.(address.address);
      if (d) return cb(reply(d));
      cb();
    },
    disableReverseLookup: true,
    logger: commandLogger(envelopeLines),
    size: 10 * 1024 * 1024,
    onRcptTo(address, session, cb) {
      const a = address.address.toLowerCase();
      const n = (attempts.get(a) ?? 0) + 1;
      attempts.set(a, n);
      const d = options.behaviour?.(a, n);
      if (d === "drop") toDrop.add(session.id);
      else if (d) {
        const err = new Error(d.message) as Error & { responseCode: number };
        err.responseCode = d.code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      if (toDrop.has(session.id)) {
        toDrop.delete(session.id);
        stream.once("data", (c: Buffer) => {
          dropped.push(c.toString("utf8").split(/\r?\n\r?\n/)[0]);
          const conns = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
          for (const conn of conns) if (conn.id === session.id) conn._socket.destroy();
        });
        stream.resume();
        return;
      }
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const finish = () => {
          const mailFrom = session.envelope.mailFrom;
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: mailFrom ? mailFrom.address : "",
            raw: Buffer.concat(chunks),
            ehlo: session.hostNameAppearsAs,
            at: performance.now(),
          });
          for (const w of waiters.filter((x) => received.length >= x.n)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
          cb();
        };
        const accept = () => (options.dataDelayMs ? setTimeout(finish, options.dataDelayMs) : finish());
        const held = options.hold?.(++messages);
        if (held) held.then(accept);
        else accept();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((r) => server.listen(options.port ?? 0, "127.0.0.1", () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    dropped,
    envelopeLines,
    close: () => new Promise<void>((r) => server.close(() => r())),
    waitForReceived: (n) => (received.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/** smtp-server's logger (bunyan's shape), keeping only the client's MAIL FROM and RCPT TO lines in `lines`. */
function commandLogger(lines: string[]) {
  const ignore = () => {};
  const debug = (entry: { tnx?: string; command?: string }, _format: string, line: string) => {
    if (entry?.tnx === "command" && (entry.command === "MAIL" || entry.command === "RCPT")) lines.push(line);
  };
  return { trace: ignore, debug, info: ignore, warn: ignore, error: ignore, fatal: ignore, child: () => commandLogger(lines) };
}

/** A port nobody listens on: listen, note it, close. */
export async function deadPort(): Promise<number> {
  const s = await startSmtp();
  await s.close();
  return s.port;
}

/** The header block of a raw message, unfolded, as [name, value] lines in order. */
export function rawHeaders(raw: Buffer | string): [string, string][] {
  const text = raw.toString();
  const head = text.split(/\r?\n\r?\n/)[0];
  return head
    .replace(/\r?\n[ \t]+/g, " ")
    .split(/\r?\n/)
    .map((l) => {
      const i = l.indexOf(":");
      return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
    });
}

export function header(raw: Buffer | string, name: string): string[] {
  return rawHeaders(raw)
    .filter(([k]) => k.toLowerCase() === name.toLowerCase())
    .map(([, v]) => v);
}

export async function parse(raw: Buffer) {
  return simpleParser(raw);
}

export interface CliDone {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The render cache (.rassylka/cache, src/compile/cache.ts) of the hello issue under CONFIG, made once by
 * the built CLI in English (a dry run): `seed(root)` copies it into a project, whose first send then skips
 * the ~1 s MJML compile. For files whose tests only read the issue; one that changes the issue, the
 * templates or newsletter.yaml simply misses it and compiles.
 */
export async function renderCache(): Promise<{ seed: (root: string) => Promise<void>; remove: () => Promise<void> }> {
  const { root, cleanup } = await makeProject();
  const r = await startCli(root, ["send", ISSUE, "--to", "warm@example.ru", "--dry-run", "--yes"], { RASSYLKA_LANG: "en" }).done;
  if (r.code !== 0) throw new Error(`the dry run that fills the render cache failed: ${r.stderr}`);
  return {
    seed: (to) => cp(join(root, ".rassylka", "cache"), join(to, ".rassylka", "cache"), { recursive: true }),
    remove: cleanup,
  };
}

/** Variables for a spawned CLI: `undefined` removes one the default set has. */
export type CliEnv = Record<string, string | undefined>;

/**
 * The built CLI (`node bin/rassylka.js ARGS`) in `cwd`, with only PATH, the secret and `env` in its
 * environment (`{ RASSYLKA_SECRET: undefined }`: without the secret).
 */
export function startCli(cwd: string, args: string[], env: CliEnv = {}): { child: ChildProcess; done: Promise<CliDone> } {
  const vars = Object.entries({ PATH: process.env.PATH, RASSYLKA_SECRET: SECRET, ...env }).filter(([, v]) => v !== undefined);
  const child = spawn(process.execPath, [join(REPO, "bin", "rassylka.js"), ...args], {
    cwd,
    env: Object.fromEntries(vars),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => {
    stdout += c;
  });
  child.stderr!.on("data", (c) => {
    stderr += c;
  });
  return { child, done: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

/** `rassylka send ISSUE` to list.csv through the SMTP server at `url`, confirmed; `extra` flags after. */
export const smtpSendOf = (issue: string, url: string, ...extra: string[]) => [
  "send",
  issue,
  "--to",
  "list.csv",
  "--transport",
  "smtp",
  "--smtp-url",
  url,
  "--yes",
  ...extra,
];
/** The same of the hello issue. */
export const smtpSend = (url: string, ...extra: string[]) => smtpSendOf(ISSUE, url, ...extra);

/** `n` readers: reader0@example.ru, reader1@example.ru, … */
export const readers = (n: number) => Array.from({ length: n }, (_, i) => `reader${i}@example.ru`);
/** A list file of `addresses`, each with a name (Читатель 0, …). */
export const readersCsv = (addresses: readonly string[]) => `email,name\n${addresses.map((a, i) => `${a},Читатель ${i}`).join("\n")}\n`;
/** `--state` naming a location: the file or the URL. */
export const stateFlag = (location: StateLocation) => ["--state", location.kind === "sqlite" ? location.file : location.url];

/** Who got how many copies. */
export function copies(sink: Sink): Map<string, number> {
  const n = new Map<string, number>();
  for (const r of sink.received) for (const to of r.to) n.set(to, (n.get(to) ?? 0) + 1);
  return n;
}

/** What a send test works on: a newsletter of its own and the SMTP servers it started. */
export interface SendProject {
  /** The newsletter's folder (see makeProject). */
  root: string;
  /** Its SQLite state file for `send` in this process (not created yet; the CLI's is .rassylka/state.sqlite). */
  state: string;
  /** The SMTP server `smtp()` started last. */
  sink?: Sink;
  /** Starts a real SMTP server (see startSmtp) that is closed after the test. */
  smtp(options?: SmtpOptions): Promise<Sink>;
  /** Writes a file of the newsletter (a list, newsletter.yaml, a template); its path. */
  write(name: string, text: string | Buffer): Promise<string>;
  /**
   * `sendIssue` in this process: the hello issue to `list` (addresses, or a .csv file's path) through the
   * last SMTP server (two connections, `transport` overriding), ledger in `state`, retries after 5 ms.
   */
  send(list: string, extra?: Partial<SendOptions>, transport?: Partial<TransportOptions>): Promise<SendSummary>;
  /** The built CLI in the newsletter, in English, with the secret (see startCli). */
  start(args: string[], env?: CliEnv): { child: ChildProcess; done: Promise<CliDone> };
  /** The same, awaited. */
  cli(args: string[], env?: CliEnv): Promise<CliDone>;
}

/**
 * `test` with the send tests' set-up as a vitest fixture: `async ({ project }) => …` gets a fresh
 * newsletter (makeProject; another newsletter.yaml through `project.write`) and starts SMTP servers through
 * `project.smtp()`; after the test every server is closed and the folder removed, whatever the test did.
 */
export const sendTest = base.extend<{ project: SendProject }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  project: async ({}, use) => {
    const { root, cleanup } = await makeProject();
    const sinks: Sink[] = [];
    const start = (args: string[], env: CliEnv = {}) => startCli(root, args, { RASSYLKA_LANG: "en", ...env });
    const project: SendProject = {
      root,
      state: join(root, "state.sqlite"),
      async smtp(options) {
        const sink = await startSmtp(options);
        sinks.push(sink);
        project.sink = sink;
        return sink;
      },
      write: (name, text) => writeCsv(root, name, text),
      send: (list, extra = {}, transport = {}) =>
        sendIssue({
          root,
          issue: ISSUE,
          stateFile: project.state,
          audience: list.endsWith(".csv") ? csvFile(list) : addressList(list),
          concurrency: 2,
          retryDelay: 5,
          env: { RASSYLKA_SECRET: SECRET },
          ...extra,
          // the pool on the test's own thread: the same PoolSender as on the SMTP thread, which under tsx takes
          // about 0.8 s to start for every send; the thread itself is tested in transports/smtp-pool.test.ts,
          // by the tests that make their own SmtpTransport, and by every send of the built CLI
          transport: extra.transport ?? new SmtpTransport({ url: project.sink?.url ?? "", maxConnections: 2, thread: false, ...transport }),
        }),
      start,
      cli: (args, env) => start(args, env).done,
    };
    try {
      await use(project);
    } finally {
      await Promise.all(sinks.map((sink) => sink.close()));
      await cleanup();
    }
  },
});

/**
 * sendTest whose project starts with the hello issue already compiled (renderCache, made once per test
 * file): for the files whose tests only read the issue, each first send skips the MJML compile.
 */
export const warmSendTest = sendTest.extend<{ warm: undefined; renderCache: Awaited<ReturnType<typeof renderCache>> }>({
  renderCache: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const cache = await renderCache();
      try {
        await use(cache);
      } finally {
        await cache.remove();
      }
    },
    { scope: "file" },
  ],
  warm: [
    async ({ project, renderCache }, use) => {
      await renderCache.seed(project.root);
      await use(undefined);
    },
    { auto: true },
  ],
});
