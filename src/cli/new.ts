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
      message: `--date "${date}" is not a real date written YYYY-MM-DD`,
      field: "--date",
      fix: "write it as YYYY-MM-DD, e.g. --date 2026-03-15, or leave it out for today",
    });
  }
  // an issues/ folder made outside a newsletter would never be built: refuse, and say where to run
  try {
    await access(join(resolve(root), CONFIG_FILE));
  } catch {
    throw new RassylkaError({
      ruleId: "config/missing",
      severity: "error",
      message: `no ${CONFIG_FILE} in ${resolve(root)}`,
      file: CONFIG_FILE,
      fix: "run the command in the newsletter's folder, pass --root DIR, or create one with `rassylka init DIR`",
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
      message: `${relative(resolve(root), file)} already exists`,
      file: relative(resolve(root), file),
      fix: "pick another title or --date, or edit the existing issue",
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
    .argument("<title>", "the issue's title (any language; the file name is transliterated)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--date <YYYY-MM-DD>", "the issue's date (default: today)")
    .action(async (title: string, flags: { root: string; date?: string }) => {
      const file = await createIssue(flags.root, title, flags.date);
      io.out(`Created ${relative(process.cwd(), file)}`);
      setCode(0);
    });
}
