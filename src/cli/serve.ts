import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { isRassylkaError, RassylkaError } from "../diagnostics.js";
import { resolveLang, t, translator } from "../i18n/index.js";
import { requireSecret } from "../identity/token.js";
import { close, createPublishServer, listen, unsubscribePaths } from "../server/server.js";
import { locationText, stateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import type { Io } from "./print.js";
import { subscribeBackend } from "./serve-subscribe.js";

export interface ServeFlags {
  root: string;
  out: string;
  port: string;
  host: string;
  state?: string;
  keepAlive?: string;
}

/** `i***@example.ru`: enough to follow the log, not a list of readers. */
function mask(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, Math.min(1, at))}***${email.slice(at)}`;
}

/**
 * Serves the built site and the unsubscribe endpoint until SIGINT/SIGTERM, then exits 0.
 * Without RASSYLKA_SECRET the site is still served and unsubscribe answers 503 (with a warning here).
 */
export async function runServe(flags: ServeFlags, io: Io, stop: Promise<unknown>): Promise<number> {
  const root = resolve(flags.root);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RassylkaError({
      ruleId: "serve/bad-port",
      severity: "error",
      message: `--port ${flags.port} is not a port number`,
      field: "--port",
      fix: "give a number from 1 to 65535 (0 picks a free port), e.g. --port 8080",
    });
  }
  const { config } = await loadConfig(root);
  const keepAlive = Number(flags.keepAlive ?? "60");
  if (!Number.isFinite(keepAlive) || keepAlive <= 0) {
    const { t } = translator(resolveLang({ env: process.env, config: config.language }));
    throw new RassylkaError({
      ruleId: "serve/bad-keep-alive",
      severity: "error",
      message: t("serve-limits:keepAliveBad", { value: flags.keepAlive }),
      field: "--keep-alive",
      fix: t("serve-limits:keepAliveFix"),
    });
  }
  const dir = resolve(root, flags.out);
  if (!existsSync(dir)) io.err(`warning: ${relative(process.cwd(), dir) || dir}/ does not exist yet: run \`rassylka build\` first`);
  let secret: string | undefined;
  try {
    secret = requireSecret();
  } catch (error) {
    if (!isRassylkaError(error)) throw error;
    for (const d of error.diagnostics)
      io.err(`warning: ${d.message}; the unsubscribe endpoint answers 503 until it is set\n  fix: ${d.fix}`);
  }
  const location = stateLocation(root, flags.state);
  const store = secret ? await openStore(location, { onError: (e) => io.err(`error: ${(e as Error).message}`) }) : undefined;
  let recorded = 0;
  // the subscribe form (docs/subscribe.md): with `subscribe:` in newsletter.yaml and a secret to sign its links
  const subscribe = store && config.subscribe ? subscribeBackend(root, config, store, location, process.env, io) : undefined;
  if (config.subscribe && !config.url)
    io.err("warning: subscribe: needs url in newsletter.yaml (the confirmation link's address); /subscribe answers 503");
  const server = createPublishServer({
    dir,
    config,
    secret,
    state: store,
    onUnsubscribe: (email, added) => {
      if (added) recorded++;
      io.out(`unsubscribed ${mask(email)}${added ? "" : " (already)"}`);
    },
    onError: (error) => io.err(`error: ${(error as Error).message}`),
    subscribe: subscribe?.options,
    keepAliveMs: keepAlive * 1000,
  });
  let url: string;
  try {
    url = await listen(server, port, flags.host);
  } catch (cause) {
    await subscribe?.close();
    await store?.close();
    throw new RassylkaError(
      {
        ruleId: "serve/listen",
        severity: "error",
        message: `cannot listen on ${flags.host}:${port}: ${(cause as Error).message}`,
        field: "--port",
        fix: "choose another --port, or stop the program that uses this one",
      },
      { cause },
    );
  }
  const paths = unsubscribePaths(config).join(", ");
  io.out(`Serving ${relative(process.cwd(), dir) || "."}/ at ${url}`);
  io.out(secret ? `Unsubscribe: POST/GET ${paths} ?token=… → ${locationText(location)}` : `Unsubscribe: disabled (no secret) at ${paths}`);
  if (subscribe) io.out(`Subscribe: POST /subscribe → ${locationText(location)}; confirmations → ${subscribe.description}`);
  io.out("Press Ctrl+C to stop.");
  await stop;
  await close(server);
  await subscribe?.close();
  await store?.close();
  io.out(`Stopped. ${recorded} new unsubscribe(s) recorded.`);
  return 0;
}

function signalled(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      done(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export function registerServe(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("serve")
    .description(t("cli:command.serve"))
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--out <dir>", "the folder to serve, relative to the root", "dist")
    .option("--port <port>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "address to listen on (0.0.0.0 for every interface)", "127.0.0.1")
    .option(
      "--state <file|url>",
      "where unsubscribes are recorded: a state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite under the root)",
    )
    .option("--keep-alive <seconds>", "how long an idle keep-alive connection stays open (never off)", "60")
    .action(async (flags: ServeFlags) => setCode(await runServe(flags, io, signalled())));
}
