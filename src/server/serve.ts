import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { isRassylkaError, RassylkaError } from "../diagnostics.js";
import { resolveLang, t as tEditor, translator } from "../i18n/index.js";
import { requireSecret } from "../identity/token.js";
import { locationText, type StateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import { foldExpired } from "../tracking/retention.js";
import { maskAddress } from "../util/redact.js";
import { close, createPublishServer, listen, unsubscribePaths } from "./server.js";
import { type ServeLog, subscribeBackend } from "./subscribe-backend.js";

const DAY_MS = 86_400_000;

export interface ServeOptions {
  root: string;
  /** The folder to serve, relative to the root. */
  out: string;
  port: number;
  host: string;
  location: StateLocation;
  /** How often events older than keepDays are folded (docs/report.md): once a day unless said. */
  foldEveryMs?: number;
  /** `--keep-alive`: seconds an idle keep-alive connection is kept (default 60, never off). */
  keepAlive?: string;
  /** `--headers-timeout`: seconds a client may take to send a request's headers (default 10). */
  headersTimeout?: string;
  /** `--request-timeout`: seconds a client may take to send a whole request, body included (default 30). */
  requestTimeout?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `--keep-alive`, `--headers-timeout` and `--request-timeout` in seconds (src/server/http.ts: what a slow
 * or idle client may hold): each above 0, and the headers' no longer than the whole request's.
 */
function limits(options: ServeOptions, env: NodeJS.ProcessEnv, configLanguage: string | undefined) {
  const { t } = translator(resolveLang({ env, config: configLanguage }));
  const refuse = (ruleId: string, message: string, flag: string, fix: string) =>
    new RassylkaError({ ruleId, severity: "error", message, field: flag, fix });
  const seconds = (value: string | undefined, flag: string, otherwise: number) => {
    const n = Number(value ?? otherwise);
    if (Number.isFinite(n) && n > 0) return n;
    if (flag === "--keep-alive")
      throw refuse("serve/bad-keep-alive", t("serve-limits:keepAliveBad", { value }), flag, t("serve-limits:keepAliveFix"));
    throw refuse("serve/bad-timeout", t("serve-limits:timeoutBad", { flag, value }), flag, t("serve-limits:timeoutFix", { flag }));
  };
  const keepAlive = seconds(options.keepAlive, "--keep-alive", 60);
  const headersTimeout = seconds(options.headersTimeout, "--headers-timeout", 10);
  const requestTimeout = seconds(options.requestTimeout, "--request-timeout", 30);
  if (headersTimeout > requestTimeout)
    throw refuse(
      "serve/bad-timeout",
      t("serve-limits:headersOverRequest", { headers: headersTimeout, request: requestTimeout }),
      "--headers-timeout",
      t("serve-limits:timeoutFix", { flag: "--headers-timeout" }),
    );
  return { keepAlive, headersTimeout, requestTimeout };
}

/**
 * `rassylka serve`: the built site, the unsubscribe endpoint and (with `subscribe:`) the subscribe form,
 * listening until `stop` settles; returns how many new unsubscribes it recorded. Without RASSYLKA_SECRET
 * the site is still served and unsubscribe answers 503 (with a warning in the log).
 */
export async function serve(options: ServeOptions, log: ServeLog, stop: Promise<unknown>): Promise<number> {
  const root = resolve(options.root);
  const { port, location } = options;
  const env = options.env ?? process.env;
  const { config } = await loadConfig(root);
  const { keepAlive, headersTimeout, requestTimeout } = limits(options, env, config.language);
  const dir = resolve(root, options.out);
  if (!existsSync(dir)) log.err(tEditor("serve:notBuilt", { dir: relative(process.cwd(), dir) || dir }));
  let secret: string | undefined;
  try {
    secret = requireSecret(env);
  } catch (error) {
    if (!isRassylkaError(error)) throw error;
    for (const d of error.diagnostics) log.err(tEditor("serve:noSecret", { message: d.message, fix: d.fix }));
  }
  const store = secret
    ? await openStore(location, { onError: (e) => log.err(tEditor("serve:error", { message: (e as Error).message })) })
    : undefined;
  let recorded = 0;
  // the subscribe form (docs/subscribe.md): with `subscribe:` in newsletter.yaml and a secret to sign its links
  const subscribe = store && config.subscribe ? subscribeBackend(root, config, store, location, env, log) : undefined;
  if (config.subscribe && !config.url) log.err(tEditor("serve:subscribeNoUrl"));
  const server = createPublishServer({
    dir,
    config,
    secret,
    state: store,
    onUnsubscribe: (email, added) => {
      if (added) recorded++;
      log.out(tEditor(added ? "serve:unsubscribed" : "serve:unsubscribedAgain", { email: maskAddress(email) }));
    },
    onError: (error) => log.err(tEditor("serve:error", { message: (error as Error).message })),
    subscribe: subscribe?.options,
    keepAliveMs: keepAlive * 1000,
    headersTimeoutMs: headersTimeout * 1000,
    requestTimeoutMs: requestTimeout * 1000,
  });
  let url: string;
  try {
    url = await listen(server, port, options.host);
  } catch (cause) {
    await subscribe?.close();
    await store?.close();
    throw new RassylkaError(
      {
        ruleId: "serve/listen",
        severity: "error",
        message: tEditor("serve:listen", { host: options.host, port, reason: (cause as Error).message }),
        field: "--port",
        fix: tEditor("serve:listen.fix"),
      },
      { cause },
    );
  }
  const paths = unsubscribePaths(config).join(", ");
  log.out(tEditor("serve:serving", { dir: relative(process.cwd(), dir) || ".", url }));
  log.out(tEditor(secret ? "serve:unsubscribe" : "serve:unsubscribeOff", { paths, state: locationText(location) }));
  if (subscribe) log.out(tEditor("serve:subscribe", { state: locationText(location), via: subscribe.description }));
  if (store && secret) log.out(tEditor("serve:tracking", { state: locationText(location) }));
  // keepDays (docs/report.md): old events folded into per-issue totals now and once a day
  const fold = async () => {
    if (!store) return;
    try {
      for (const f of await foldExpired(store.clicks, config.tracking?.keepDays))
        if (f.events) log.out(`folded ${f.events} event(s) of ${f.issue} older than ${f.keepDays} days into its totals`);
    } catch (error) {
      log.err(`error: ${(error as Error).message}`);
    }
  };
  let folding = fold();
  const daily = setInterval(() => {
    folding = folding.then(fold);
  }, options.foldEveryMs ?? DAY_MS);
  daily.unref();
  log.out(tEditor("serve:stop"));
  await stop;
  clearInterval(daily);
  await close(server);
  await folding;
  await subscribe?.close();
  await store?.close();
  return recorded;
}
