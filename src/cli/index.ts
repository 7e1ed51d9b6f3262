import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { isRassylkaError } from "../diagnostics.js";
import { type Lang, langOf, resolveLang } from "../i18n/lang.js";
import type { Words } from "../i18n/words.js";
import { dotEnvVariables } from "../project/env.js";
import { redactor, secretsIn } from "../util/redact.js";
import { VERSION } from "../version.js";
import { type Io, redactingIo, stdio } from "./io.js";

/**
 * The CLI: wires commander, one file per command. Commands return exit codes; this is the only place
 * that maps errors to them. Nothing else in rassylka exits the process.
 *   0 success · 1 bad input or config (or some issues failed to build) · 2 and 3: see `send`
 */
type Register = (program: Command, io: Io, setCode: (c: number) => void) => void;

/**
 * Each command's module is imported only when that command runs: they pull in MJML, SQLite, nodemailer,
 * Playwright… and a `build` served from the cache should not pay for loading a browser driver.
 * `term` and the description (`cli:command.<name>` in src/i18n/catalogues/cli.ts) are what
 * `rassylka --help` lists, so that `--help`, `--version`, an unknown or a missing command load no
 * command module at all, nor i18next (tests/cli/help.test.ts keeps them equal to what each module
 * registers).
 */
const COMMANDS: Record<string, { term: string; load: () => Promise<Register> }> = {
  build: {
    term: "build [options] [files...]",
    load: async () => (await import("./build.js")).registerBuild,
  },
  new: {
    term: "new [options] <title>",
    load: async () => (await import("./new.js")).registerNew,
  },
  init: {
    term: "init [options] [dir]",
    load: async () => (await import("./init.js")).registerInit,
  },
  send: {
    term: "send [options] <issue>",
    load: async () => (await import("./send.js")).registerSend,
  },
  doctor: {
    term: "doctor [options]",
    load: async () => (await import("./doctor.js")).registerDoctor,
  },
  status: {
    term: "status [options] [issue]",
    load: async () => (await import("./status.js")).registerStatus,
  },
  suppress: {
    term: "suppress",
    load: async () => (await import("./suppress.js")).registerSuppress,
  },
  audience: {
    term: "audience [options] [name|issue]",
    load: async () => (await import("./audience.js")).registerAudience,
  },
  subscribers: {
    term: "subscribers",
    load: async () => (await import("./subscribers.js")).registerSubscribers,
  },
  bounces: {
    term: "bounces",
    load: async () => (await import("./bounces.js")).registerBounces,
  },
  state: {
    term: "state",
    load: async () => (await import("./state.js")).registerState,
  },
  sendsay: {
    term: "sendsay",
    load: async () => (await import("./sendsay.js")).registerSendsay,
  },
  schedule: {
    term: "schedule",
    load: async () => (await import("./schedule.js")).registerSchedule,
  },
  worker: {
    term: "worker [options]",
    load: async () => (await import("./worker.js")).registerWorker,
  },
  lint: {
    term: "lint [options] [files...]",
    load: async () => (await import("./lint.js")).registerLint,
  },
  preview: {
    term: "preview [options]",
    load: async () => (await import("./preview.js")).registerPreview,
  },
  screenshots: {
    term: "screenshots [options] [files...]",
    load: async () => (await import("./screenshots.js")).registerScreenshots,
  },
  review: {
    term: "review [options]",
    load: async () => (await import("./review.js")).registerReview,
  },
  report: {
    term: "report [options] [issue]",
    load: async () => (await import("./report.js")).registerReport,
  },
  search: {
    term: "search [options] <query>",
    load: async () => (await import("./search.js")).registerSearch,
  },
  poll: {
    term: "poll",
    load: async () => (await import("./poll.js")).registerPoll,
  },
  serve: {
    term: "serve [options]",
    load: async () => (await import("./serve.js")).registerServe,
  },
};

/** The program's own words (src/i18n/catalogues/cli.ts), read without i18next. */
async function programWords(lang: Lang): Promise<Words> {
  const [{ cli }, { words }] = await Promise.all([import("../i18n/catalogues/cli.js"), import("../i18n/words.js")]);
  return words(cli, lang);
}

