import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * The one HTTP layer of every server rassylka runs (`serve`, `preview`): fastify does the routing, the
 * body limits and the content types, @fastify/static the files (src/server/static.ts); our code says what
 * each route means. What every server shares is set here once:
 *
 * - an absolute-form request target (`GET http://host/path`, RFC 9112 §3.2.2) counts by its path only;
 * - a request the router cannot read (a malformed percent-escape such as `/issue/%E0%A4%A`) is a 400;
 * - a body over the limit is a 413 answered in full — never a reset connection (`readPastBody`) — and a thrown error
 *   with a 4xx status is answered with that status, anything else 500 (reported to `onError`, no details
 *   in the answer);
 * - no route: 404; a method the routes do not take: 405 with `Allow`. Routes that take other methods
 *   register them and answer 405 themselves (e.g. the unsubscribe endpoint's `Allow: GET, HEAD, POST`).
 *
 * Every one of those answers is a page from the server's own `errorPage` (its templates, its language).
 */
export interface HttpServerOptions {
  /** Request bodies over this many bytes are answered 413. */
  bodyLimit: number;
  /** The page (HTML) answering an error status: 400, 404, 405, 413, 500. */
  errorPage: (status: number, request: FastifyRequest) => string;
  /** Headers on every error page (e.g. `Cache-Control: no-store`). */
  errorHeaders?: Record<string, string>;
  /** Unexpected errors (answered 500). */
  onError?: (error: unknown) => void;
  /** How long an idle keep-alive connection stays open, in milliseconds (KEEP_ALIVE_MS unless set; never 0). */
  keepAliveMs?: number;
  /** How long a client may take to send a request's headers, in milliseconds (HEADERS_TIMEOUT_MS unless set). */
  headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, in milliseconds (REQUEST_TIMEOUT_MS unless set). */
  requestTimeoutMs?: number;
}

/**
 * What one client may hold without sending (slowloris): a request whose headers have not all arrived in
 * 10 s, or whose body has not in 30 s, is answered 408 and closed; an idle keep-alive connection after 60 s
 * (`serve --headers-timeout`, `--request-timeout` and `--keep-alive` change them).
 * Node checks these every CHECK_MS, so a socket is closed at most that much later. Without them 300
 * half-sent requests from one client held 300 file descriptors for ever, and with a 256 limit every
 * other reader's request failed.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const KEEP_ALIVE_MS = 60_000;
const CHECK_MS = 1_000;

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const positive = (ms: number | undefined, otherwise: number) => (ms && ms > 0 ? ms : otherwise);
  const keepAliveMs = positive(options.keepAliveMs, KEEP_ALIVE_MS);
  const requestTimeout = positive(options.requestTimeoutMs, REQUEST_TIMEOUT_MS);
  // Node refuses headers allowed longer than the whole request
  const headersTimeout = Math.min(positive(options.headersTimeoutMs, HEADERS_TIMEOUT_MS), requestTimeout);
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: CHECK_MS },
    requestTimeout,
    keepAliveTimeout: keepAliveMs,
    // close idle keep-alive connections on close(), wait for the busy ones
    forceCloseConnections: "idle",
    return503OnClosing: false,
    rewriteUrl: (req) => {
      const url = req.url ?? "/";
      return ABSOLUTE_FORM.test(url) ? url.replace(ABSOLUTE_FORM, "") || "/" : url;
    },
    frameworkErrors: (_error, request, reply) => {
      sendError(reply, request, 400);
    },
  });
  const sendError = (reply: FastifyReply, request: FastifyRequest, status: number, extra: Record<string, string> = {}) => {
    reply
      .code(status)
      .headers({ "x-content-type-options": "nosniff", "cache-control": "no-store", ...options.errorHeaders, ...extra })
      .type("text/html; charset=utf-8")
      .send(options.errorPage(status, request));
  };
  app.setErrorHandler(async (error: { statusCode?: number }, request, reply) => {
    const code = error.statusCode;
    const status = code && code >= 400 && code < 500 ? code : 500;
    if (status === 500) options.onError?.(error);
    if (status === 413) await readPastBody(request.raw);
    // after a crash, or a body not read to its end, start afresh
    sendError(reply, request, status, status === 500 || status === 413 ? { connection: "close" } : {});
    return reply;
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.method === "GET" || request.method === "HEAD") sendError(reply, request, 404);
    else sendError(reply, request, 405, { allow: "GET, HEAD" });
  });
  return app;
}

/** How much of a refused body is read and dropped before answering all the same. */
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * A body over the limit: closing a socket whose peer is still sending makes the kernel reset it, and
 * the client sees ECONNRESET/EPIPE instead of the 413. So the rest of the body is
 * read and dropped first (as nginx's lingering close does, RFC 9112 §9.6), and the 413 goes out after
 * it: the client reads the whole answer. A body that goes on past LINGER_BYTES is answered anyway.
 */
function readPastBody(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((done) => {
    let dropped = 0;
    const finish = () => {
      req.off("data", onData);
      done();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) {
        req.pause();
        finish();
      }
    };
    req.on("data", onData);
    req.once("end", finish);
    req.once("close", finish);
    req.once("error", finish);
    req.resume();
  });
}

/** Listen and resolve with the base URL (`http://127.0.0.1:PORT/`); port 0 picks a free one. */
export async function listen(app: FastifyInstance, port: number, host = "127.0.0.1"): Promise<string> {
  await app.listen({ port, host });
  const a = app.server.address();
  if (!a || typeof a === "string") throw new Error(`unexpected listening address ${String(a)}`);
  return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}/`;
}

/** Stop accepting, end idle keep-alive connections, and wait for the rest. */
export async function close(app: FastifyInstance): Promise<void> {
  await app.close();
}
