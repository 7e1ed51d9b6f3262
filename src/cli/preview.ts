import type { Command } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { startPreview } from "../preview/server.js";
import type { Io } from "./print.js";

export interface PreviewFlags {
  root: string;
  port: string;
}

/**
 * Runs until SIGINT or SIGTERM, then closes the server and returns 0. `signal` is for tests: aborting it
 * stops the server the same way.
 */
export async function runPreview(flags: PreviewFlags, io: Io, signal?: AbortSignal): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RassylkaError({
      ruleId: "cli/bad-port",
      severity: "error",
      message: t("preview:cli.badPort", { port: flags.port }),
      fix: t("preview:cli.badPort.fix"),
    });
  }
  let server: Awaited<ReturnType<typeof startPreview>>;
  try {
    server = await startPreview({
      root: flags.root,
      port,
      onRebuild: ({ keys, all, ms, errors }) =>
        io.err(
          t("preview:cli.rebuilt", {
            what: all ? t("preview:cli.rebuiltAll") : keys.join(", "),
            ms,
            errors: errors ? t("preview:cli.rebuiltErrors", { count: errors }) : "",
          }),
        ),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new RassylkaError(
        {
          ruleId: "cli/port-in-use",
          severity: "error",
          message: t("preview:cli.portInUse", { port }),
          fix: t("preview:cli.portInUse.fix", { next: port + 1 }),
        },
        { cause: error },
      );
    }
    throw error;
  }
  io.out(t("preview:cli.url", { url: server.url }));
  io.out(t("preview:cli.watching"));
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signal?.removeEventListener("abort", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop);
  });
  await server.close();
  io.err(t("preview:cli.stopped"));
  return 0;
}

export function registerPreview(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("preview")
    .description(t("cli:command.preview"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--port <port>", t("preview:cli.flag.port"), "4000")
    .action(async (flags: PreviewFlags) => setCode(await runPreview(flags, io)));
}
