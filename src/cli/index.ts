import { Command, CommanderError } from "commander";
import { formatDiagnostic, isRassylkaError } from "../diagnostics.js";
import { VERSION } from "../version.js";
import { registerBuild } from "./build.js";
import { registerInit } from "./init.js";
import { registerLint } from "./lint.js";
import { registerNew } from "./new.js";
import { registerPreview } from "./preview.js";
import { type Io, stdio } from "./print.js";
import { registerScreenshots } from "./screenshots.js";
import { registerSend } from "./send.js";
import { registerSendsay } from "./sendsay.js";
import { registerServe } from "./serve.js";
import { registerStatus } from "./status.js";
import { registerSuppress } from "./suppress.js";

/**
 * The CLI: wires commander, one file per command. Commands return exit codes; this is the only place
 * that maps errors to them. Nothing else in rassylka exits the process.
 *   0 success · 1 bad input or config (or some issues failed to build) · 2 and 3: see `send`
 */
export function createProgram(io: Io = stdio, setCode: (c: number) => void = () => {}): Command {
  const program = new Command("rassylka")
    .description("Email-newsletter publishing pipeline: Markdown issues → MJML emails → subscribers")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerBuild(program, io, setCode);
  registerNew(program, io, setCode);
  registerInit(program, io, setCode);
  registerSend(program, io, setCode);
  registerStatus(program, io, setCode);
  registerSuppress(program, io, setCode);
  registerSendsay(program, io, setCode);
  registerLint(program, io, setCode);
  registerPreview(program, io, setCode);
  registerScreenshots(program, io, setCode);
  registerServe(program, io, setCode);
  return program;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let code = 0;
  const program = createProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (isRassylkaError(error)) {
      for (const d of error.diagnostics) io.err(formatDiagnostic(d));
      return 1;
    }
    io.err(`rassylka: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
