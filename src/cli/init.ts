import { relative } from "node:path";
import type { Command } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { LANGUAGES, type Lang, langOf, resolveLang, t as tCli } from "../i18n/index.js";
import { initNewsletter } from "../project/init.js";
import type { Io } from "./print.js";

export interface InitFlags {
  root?: string;
  language?: string;
  url?: string;
}

/** `--language` must be one we write a newsletter in; without it, the system's language (else English). */
function language(flag: string | undefined): Lang {
  if (flag === undefined) return resolveLang({ env: process.env });
  const lang = langOf(flag);
  if (!lang || lang !== flag.toLowerCase()) {
    throw new RassylkaError({
      ruleId: "init/bad-language",
      severity: "error",
      message: tCli("init:badLanguage", { lang: flag }),
      field: "--language",
      fix: tCli("init:badLanguage.fix", { languages: LANGUAGES.join(", ") }),
    });
  }
  return lang;
}

export async function runInit(dirArg: string | undefined, flags: InitFlags, io: Io): Promise<number> {
  const dir = dirArg ?? flags.root ?? ".";
  const lang = language(flags.language);
  const made = await initNewsletter(dir, { language: lang, url: flags.url });
  // the newsletter is written in --language; what the command says, in the editor's language
  const t = tCli;
  const shown = relative(process.cwd(), made.root) || ".";
  io.out(t("init:created", { dir: shown, files: made.written.join(", ") }));
  if (made.kept.length) io.out(t("init:kept", { files: made.kept.join(", ") }));
  if (made.envFile) io.out(t("init:secret", { file: made.envFile }));
  io.out(t("init:next", { dir: shown }));
  return 0;
}

export function registerInit(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("init")
    .description(tCli("cli:command.init"))
    .argument("[dir]", tCli("init:flag.dir"))
    .option("--root <dir>", tCli("init:flag.root"))
    .option("--language <lang>", tCli("init:flag.language"))
    .option("--url <url>", tCli("init:flag.url"))
    .action(async (dirArg: string | undefined, flags: InitFlags) => setCode(await runInit(dirArg, flags, io)));
}
