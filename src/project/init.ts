import { randomBytes } from "node:crypto";
import { appendFile, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { CONFIG_FILE } from "../config/load.js";
import { PLACEHOLDER_HOST } from "../config/placeholder.js";
import { RassylkaError } from "../diagnostics.js";
import { type Lang, tr, translator } from "../i18n/index.js";
import { slugFromTitle } from "../issue/slug.js";
import { today } from "../util/date.js";
import { VERSION } from "../version.js";
import { ISSUES_DIR } from "./project.js";

/** The package's own folder: init copies its templates/. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The folder for readers' CSV files: kept out of git by the .gitignore init writes. */
export const LISTS_DIR = "lists";

/** What a newsletter's .gitignore keeps out of git: outputs, local state, secrets, readers' data. */
export const IGNORED = ["dist/", "outbox/", "review/", "report/", ".rassylka/", ".env", `${LISTS_DIR}/*`, `!${LISTS_DIR}/README.md`];

export interface InitOptions {
  /** The language of the config, the example issue and the templates' words (default ru). */
  language: Lang;
  /** The archive's public address; without it, placeholders on PLACEHOLDER_HOST. */
  url?: string;
  /** The example issue's date, YYYY-MM-DD (default today). */
  date: string;
}

export interface InitResult {
  root: string;
  /** Files and folders written, relative to root. */
  written: string[];
  /** Files that were there already and were left as they are (package.json, .env). */
  kept: string[];
  /** The .env file with the fresh secret, when written. */
  envFile?: string;
}

/**
 * `rassylka init DIR`: a newsletter that `rassylka build` builds and `rassylka lint` passes (warnings for the
 * placeholders only), in the chosen language: newsletter.yaml, templates/, one example issue, package.json
 * (rassylka as a dependency, build/preview/lint scripts), .env with a fresh RASSYLKA_SECRET, .gitignore and
 * lists/ for readers' files.
 */
export async function initNewsletter(dir: string, given: Partial<InitOptions> = {}): Promise<InitResult> {
  const options: InitOptions = { language: "ru", date: today(), ...given };
  const root = resolve(dir);
  const url = options.url ? checkUrl(options.url) : undefined;
  await mkdir(root, { recursive: true });
  const existing = await readdir(root);
  const clash = existing.filter((f) => [CONFIG_FILE, "templates", ISSUES_DIR].includes(f));
  if (clash.length) {
    throw new RassylkaError({
      ruleId: "init/not-empty",
      severity: "error",
      message: `${dir} already has ${clash.join(", ")}`,
      fix: "choose an empty or new folder; init never overwrites a newsletter",
    });
  }
  const { t } = translator(options.language);
  const written: string[] = [];
  const kept: string[] = [];
  const write = async (name: string, text: string, mode?: number) => {
    if (existing.includes(name)) {
      kept.push(name);
      return false;
    }
    await writeFile(join(root, name), text, { flag: "wx", mode });
    written.push(name);
    return true;
  };
  await write(CONFIG_FILE, starterConfig(options.language, url));
  await cp(join(PACKAGE_ROOT, "templates"), join(root, "templates"), { recursive: true, errorOnExist: true, force: false });
  written.push("templates/");
  const title = t("init:issueTitle");
  await mkdir(join(root, ISSUES_DIR), { recursive: true });
  const issue = `${ISSUES_DIR}/${options.date}-${slugFromTitle(title)}.md`;
  await writeFile(join(root, issue), exampleIssue(options.language, options.date), { flag: "wx" });
  written.push(issue);
  await write("package.json", packageJson(basename(root)));
  const envWritten = await write(".env", dotEnv(options.language), 0o600);
  await ignoreOutputs(join(root, ".gitignore"));
  written.push(".gitignore");
  await mkdir(join(root, LISTS_DIR), { recursive: true });
  await writeFile(join(root, LISTS_DIR, "README.md"), `${t("init:listsReadme")}\n`, { flag: "wx" }).catch(() => undefined);
  written.push(`${LISTS_DIR}/`);
  return { root, written, kept, envFile: envWritten ? ".env" : undefined };
}

/** The archive address given to --url, checked; its error is for the editor, in the editor's language. */
function checkUrl(raw: string): string {
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {}
  if (!u || !/^https?:$/.test(u.protocol)) {
    throw new RassylkaError({
      ruleId: "init/bad-url",
      severity: "error",
      message: tr().t("init:badUrl", { url: raw }),
      field: "--url",
      fix: tr().t("init:badUrl.fix"),
    });
  }
  return u.href.replace(/\/+$/, "");
}

/** newsletter.yaml, commented in the chosen language; placeholders marked where the editor must fill in. */
function starterConfig(language: Lang, url?: string): string {
  const { t } = translator(language);
  const base = url ?? `https://${PLACEHOLDER_HOST}`;
  const mark = (value: string) => (value.includes(PLACEHOLDER_HOST) ? `  # ${t("init:placeholder")}` : "");
  const y = (value: unknown) => stringify(value).trim();
  const from = `news@${PLACEHOLDER_HOST}`;
  const lines = [
    `# ${t("init:configHeader")}`,
    `name: ${y(t("init:name"))}`,
    `description: ${y(t("init:description"))}`,
    `language: ${language}`,
    `# ${t("init:urlComment")}`,
    `url: ${base}${mark(base)}`,
    "from:",
    `  name: ${y(t("init:fromName"))}`,
    `  email: ${from}${mark(from)}`,
    `author: ${y(t("init:author"))}`,
    "nav: []",
    "contacts:",
    `  email: hello@${PLACEHOLDER_HOST}${mark(PLACEHOLDER_HOST)}`,
    `  site: ${base}${mark(base)}`,
    "  # address: …",
    `# ${t("init:eventsComment")}`,
    "events: []",
    `eventsHeading: ${y(t("email-words:eventsHeading"))}`,
    "eventsWindowDays: 60",
    "unsubscribe:",
    `  url: ${base}/unsubscribe${mark(base)}`,
    `  mailto: unsubscribe@${PLACEHOLDER_HOST}${mark(PLACEHOLDER_HOST)}`,
    "preview:",
    "  subscribers:",
    `    - email: reader@${PLACEHOLDER_HOST}`,
    `      name: ${y(language === "en" ? "Anna" : "Анна")}`,
    `    - email: another.reader@${PLACEHOLDER_HOST}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The example issue, in the chosen language, that builds and lints with no error. Not a draft: a new
 * editor's first `build` has something to show in dist/ (drafts are not written there).
 */
function exampleIssue(language: Lang, date: string): string {
  const { t } = translator(language);
  const greeting = `{{#if subscriber.name}}${t("init:greetingNamed", { name: "{{subscriber.name}}" })}{{else}}${t("init:greeting")}{{/if}}`;
  return [
    "---",
    `title: ${JSON.stringify(t("init:issueTitle"))}`,
    `date: ${date}`,
    `preheader: ${JSON.stringify(t("init:issuePreheader"))}`,
    "---",
    greeting,
    "",
    t("init:body1"),
    "",
    t("init:body2"),
    "",
    `- ${t("init:item1")}`,
    `- ${t("init:item2")}`,
    `- ${t("init:item3")}`,
    "",
    t("init:body3"),
    "",
  ].join("\n");
}

/** The newsletter's package.json: rassylka as a dependency, so `npm install` there gets the CLI. */
function packageJson(folder: string): string {
  const name =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-._]+|-+$/g, "") || "newsletter";
  const pkg = {
    name,
    private: true,
    scripts: { build: "rassylka build", preview: "rassylka preview", lint: "rassylka lint" },
    dependencies: { rassylka: `^${VERSION}` },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** .env with a fresh secret (32 random bytes, hex): the key of every unsubscribe and bounce token. */
function dotEnv(language: Lang): string {
  const { t } = translator(language);
  return `# ${t("init:secret", { file: ".env" })}\nRASSYLKA_SECRET=${randomBytes(32).toString("hex")}\n`;
}

/** Our outputs into .gitignore: a new one, or the lines an existing one (a git repository's) lacks. */
async function ignoreOutputs(file: string): Promise<void> {
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing === undefined) {
    await writeFile(file, `${IGNORED.join("\n")}\n`, { flag: "wx" });
    return;
  }
  const have = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((w) => !have.has(w) && !have.has(w.replace(/\/$/, "")));
  if (missing.length) await appendFile(file, `${existing === "" || existing.endsWith("\n") ? "" : "\n"}${missing.join("\n")}\n`);
}
