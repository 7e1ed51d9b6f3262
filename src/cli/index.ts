import { Command, CommanderError } from "commander";
import { isRassylkaError } from "../diagnostics.js";
import { VERSION } from "../version.js";
import { formatDiagnostic, type Io, stdio } from "./print.js";

/**
 * The CLI: wires commander, one file per command. Commands return exit codes; this is the only place
 * that maps errors to them. Nothing else in rassylka exits the process.
 *   0 success · 1 bad input or config (or some issues failed to build) · 2 and 3: see `send`
 */
type Register = (program: Command, io: Io, setCode: (c: number) => void) => void;

/**
 * Each command's module is imported only when that command runs: they pull in MJML, SQLite, nodemailer,
 * Playwright… and a `build` served from the cache should not pay for loading a browser driver.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  build: async () => (await import("./build.js")).registerBuild,
  new: async () => (await import("./new.js")).registerNew,
  init: async () => (await import("./init.js")).registerInit,
  send: async () => (await import("./send.js")).registerSend,
  status: async () => (await import("./status.js")).registerStatus,
  suppress: async () => (await import("./suppress.js")).registerSuppress,
  sendsay: async () => (await import("./sendsay.js")).registerSendsay,
  lint: async () => (await import("./lint.js")).registerLint,
  preview: async () => (await import("./preview.js")).registerPreview,
  screenshots: async () => (await import("./screenshots.js")).registerScreenshots,
  serve: async () => (await import("./serve.js")).registerServe,
};

/** The program with every command, or only `only` when it names one (what `main` runs). */
export async function createProgram(io: Io = stdio, setCode: (c: number) => void = () => {}, only?: string): Promise<Command> {
  const program = new Command("rassylka")
    .description("Email-newsletter publishing pipeline: Markdown issues → MJML emails → subscribers")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  const names = only && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n]()))) register(program, io, setCode);
  return program;
}

/** The command a command line names: the first argument that is not an option. */
function commandOf(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith("-"));
  return first === "help" ? undefined : first;
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let code = 0;
  try {
    const program = await createProgram(
      io,
      (c) => {
        code = c;
      },
      commandOf(argv),
    );
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (isRassylkaError(error)) {
      for (const d of error.diagnostics) io.err(formatDiagnostic(d));
      return 1;
    }
    io.err(unexpected(error, process.env.RASSYLKA_DEBUG === "1"));
    return 1;
  }
}

/**
 * An error no stage turned into a diagnostic: one line with its code (ENOSPC, SQLITE_FULL, EACCES…) and
 * message, never a stack trace, unless RASSYLKA_DEBUG=1 asks for it.
 */
export function unexpected(error: unknown, debug = false): string {
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  if (debug && typeof e?.stack === "string") return `rassylka: ${e.stack}`;
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const message = typeof e?.message === "string" ? e.message.split("\n")[0] : String(error);
  return `rassylka: error: ${code}${message} (RASSYLKA_DEBUG=1 shows where it happened)`;
}
