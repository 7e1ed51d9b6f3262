import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NewsletterConfig } from "../config/schema.js";
import { translator } from "../i18n/index.js";
import { langOf } from "../i18n/lang.js";
import { pageStrings } from "../i18n/pages.js";
import { safeUrl } from "../site/html.js";
import { languageTag, template } from "../site/templates.js";
import type { TrackRecorder } from "../tracking/record.js";
import { PAGE_HEADERS, SERVED_PAGE } from "./page-shell.js";
import type { PublishContext } from "./server.js";

/**
 * Tracked links and the open pixel (docs/report.md): `GET /c/<token>` records the click and answers 302
 * to the issue's own link; `GET /o/<token>.gif` records the open and answers a 1×1 GIF. What a request
 * means is the recorder's (src/tracking/record.ts); this file reads the request and answers. A forged,
 * truncated or foreign token gets a 400 page in the newsletter's language and records nothing.
 */

/** The smallest transparent GIF: 1×1, one colour. */
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const PAGE = template<{ lang: string; title: string; paragraphs: string[]; back?: { href: string; text: string } }>(
  `{{#> ${SERVED_PAGE}}}{{/${SERVED_PAGE}}}`,
);

type Config = Pick<NewsletterConfig, "name" | "language" | "url">;

function page(config: Config, key: "badLink" | "unavailable"): string {
  const { t } = translator(langOf(config.language) ?? "en");
  const href = config.url ? safeUrl(config.url) : undefined;
  return PAGE({
    lang: languageTag(config.language),
    title: key === "badLink" ? t("tracking:badLink.title", { name: config.name }) : config.name,
    paragraphs: [t(key === "badLink" ? "tracking:badLink.text" : "tracking:unavailable")],
    back: href ? { href, text: pageStrings(config.language).backToArchive } : undefined,
  });
}

/**
 * The paths tracked links arrive on: `/c/` and `/o/`, and the same under the path of the newsletter's
 * `url` (what `serve` sees without a reverse proxy that maps that path to `/`).
 */
export function trackingPrefixes(config: Pick<NewsletterConfig, "url">): string[] {
  const prefixes = new Set([""]);
  const path = config.url ? new URL(config.url).pathname.replace(/\/+$/, "") : "";
  if (path) prefixes.add(path);
  return [...prefixes];
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The reader's address: the socket's, or — when the request comes from a reverse proxy on this machine —
 * the last address it names in X-Forwarded-For (the one it saw; earlier ones the client may have made up).
 */
export function clientAddress(request: FastifyRequest): string | undefined {
  const remote = request.raw.socket.remoteAddress;
  const forwarded = request.headers["x-forwarded-for"];
  if (remote && LOOPBACK.test(remote) && typeof forwarded === "string" && forwarded.trim()) {
    const last = forwarded.split(",").pop()?.trim();
    if (last) return last;
  }
  return remote;
}

function hitOf(request: FastifyRequest) {
  const ua = request.headers["user-agent"];
  return { method: request.method, userAgent: typeof ua === "string" ? ua : undefined, address: clientAddress(request) };
}

function htmlAnswer(reply: FastifyReply, status: number, html: string, extra: Record<string, string> = {}) {
  return reply
    .code(status)
    .headers({ ...PAGE_HEADERS, ...extra })
    .type("text/html; charset=utf-8")
    .send(html);
}

/** The feature: without the secret or the state (`recorder` undefined) tracked links answer 503. */
export async function trackRoutes(app: FastifyInstance, { options, recorder }: PublishContext): Promise<void> {
  const { config } = options;
  const click = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const r = recorder;
    if (!r) return htmlAnswer(reply, 503, page(config, "unavailable"), { "retry-after": "300" });
    let answer: Awaited<ReturnType<TrackRecorder["click"]>>;
    try {
      answer = await r.click(request.params.token, hitOf(request));
    } catch (cause) {
      // the store is down: the link cannot be looked up, nothing recorded
      options.onError?.(cause);
      return htmlAnswer(reply, 503, page(config, "unavailable"), { "retry-after": "60" });
    }
    if (!answer.ok) return htmlAnswer(reply, 400, page(config, "badLink"));
    return reply
      .code(302)
      .headers({ location: answer.url, "cache-control": "no-store", "x-robots-tag": "noindex", "referrer-policy": "no-referrer" })
      .send();
  };
  const open = async (request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
    const file = request.params.file;
    const r = recorder;
    let recorded = false;
    if (r && file.endsWith(".gif")) {
      try {
        recorded = await r.open(file.slice(0, -4), hitOf(request));
      } catch (cause) {
        options.onError?.(cause);
        recorded = true; // the image all the same: a reader's mail app shows nothing broken
      }
    }
    return reply
      .code(recorded ? 200 : 400)
      .headers({ "cache-control": "no-store, private", "x-content-type-options": "nosniff", "x-robots-tag": "noindex" })
      .type("image/gif")
      .send(PIXEL);
  };
  for (const prefix of trackingPrefixes(config)) {
    app.route({ method: ["GET", "HEAD"], url: `${prefix}/c/:token`, handler: click });
    app.route({ method: ["GET", "HEAD"], url: `${prefix}/o/:file`, handler: open });
  }
}
