import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";
import type { NewsletterConfig } from "../config/schema.js";
import { newsletterId } from "../identity/newsletter.js";
import { verifyUnsubscribeToken } from "../identity/token.js";
import type { Store, SuppressionStore } from "../state/store.js";
import { escapeHtml, safeHref } from "./html.js";
import { languageTag, publishStrings } from "./i18n.js";

/**
 * `rassylka serve`: the built site (`dist/`) and the one-click unsubscribe endpoint.
 *
 * Unsubscribe follows RFC 8058: the mailbox provider POSTs `List-Unsubscribe=One-Click` to the URL from
 * the `List-Unsubscribe` header, without cookies, and expects a plain answer — so the POST is answered
 * 200 with no redirect and no cookie. Mail scanners fetch every link in a message, so GET only shows a
 * page whose button POSTs (RFC 8058 §4): GET never unsubscribes. The token is checked without a
 * database (src/publish/token.ts); only a valid token touches the state file, and recording is
 * idempotent (the address is the table's key), so a repeated or concurrent request is harmless.
 */
export interface PublishServerOptions {
  /** The folder to serve, usually `<root>/dist`. */
  dir: string;
  config: NewsletterConfig;
  /** `RASSYLKA_SECRET`; without it (or without `state`) the unsubscribe endpoint answers 503. */
  secret?: string;
  /** The state store (src/state/store.ts: a SQLite file or PostgreSQL) whose suppressions record unsubscribes. */
  state?: Pick<Store, "suppressions">;
  /** Called after an unsubscribe was recorded (`added` false when the address was already suppressed). */
  onUnsubscribe?: (email: string, added: boolean) => void;
  /** Called with unexpected errors (answered 500 without details). */
  onError?: (error: unknown) => void;
}

/** The paths the unsubscribe endpoint answers on: the path of config `unsubscribe.url`, and `/unsubscribe`. */
export function unsubscribePaths(config: Pick<NewsletterConfig, "unsubscribe">): string[] {
  const paths = new Set(["/unsubscribe"]);
  if (config.unsubscribe?.url) {
    const p = new URL(config.unsubscribe.url).pathname.replace(/\/+$/, "");
    if (p) paths.add(p);
  }
  return [...paths];
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/atom+xml; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".mjml": "text/plain; charset=utf-8",
  ".eml": "message/rfc822",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** Text pages (the archive, issues, the feed) are revalidated on every visit; assets may be cached a day. */
function cacheControl(file: string): string {
  return /\.(html?|xml|txt|json|mjml|eml)$/i.test(file) ? "no-cache" : "public, max-age=86400";
}

const BASE_HEADERS = { "X-Content-Type-Options": "nosniff" };

/** Headers of the unsubscribe pages: never cached, never indexed, the token never leaks in a Referer. */
const UNSUBSCRIBE_HEADERS = {
  ...BASE_HEADERS,
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Robots-Tag": "noindex",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request path → a file under `dir`, or an HttpError. The path is percent-decoded once; `..`, `.`,
 * NUL and backslashes are refused before anything touches the disk, and the resolved file (symlinks
 * followed) must still be inside `dir`.
 */
export async function resolveStaticFile(dir: string, rawPath: string): Promise<{ file: string; size: number; mtime: Date }> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, "bad percent-encoding in the path");
  }
  if (!decoded.startsWith("/") || /[\0\\]/.test(decoded)) throw new HttpError(400, "bad path");
  const segments = decoded.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === "..")) throw new HttpError(400, "bad path");
  // dot files, build leftovers and the build manifest (it lists drafts) are not part of the site
  if (segments.some((s) => s.startsWith(".") || s.endsWith(".tmp")) || (segments.length === 1 && segments[0] === "manifest.json")) {
    throw new HttpError(404, "not found");
  }
  const root = resolve(dir);
  const candidate = resolve(root, ...segments);
  if (candidate !== root && !candidate.startsWith(root + sep)) throw new HttpError(400, "bad path");
  const tries = [candidate];
  if (!extname(candidate)) tries.push(`${candidate}.html`);
  for (const t of tries) {
    let s = await stat(t).catch(() => undefined);
    let file = t;
    if (s?.isDirectory()) {
      file = join(t, "index.html");
      s = await stat(file).catch(() => undefined);
    }
    if (!s?.isFile()) continue;
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot + sep)) throw new HttpError(404, "not found");
    return { file, size: s.size, mtime: s.mtime };
  }
  throw new HttpError(404, "not found");
}

