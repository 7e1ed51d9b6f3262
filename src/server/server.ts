import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { NewsletterConfig } from "../config/schema.js";
import { newsletterId } from "../identity/newsletter.js";
import type { Store } from "../state/store.js";
import { TrackRecorder } from "../tracking/record.js";
import { hiddenFromPublic } from "./hidden.js";
import { createHttpServer } from "./http.js";
import { pages } from "./pages.js";
import { pollRoutes } from "./polls.js";
import { preferencesRoutes } from "./preferences.js";
import { SITE_HEADERS, staticSite } from "./static.js";
import { type SubscribeServerOptions, subscribeRoutes } from "./subscribe.js";
import { trackRoutes } from "./track.js";
import { BODY_LIMIT, SuppressionWriter, unsubscribeRoutes } from "./unsubscribe.js";

export { close, listen } from "./http.js";
export { isOneClickBody, unsubscribePaths } from "./unsubscribe.js";

/**
 * `rassylka serve`: the built site (`dist/`) and the public endpoints of the newsletter, on the one HTTP
 * layer (src/server/http.ts). Each feature is a fastify plugin in its own file, listed in FEATURES in the order
 * they are registered; the site's files come last (a wildcard route, so any feature's own paths win).
 */
export interface PublishServerOptions {
  /** The folder to serve, usually `<root>/dist`. */
  dir: string;
  config: NewsletterConfig;
  /** `RASSYLKA_SECRET`; without it (or without `state`) the unsubscribe endpoint answers 503. */
  secret?: string;
  /**
   * The state store (src/state/store.ts: a SQLite file or PostgreSQL) whose suppressions record
   * unsubscribes and whose clicks record tracked links' clicks and opens, and whose polls record votes.
   */
  state?: Pick<Store, "suppressions"> & Partial<Pick<Store, "clicks" | "polls" | "subscribers">>;
  /** Called after an unsubscribe was recorded (`added` false when the address was already suppressed). */
  onUnsubscribe?: (email: string, added: boolean) => void;
  /** Called with unexpected errors (answered 500 without details). */
  onError?: (error: unknown) => void;
  /** The subscribe form's back end (src/server/subscribe.ts); with `subscribe:` in the config. */
  subscribe?: SubscribeServerOptions;
  /** Idle keep-alive connections are closed after this many milliseconds (src/http/server.ts KEEP_ALIVE_MS unless set). */
  keepAliveMs?: number;
  /** A request's headers must have arrived after this many milliseconds (src/server/http.ts HEADERS_TIMEOUT_MS unless set). */
  headersTimeoutMs?: number;
  /** The whole request must have arrived after this many milliseconds (src/server/http.ts REQUEST_TIMEOUT_MS unless set). */
  requestTimeoutMs?: number;
}

/** What every feature is given: the options, and what is made of them once per server. */
export interface PublishContext {
  options: PublishServerOptions;
  /** The newsletter's id, inside every unsubscribe token's MAC. */
  listId: string;
  /** Group-committing writer of the suppressions; undefined without `state`. */
  writer?: SuppressionWriter;
  /** Records clicks and opens (src/tracking/record.ts); undefined without `state` or the secret. */
  recorder?: TrackRecorder;
}

export type PublishFeature = (app: FastifyInstance, context: PublishContext) => Promise<void>;

/** The built site: dist/ without what is not meant for readers (src/server/hidden.ts: drafts, manifest, screenshots). */
async function site(app: FastifyInstance, { options }: PublishContext): Promise<void> {
  await staticSite(app, { root: resolve(options.dir), hidden: hiddenFromPublic(resolve(options.dir)) });
}

/**
 * What `serve` answers, one plugin per feature. Adding a route (say `POST /subscribe`) is a plugin in
 * its own file (src/server/subscribe.ts, shaped like `unsubscribeRoutes`) and one entry here.
 */
const FEATURES: PublishFeature[] = [unsubscribeRoutes, preferencesRoutes, subscribeRoutes, trackRoutes, pollRoutes, site];

export function createPublishServer(options: PublishServerOptions): FastifyInstance {
  const app = createHttpServer({
    bodyLimit: BODY_LIMIT,
    errorPage: (status) => pages.error(options.config, status),
    errorHeaders: { "x-robots-tag": "noindex", ...SITE_HEADERS },
    onError: options.onError,
    keepAliveMs: options.keepAliveMs,
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const listId = newsletterId(options.config);
  const { state, secret, config } = options;
  const context: PublishContext = {
    options,
    listId,
    writer: state ? new SuppressionWriter(state.suppressions, options.subscribe?.store) : undefined,
    recorder:
      state?.clicks && secret
        ? new TrackRecorder(state.clicks, { listId, secret, home: config.url ?? "/", anonymous: config.tracking?.anonymous })
        : undefined,
  };
  for (const feature of FEATURES) app.register(async (scope) => feature(scope, context));
  return app;
}
