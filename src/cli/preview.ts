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
      message: `--port must be a port number, got "${flags.port}"`,
      fix: "pass e.g. --port 4000, or --port 0 to take any free port",
    });
  }
  let server: Awaited<ReturnType<typeof startPreview>>;
  try {
    server = await startPreview({
      root: flags.root,
      port,
      onRebuild: ({ keys, all, ms, errors }) =>
        io.err(`rebuilt ${all ? "all issues" : keys.join(", ")} in ${ms} ms${errors ? ` (${errors} with errors, shown in the page)` : ""}`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new RassylkaError(
        {
          ruleId: "cli/port-in-use",
          severity: "error",
          message: `port ${port} is already in use on 127.0.0.1`,
          fix: `stop the other server or pass another port: rassylka preview --port ${port + 1}`,
        },
        { cause: error },
      );
    }
    throw error;
  }
  io.out(`Preview: ${server.url}`);
  io.out("Watching newsletter.yaml, templates/ and issues/. Press Ctrl+C to stop.");
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
  io.err("Preview stopped.");
  return 0;
}

export function registerPreview(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("preview")
    .description(t("cli:command.preview"))
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--port <port>", "port on 127.0.0.1 (0: any free port)", "4000")
    .action(async (flags: PreviewFlags) => setCode(await runPreview(flags, io)));
}
