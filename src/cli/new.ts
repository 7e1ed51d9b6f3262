import { access, mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { CONFIG_FILE } from "../config/load.js";
import { isoDate } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { slugFromTitle } from "../issue/slug.js";
import { ISSUES_DIR } from "../project/project.js";
import { today } from "../util/date.js";
import type { Io } from "./print.js";

export { today };

/** `rassylka new "Заголовок"` → issues/YYYY-MM-DD-<latin-slug>.md with the required front-matter. */
export async function createIssue(root: string, title: string, date = today()): Promise<string> {
  // the date goes into the file name and the front-matter: a bad one would make an issue that never builds
  if (!isoDate.safeParse(date).success) {
    throw new RassylkaError({
      ruleId: "new/bad-date",
      severity: "error",
      message: t("new:badDate", { date }),
      field: "--date",
      fix: t("new:badDate.fix"),
    });
  }
  // an issues/ folder made outside a newsletter would never be built: refuse, and say where to run
  try {
    await access(join(resolve(root), CONFIG_FILE));
  } catch {
    throw new RassylkaError({
      ruleId: "config/missing",
      severity: "error",
      message: t("config:missing", { file: CONFIG_FILE, dir: resolve(root) }),
      file: CONFIG_FILE,
      fix: t("config:missing.fix"),
    });
  }
  const slug = slugFromTitle(title);
  const dir = join(resolve(root), ISSUES_DIR);
  const file = join(dir, `${date}-${slug}.md`);
  try {
    await access(file);
    throw new RassylkaError({
      ruleId: "new/exists",
      severity: "error",
      message: t("new:exists", { file: relative(resolve(root), file) }),
      file: relative(resolve(root), file),
      fix: t("new:exists.fix"),
    });
  } catch (e) {
    if (e instanceof RassylkaError) throw e;
  }
  await mkdir(dir, { recursive: true });
  const yamlTitle = JSON.stringify(title);
  await writeFile(
    file,
    `---\ntitle: ${yamlTitle}\ndate: ${date}\npreheader: ""\ndraft: true\n---\n{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}\n\nТекст выпуска.\n`,
    { flag: "wx" },
  );
  return file;
}

export function registerNew(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("new")
    .description(t("cli:command.new"))
    .argument("<title>", t("new:flag.title"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--date <YYYY-MM-DD>", t("new:flag.date"))
    .action(async (title: string, flags: { root: string; date?: string }) => {
      const file = await createIssue(flags.root, title, flags.date);
      io.out(t("new:created", { file: relative(process.cwd(), file) }));
      setCode(0);
    });
}
