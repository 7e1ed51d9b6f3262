import { Command, CommanderError, Help } from "commander";
import { isRassylkaError } from "../diagnostics.js";
import { dotEnvVariables } from "../project/env.js";
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
 * `term` and `description` are what `rassylka --help` lists, so that `--help`, `--version`, an unknown
 * or a missing command load no command module at all (tests/cli/help.test.ts keeps them equal to what
 * each module registers).
 */
const COMMANDS: Record<string, { term: string; description: string; load: () => Promise<Register> }> = {
  build: {
    term: "build [options] [files...]",
    description: "compile issues into responsive HTML and plain text (dist/<slug>.html, .txt, manifest.json)",
    load: async () => (await import("./build.js")).registerBuild,
  },
  new: {
    term: "new [options] <title>",
    description: "start a new issue: issues/YYYY-MM-DD-<slug>.md",
    load: async () => (await import("./new.js")).registerNew,
  },
  init: {
    term: "init [options] [dir]",
    description: "create a new newsletter folder (config, templates, one example issue)",
    load: async () => (await import("./init.js")).registerInit,
  },
  send: {
    term: "send [options] <issue>",
    description: "deliver an issue to a list over SMTP or into outbox/<slug>/*.eml, with a crash-safe ledger (re-run to resume)",
    load: async () => (await import("./send.js")).registerSend,
  },
  status: {
    term: "status [options] [issue]",
    description: "show the send ledger: counts and failures of an issue (or of every issue sent)",
    load: async () => (await import("./status.js")).registerStatus,
  },
  suppress: {
    term: "suppress",
    description: "addresses never to send to (unsubscribed, bounced): add, remove, list, import, export",
    load: async () => (await import("./suppress.js")).registerSuppress,
  },
  subscribers: {
    term: "subscribers",
    description: "the subscriber list rassylka keeps (the subscribe form, imports): list, add, remove, import, export",
    load: async () => (await import("./subscribers.js")).registerSubscribers,
  },
  bounces: {
    term: "bounces",
    description: "bounces and complaints after a send: import files, fetch an IMAP mailbox",
    load: async () => (await import("./bounces.js")).registerBounces,
  },
  state: {
    term: "state",
    description: "the state store (a SQLite file or PostgreSQL): migrate, copy",
    load: async () => (await import("./state.js")).registerState,
  },
  sendsay: {
    term: "sendsay",
    description: "the Sendsay email service (docs/sendsay.md)",
    load: async () => (await import("./sendsay.js")).registerSendsay,
  },
  lint: {
    term: "lint [options] [files...]",
    description:
      "check issues as readers will get them: size, subject, preheader, alt text, links, unsubscribe, merge fields, events, drafts, client support",
    load: async () => (await import("./lint.js")).registerLint,
  },
  preview: {
    term: "preview [options]",
    description: "local web server for editors: every issue at 600 and 375 px, text, size, lint; reloads on save",
    load: async () => (await import("./preview.js")).registerPreview,
  },
  screenshots: {
    term: "screenshots [options] [files...]",
    description: "full-height PNGs of issues in the system Chromium: <slug>-600.png, <slug>-375.png, <slug>-dark.png",
    load: async () => (await import("./screenshots.js")).registerScreenshots,
  },
  review: {
    term: "review [options]",
    description:
      "every email a branch changes, before and after, with the changed pixels and the text diff: DIR/index.html and DIR/summary.md",
    load: async () => (await import("./review.js")).registerReview,
  },
  serve: {
    term: "serve [options]",
    description: "serve the built site (dist/) and the one-click unsubscribe endpoint",
    load: async () => (await import("./serve.js")).registerServe,
  },
};

function baseProgram(): Command {
  return new Command("rassylka")
    .description("Email-newsletter publishing pipeline: Markdown issues → MJML emails → subscribers")
    .version(VERSION)
    .exitOverride();
}

/** The program with every command, or only `only` when it names one. */
export async function createProgram(io: Io = stdio, setCode: (c: number) => void = () => {}, only?: string): Promise<Command> {
  const program = baseProgram();
  const names = only && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n].load()))) register(program, io, setCode);
  return program;
}

/**
 * The program as `--help`, `--version`, a missing or an unknown command see it: every command by its
 * name and description only, no command module loaded.
 */
export function createListing(): Command {
  const program = baseProgram();
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => COMMANDS[cmd.name()]?.term ?? help.subcommandTerm(cmd) });
  for (const [name, c] of Object.entries(COMMANDS)) program.command(name).description(c.description);
  return program;
}

/** The command a command line names (the first argument that is not an option; `help build` names build). */
function commandOf(argv: string[]): string | undefined {
  const [first, second] = argv.slice(2).filter((a) => !a.startsWith("-"));
  return first === "help" ? second : first;
}

/** After a usage error (an unknown option, a missing argument): its one line and a hint, not the whole help. */
async function usageHint(command: string | undefined): Promise<string> {
  const { resolveLang, translator } = await import("../i18n/index.js");
  const help = command && command in COMMANDS ? `rassylka ${command} --help` : "rassylka --help";
  return translator(resolveLang({ env: process.env })).t("cli:usageHint", { help });
}

const NOT_USAGE_ERRORS = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** The value of `--root DIR` / `--root=DIR` on a command line (default: the current folder). */
function rootOf(argv: string[]): string {
  for (const [i, a] of argv.entries()) {
    if (a === "--root" && argv[i + 1] !== undefined) return argv[i + 1];
    if (a.startsWith("--root=")) return a.slice("--root=".length);
  }
  return ".";
}

/**
 * `rassylka status | head` closes the pipe while we still write: the write fails with EPIPE, which Node
 * turns into an uncaught error with a stack trace. Nobody reads any more, so the output is dropped and the
 * command finishes what it does (a send keeps sending; its ledger is the record, not the terminal).
 */
function quietOnBrokenPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount("error") > 0) return;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  let code = 0;
  quietOnBrokenPipe(process.stdout);
  quietOnBrokenPipe(process.stderr);
  try {
    const name = commandOf(argv);
    // the newsletter's .env (secrets between sessions, docs/secrets.md); the real environment wins
    if (name && name in COMMANDS && name !== "init") Object.assign(process.env, await dotEnvVariables(rootOf(argv), process.env));
    const setCode = (c: number) => {
      code = c;
    };
    const program = name && name in COMMANDS ? await createProgram(io, setCode, name) : createListing();
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      if (!NOT_USAGE_ERRORS.has(error.code)) io.err(await usageHint(commandOf(argv)));
      return 1;
    }
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