/** commander, loaded once per process: `--version` answers without it. */
type Commander = typeof import("commander");
const commander = (): Promise<Commander> => import("commander");

function baseProgram({ Command, Help }: Commander, w: Words, io: Io): Command {
  const help = new Help();
  return (
    new Command("rassylka")
      .description(w("program.description"))
      .option("--lang <lang>", w("program.lang"))
      .version(VERSION, "-V, --version", w("program.version"))
      .helpOption("-h, --help", w("program.help"))
      .helpCommand("help [command]", w("program.helpCommand"))
      .configureHelp({
        styleTitle: (title) => w(`help.${title}`),
        formatHelp: (cmd, helper) =>
          help
            .formatHelp(cmd, helper)
            // commander wraps long lines, so the word may end a line
            .replace(
              /([(,] ?)(default|choices):(\s)/g,
              (_, before: string, word: string, space: string) => `${before}${w(`help.${word}`)}${space}`,
            ),
      })
      .configureOutput({
        writeOut: (text) => io.out(text.replace(/\n$/, "")),
        writeErr: (text) => io.err(text.replace(/\n$/, "")),
        outputError: (text, write) => write(usageError(text, w)),
      })
      // a usage error is its one line and this hint, not the whole help
      .showHelpAfterError(w("usage.hint"))
      .exitOverride()
  );
}

/** commander's usage errors in the editor's language (it writes them in English only): each form, the key, its parameters. */
const USAGE_ERRORS: [RegExp, string, (m: RegExpExecArray, w: Words) => Record<string, unknown>][] = [
  [/^error: missing required argument '(.*)'$/, "usage.missingArgument", (m) => ({ name: m[1] })],
  [/^error: required option '(.*)' not specified$/, "usage.requiredOption", (m) => ({ option: m[1] })],
  [
    /^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/,
    "usage.excessArguments",
    (m, w) => ({ command: m[1] ? w("usage.forCommand", { command: m[1] }) : "", expected: m[2], count: Number(m[3]) }),
  ],
  [/^error: unknown option '(.*)'$/, "usage.unknownOption", (m) => ({ option: m[1] })],
  [/^error: option '(.*)' argument missing$/, "usage.optionMissingArgument", (m) => ({ option: m[1] })],
  [/^error: unknown command '(.*)'$/, "usage.unknownCommand", (m) => ({ command: m[1] })],
  [
    /^error: option '(.*)' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/,
    "usage.invalidChoice",
    (m) => ({ option: m[1], value: m[2], choices: m[3] }),
  ],
  // the reason is our own parser's (InvalidArgumentError), already in the editor's language
  [/^error: option '(.*)' argument '(.*)' is invalid\. (.*)$/, "usage.invalidValue", (m) => ({ option: m[1], value: m[2], reason: m[3] })],
  [
    /^error: command-argument value '(.*)' is invalid for argument '(.*)'\. (.*)$/,
    "usage.invalidArgument",
    (m) => ({ value: m[1], argument: m[2], reason: m[3] }),
  ],
  [/^error: (.*) cannot be used with (.*)$/, "usage.conflict", (m) => ({ option: m[1], other: m[2] })],
  [/^\(Did you mean (.*)\?\)$/, "usage.didYouMean", (m) => ({ name: m[1] })],
];

function usageError(text: string, w: Words): string {
  return text
    .split("\n")
    .map((line) => {
      for (const [re, key, params] of USAGE_ERRORS) {
        const m = re.exec(line);
        if (m) return w(key, params(m, w));
      }
      return line;
    })
    .join("\n");
}

/** The program with every command, or only `only` when it names one. Commands write in the language set by `setLanguage`. */
export async function createProgram(io: Io = stdio, setCode: (c: number) => void = () => {}, only?: string): Promise<Command> {
  const { language } = await import("../i18n/index.js");
  const program = baseProgram(await commander(), await programWords(language()), io);
  const names = only && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n].load()))) register(program, io, setCode);
  return program;
}

