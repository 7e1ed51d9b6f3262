import { type Command, InvalidArgumentError } from "commander";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { redactor, secretsIn } from "../util/redact.js";
import type { Io } from "./print.js";
import { DATABASE_URL_ENV, stateArgument, stateFromFlags } from "./state-flag.js";

/**
 * `rassylka worker` (docs/schedule.md): runs src/schedule/worker.ts until SIGTERM or SIGINT, one JSON
 * line per event on stdout. Exit 0 after a clean stop; 1 when it cannot start (no SMTP_URL, no state).
 */
export interface WorkerFlags {
  root: string;
  state?: string;
  transport: string;
  port?: number;
  concurrency: number;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(t("schedule:worker.badPort"));
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(t("schedule:worker.badConcurrency"));
  return n;
}

export async function runWorkerCommand(flags: WorkerFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (flags.transport !== "smtp" && flags.transport !== "sendsay")
    throw new RassylkaError(
      error("worker/usage", t("schedule:worker.badTransport", { transport: flags.transport }), {
        field: "--transport",
        fix: t("schedule:worker.badTransport.fix"),
      }),
    );
  const { runWorker } = await import("../schedule/worker.js");
  const clean = redactor(secretsIn(env));
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    await runWorker({
      root: flags.root,
      state: stateArgument(stateFromFlags(flags, env)),
      transport: flags.transport,
      concurrency: flags.concurrency,
      port: flags.port,
      env,
      signal: controller.signal,
      log: (entry) => io.out(clean(JSON.stringify(entry))),
    });
    return 0;
  } finally {
    process.removeListener("SIGTERM", stop);
    process.removeListener("SIGINT", stop);
  }
}

export function registerWorker(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("worker")
    .description(t("cli:command.worker"))
    .option("--transport <name>", t("schedule:worker.flag.transport"), "smtp")
    .option("--port <n>", t("schedule:worker.flag.port"), port)
    .option("--concurrency <n>", t("schedule:worker.flag.concurrency"), positiveInt, 5)
    .option("--state <file|url>", t("schedule:worker.flag.state", { env: DATABASE_URL_ENV }))
    .option("--root <dir>", t("schedule:worker.flag.root"), ".")
    .action(async (flags: WorkerFlags) => setCode(await runWorkerCommand(flags, io)));
}