function etagOf(size: number, mtime: Date): string {
  return `W/"${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
}

/** RFC 9110 §13.1: If-None-Match wins over If-Modified-Since. */
function notModified(req: IncomingMessage, etag: string, mtime: Date): boolean {
  const inm = req.headers["if-none-match"];
  if (inm) return inm.split(",").some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === etag.replace(/^W\//, ""));
  const ims = req.headers["if-modified-since"];
  if (ims) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

async function serveStatic(dir: string, req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...BASE_HEADERS, Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
    res.end("method not allowed\n");
    return;
  }
  const { file, size, mtime } = await resolveStaticFile(dir, rawPath);
  const etag = etagOf(size, mtime);
  const headers = {
    ...BASE_HEADERS,
    "Content-Type": contentType(file),
    "Cache-Control": cacheControl(file),
    ETag: etag,
    "Last-Modified": mtime.toUTCString(),
  };
  if (notModified(req, etag, mtime)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "Content-Length": String(size) });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.on("error", fail);
    res.on("close", () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}

const BODY_LIMIT = 16 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on("data", (c: Buffer) => {
      length += c.length;
      if (length > BODY_LIMIT) {
        fail(new HttpError(413, "body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    req.on("error", fail);
  });
}

/**
 * RFC 8058 §3.1: the body is `List-Unsubscribe=One-Click`, sent as application/x-www-form-urlencoded
 * or multipart/form-data.
 */
export function isOneClickBody(body: string, type: string | undefined): boolean {
  if (/^multipart\/form-data/i.test(type ?? "")) {
    return /content-disposition:\s*form-data;\s*name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  return new URLSearchParams(body.trim()).getAll("List-Unsubscribe").includes("One-Click");
}

function page(config: NewsletterConfig, title: string, inner: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(languageTag(config.language))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;background:#f3f1ec;color:#22252a;font:17px/1.6 Arial,Helvetica,sans-serif}
main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:6px}
h1{font-size:1.3rem;line-height:1.3;color:#1c3b5a;margin:0 0 1rem}
p{overflow-wrap:anywhere}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1c3b5a;color:#fff;cursor:pointer}
a{color:#1f5fa8}
</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${inner}
</main></body>
</html>
`;
}

function mailtoHint(config: NewsletterConfig): string {
  const mailto = config.unsubscribe?.mailto;
  const href = mailto ? safeHref(`mailto:${mailto}`) : undefined;
  if (!mailto || !href) return "";
  const t = publishStrings(config.language);
  return `<p>${escapeHtml(t.writeTo)} <a href="${href}">${escapeHtml(mailto)}</a>.</p>`;
}

