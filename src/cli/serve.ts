import type { Command } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { serve } from "../server/serve.js";
import type { Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

export interface ServeFlags {
  root: string;
  out: string;
  port: string;
  host: string;
  state?: string;
  keepAlive?: string;
}

/**
 * Serves the built site and the unsubscribe endpoint (src/server/serve.ts) until SIGINT/SIGTERM, then exits 0.
 */
export async function runServe(flags: ServeFlags, io: Io, stop: Promise<unknown>): Promise<number> {
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
  const location = stateFromFlags(flags, process.env, "root");
  const recorded = await serve(
    { root: flags.root, out: flags.out, port, host: flags.host, location, keepAlive: flags.keepAlive },
    io,
    stop,
  );
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
      "where unsubscribes, clicks and opens are recorded: a state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite under the root)",
    )
    .option("--keep-alive <seconds>", "how long an idle keep-alive connection stays open (never off)", "60")
    .action(async (flags: ServeFlags) => setCode(await runServe(flags, io, signalled())));
}