/**
 * The program as `--help`, a missing or an unknown command see it: every command by its name and
 * description only, no command module loaded, no i18next.
 */
export async function createListing(lang: Lang = "en", io: Io = stdio): Promise<Command> {
  const w = await programWords(lang);
  const cm = await commander();
  const program = baseProgram(cm, w, io);
  const help = new cm.Help();
  program.configureHelp({
    ...program.configureHelp(),
    subcommandTerm: (cmd) => COMMANDS[cmd.name()]?.term ?? help.subcommandTerm(cmd),
  });
  for (const name of Object.keys(COMMANDS)) program.command(name).description(w(`command.${name}`));
  return program;
}

/** The value of `--name value` or `--name=value` on the command line. */
function optionValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

/** The command a command line names (the first argument that is not an option or --lang's value; `help build` names build). */
function commandOf(argv: string[]): string | undefined {
  const args = argv.slice(2);
  const [first, second] = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "--lang");
  return first === "help" ? second : first;
}

/**
 * The editor's language: `--lang`, RASSYLKA_LANG, the newsletter's `language` (newsletter.yaml in
 * --root, read as text: loading the YAML parser and the schema is the command's business), the
 * system locale, English.
 */
export async function chooseLanguage(argv: string[], env: NodeJS.ProcessEnv): Promise<Lang> {
  const args = argv.slice(2);
  const flag = optionValue(args, "--lang");
  if (langOf(flag) || langOf(env.RASSYLKA_LANG)) return resolveLang({ flag, env });
  const root = optionValue(args, "--root") ?? ".";
  const yaml = await readFile(join(root, "newsletter.yaml"), "utf8").catch(() => "");
  const config = /^language:[ \t]*["']?([A-Za-z_-]+)/m.exec(yaml)?.[1];
  return resolveLang({ flag, env, config });
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

export async function main(argv: string[], rawIo: Io = stdio): Promise<number> {
  let code = 0;
  const args = argv.slice(2);
  quietOnBrokenPipe(process.stdout);
  quietOnBrokenPipe(process.stderr);
  // `rassylka --version` needs no language, no catalogue and no command
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    rawIo.out(VERSION);
    return 0;
  }
  const name = commandOf(argv);
  // the newsletter's .env (secrets between sessions, docs/secrets.md); the real environment wins
  if (name && name in COMMANDS && name !== "init")
    Object.assign(process.env, await dotEnvVariables(optionValue(args, "--root") ?? ".", process.env));
  // nothing any command prints carries a secret of the environment or of .env (src/util/redact.ts)
  const io = redactingIo(rawIo, redactor(secretsIn(process.env)));
  const lang = await chooseLanguage(argv, process.env);
  try {
    const flag = optionValue(args, "--lang");
    if (flag !== undefined && !langOf(flag)) {
      io.err((await programWords(lang))("usage.badLang", { lang: flag }));
      return 1;
    }
    const setCode = (c: number) => {
      code = c;
    };
    let program: Command;
    if (name && name in COMMANDS) {
      (await import("../i18n/index.js")).setLanguage(lang);
      program = await createProgram(io, setCode, name);
    } else program = await createListing(lang, io);
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof (await commander()).CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (isRassylkaError(error)) {
      const { formatDiagnostic } = await import("./print.js");
      for (const d of error.diagnostics) io.err(formatDiagnostic(d));
      return 1;
    }
    io.err(await unexpected(error, process.env.RASSYLKA_DEBUG === "1", lang));
    return 1;
  }
}

/**
 * An error no stage turned into a diagnostic: one line with its code (ENOSPC, SQLITE_FULL, EACCES…) and
 * message, never a stack trace, unless RASSYLKA_DEBUG=1 asks for it.
 */
export async function unexpected(error: unknown, debug = false, lang: Lang = "en"): Promise<string> {
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  if (debug && typeof e?.stack === "string") return `rassylka: ${e.stack}`;
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const message = typeof e?.message === "string" ? e.message.split("\n")[0] : String(error);
  return (await programWords(lang))("unexpected", { what: `${code}${message}` });
}
