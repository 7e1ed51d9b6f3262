import { appendFile, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { createIssue } from "./new.js";
import type { Io } from "./print.js";

/** The package's own folder: init copies its templates/. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const STARTER_CONFIG = `# Settings of the newsletter. Secrets come from the environment, never from this file.
name: Моя рассылка
language: ru
# url: https://example.org/archive
from:
  name: Редакция
  email: news@example.org
author: Редакция
nav: []
events: []
eventsWindowDays: 60
# unsubscribe:
#   url: https://example.org/unsubscribe
#   mailto: unsubscribe@example.org
`;

/** `rassylka init DIR`: config, templates and one example issue that `build --root DIR` builds as is. */
export async function initNewsletter(dir: string): Promise<string[]> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const existing = await readdir(root);
  const clash = existing.filter((f) => ["newsletter.yaml", "templates", "issues"].includes(f));
  if (clash.length) {
    throw new RassylkaError({
      ruleId: "init/not-empty",
      severity: "error",
      message: `${dir} already has ${clash.join(", ")}`,
      fix: "choose an empty or new folder; init never overwrites a newsletter",
    });
  }
  await writeFile(join(root, "newsletter.yaml"), STARTER_CONFIG, { flag: "wx" });
  await cp(join(PACKAGE_ROOT, "templates"), join(root, "templates"), { recursive: true, errorOnExist: true, force: false });
  await ignoreOutputs(join(root, ".gitignore"));
  const issue = await createIssue(root, "Первый выпуск");
  return ["newsletter.yaml", "templates/", ".gitignore", relative(root, issue)];
}

/** Our outputs into .gitignore: a new one, or the lines an existing one (a git repository's) lacks. */
async function ignoreOutputs(file: string): Promise<void> {
  const wanted = ["dist/", "outbox/", ".rassylka/"];
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing === undefined) {
    await writeFile(file, `${wanted.join("\n")}\n`, { flag: "wx" });
    return;
  }
  const have = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
  const missing = wanted.filter((w) => !have.has(w) && !have.has(w.replace(/\/$/, "")));
  if (missing.length) await appendFile(file, `${existing === "" || existing.endsWith("\n") ? "" : "\n"}${missing.join("\n")}\n`);
}

export function registerInit(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("init")
    .description(t("cli:command.init"))
    .argument("[dir]", "the folder to create (default: --root, or the current folder)")
    .option("--root <dir>", "the folder to create, like every command's --root")
    .action(async (dirArg: string | undefined, flags: { root?: string }) => {
      const dir = dirArg ?? flags.root ?? ".";
      const made = await initNewsletter(dir);
      io.out(`Created in ${dir}: ${made.join(", ")}\nNext: npx rassylka build --root ${dir}`);
      setCode(0);
    });
}