function answer(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}, head = false): void {
  res.writeHead(status, { ...UNSUBSCRIBE_HEADERS, ...extra, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

/**
 * Group commit. With synchronous=FULL every commit waits for the disk, so one transaction per request
 * caps the endpoint at the disk's flushes per second — and a send to many readers brings one-click
 * POSTs in bursts. Addresses that arrive while a commit is on disk are written together in the next
 * transaction (one flush for all of them); each request is answered only after the transaction that
 * holds its address has committed, so a 200 always means "recorded".
 */
export class SuppressionWriter {
  private queue: { email: string; done: (added: boolean) => void; fail: (error: unknown) => void }[] = [];
  private scheduled = false;
  constructor(private readonly suppressions: SuppressionStore) {}
  /** Resolves after the commit: true when the address was not suppressed before. */
  add(email: string): Promise<boolean> {
    return new Promise((done, fail) => {
      this.queue.push({ email, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        // after the current round of I/O callbacks: every request that arrived in it joins this batch
        setImmediate(() => this.flush());
      }
    });
  }
  has(email: string): Promise<boolean> {
    return this.suppressions.has(email);
  }
  /** One commit at a time: what arrives while it is on its way joins the next one. */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const added = await this.suppressions.addMany(batch.map((b) => ({ email: b.email, reason: "unsubscribed", source: "one-click" })));
      for (const [i, b] of batch.entries()) b.done(added[i]);
    } catch (error) {
      for (const b of batch) b.fail(error);
    }
    if (this.queue.length) setImmediate(() => this.flush());
    else this.scheduled = false;
  }
}

async function serveUnsubscribe(
  options: PublishServerOptions,
  writer: SuppressionWriter | undefined,
  listId: string,
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
) {
  const { config } = options;
  const t = publishStrings(config.language);
  const title = t.unsubscribeTitle(config.name);
  const head = req.method === "HEAD";
  if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "POST") {
    answer(res, 405, page(config, title, `<p>${escapeHtml(t.badLink)}</p>`), { Allow: "GET, HEAD, POST" });
    return;
  }
  const bad = () => answer(res, 400, page(config, title, `<p>${escapeHtml(t.badLink)}</p>${mailtoHint(config)}`), {}, head);
  if (!options.secret || !writer) {
    answer(res, 503, page(config, title, `<p>${escapeHtml(t.unavailable)}</p>${mailtoHint(config)}`), { "Retry-After": "3600" }, head);
    return;
  }
  const tokens = new URLSearchParams(query).getAll("token");
  const email = tokens.length === 1 ? verifyUnsubscribeToken(tokens[0], listId, options.secret) : undefined;
  if (req.method === "POST") {
    // read (and limit) the body even for a bad token, so a keep-alive connection stays usable
    const body = await readBody(req);
    if (!email || !isOneClickBody(body, req.headers["content-type"])) {
      bad();
      return;
    }
    let added: boolean;
    try {
      added = await writer.add(email);
    } catch (cause) {
      // e.g. SQLITE_BUSY past the busy timeout, or PostgreSQL unreachable: not recorded, so not 200 — the provider will retry
      options.onError?.(cause);
      answer(res, 503, page(config, title, `<p>${escapeHtml(t.unavailable)}</p>`), { "Retry-After": "60" });
      return;
    }
    options.onUnsubscribe?.(email, added);
    answer(res, 200, page(config, title, `<p>${escapeHtml(t.unsubscribed(email, config.name))}</p>`));
    return;
  }
  if (!email) {
    bad();
    return;
  }
  // GET: look, never touch. A scanner following the link changes nothing.
  if (await writer.has(email)) {
    answer(res, 200, page(config, title, `<p>${escapeHtml(t.unsubscribed(email, config.name))}</p>`), {}, head);
    return;
  }
  const action = `?token=${encodeURIComponent(tokens[0])}`;
  const form =
    `<p>${escapeHtml(t.unsubscribeQuestion(email, config.name))}</p>\n` +
    `<form method="post" action="${escapeHtml(action)}" enctype="application/x-www-form-urlencoded">` +
    `<input type="hidden" name="List-Unsubscribe" value="One-Click">` +
    `<button type="submit">${escapeHtml(t.unsubscribeButton)}</button></form>`;
  answer(res, 200, page(config, title, form), {}, head);
}

/** The request handler, usable with any node:http server. */
export function createPublishHandler(options: PublishServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const paths = new Set(unsubscribePaths(options.config));
  const listId = newsletterId(options.config);
  const dir = resolve(options.dir);
  const writer = options.state ? new SuppressionWriter(options.state.suppressions) : undefined;
  return (req, res) => {
    const run = async () => {
      let target = req.url ?? "/";
      // absolute-form request targets (RFC 9112 §3.2.2): only the path counts
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) target = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "") || "/";
      const q = target.indexOf("?");
      const rawPath = (q < 0 ? target : target.slice(0, q)).replace(/#.*$/, "");
      const query = q < 0 ? "" : target.slice(q + 1);
      const normalised = rawPath.replace(/\/+$/, "");
      if (paths.has(normalised)) await serveUnsubscribe(options, writer, listId, req, res, query);
      else await serveStatic(dir, req, res, rawPath);
    };
    run().catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError)) options.onError?.(error);
      const text = error instanceof HttpError ? error.message : "internal error";
      res.writeHead(status, {
        ...BASE_HEADERS,
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
        // a 404 keeps the connection; after a refused body or a crash, start afresh
        ...(status === 413 || status >= 500 ? { Connection: "close" } : {}),
      });
      res.end(`${text}\n`);
    });
  };
}

export function createPublishServer(options: PublishServerOptions): Server {
  return createServer(createPublishHandler(options));
}

/** Listen and resolve with the base URL (`http://127.0.0.1:PORT/`); port 0 picks a free one. */
export function listen(server: Server, port: number, host = "127.0.0.1"): Promise<string> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      const a = server.address() as AddressInfo;
      done(`http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}/`);
    });
  });
}

/** Stop accepting, end idle keep-alive connections, and wait for the rest. */
export function close(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeIdleConnections();
  });
}
