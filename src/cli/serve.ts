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
  headersTimeout?: string;
  requestTimeout?: string;
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
      message: t("serve:badPort", { port: flags.port }),
      field: "--port",
      fix: t("serve:badPort.fix"),
    });
  }
  const location = stateFromFlags(flags, process.env, "root");
  const recorded = await serve(
    {
      root: flags.root,
      out: flags.out,
      port,
      host: flags.host,
      location,
      keepAlive: flags.keepAlive,
      headersTimeout: flags.headersTimeout,
      requestTimeout: flags.requestTimeout,
    },
    io,
    stop,
  );
  io.out(t("serve:stopped", { count: recorded }));
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
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--out <dir>", t("serve:flag.out"), "dist")
    .option("--port <port>", t("serve:flag.port"), "8080")
    .option("--host <host>", t("serve:flag.host"), "127.0.0.1")
    .option("--state <file|url>", t("serve:flag.state"))
    .option("--keep-alive <seconds>", t("serve:flag.keepAlive"), "60")
    .option("--headers-timeout <seconds>", t("serve:flag.headersTimeout"), "10")
    .option("--request-timeout <seconds>", t("serve:flag.requestTimeout"), "30")
    .action(async (flags: ServeFlags) => setCode(await runServe(flags, io, signalled())));
}
