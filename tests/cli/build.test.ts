import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIssue } from "../../src/cli/new.js";
import { PARALLEL_MIN_ISSUES } from "../../src/compile/parallel.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { initNewsletter } from "../../src/project/init.js";
import { REPO, tempDir, writeFiles } from "../helpers/newsletter.js";

/**
 * The built binary, as a user runs it: `node bin/rassylka.js …` in temp folders (after
 * `tsc -p tsconfig.build.json`). Covers init, new, build, partial failure and every kind of bad input.
 */
const run = promisify(execFile);
const BIN = join(REPO, "bin", "rassylka.js");

async function rassylka(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

type Run = { code: number; out: string; err: string };
let tmp: string;
let removeTmp: () => Promise<void>;
/** CLI runs that do not depend on each other start together (each pays ~1 s of Node start-up). */
let jobs: {
  foreign: Promise<Run>;
  bad: Promise<Run>;
  mjml: Promise<Run & { line: number }>;
  config: Promise<Run & { line: number }>;
  none: Promise<Run>;
};

beforeAll(async () => {
  ({ dir: tmp, remove: removeTmp } = await tempDir("rsk-cli-"));
  jobs = { foreign: foreignBuild(), bad: badBuild(), mjml: mjmlBuild(), config: configBuild(), none: rassylka(["build"], tmp) };
  // a failed setup fails its tests, not the others
  for (const j of Object.values(jobs)) j.catch(() => undefined);
}, 120_000);
afterAll(() => removeTmp());

describe("rassylka init, build, new", () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(tmp, "novaya");
  });

  it("init DIR creates config, templates and one example issue", async () => {
    const r = await rassylka(["init", dir, "--language", "ru"], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("cd novaya && npx rassylka build");
    expect((await readdir(dir)).sort()).toEqual([".env", ".gitignore", "issues", "lists", "newsletter.yaml", "package.json", "templates"]);
    expect(await readdir(join(dir, "issues"))).toEqual([`${today()}-pervyy-vypusk.md`]);
  });

  it("init --root DIR works like init DIR (every command takes --root)", async () => {
    const other = join(tmp, "drugaya");
    const r = await rassylka(["init", "--root", other, "--language", "ru"], tmp);
    expect(r.code).toBe(0);
    expect((await readdir(other)).sort()).toEqual([
      ".env",
      ".gitignore",
      "issues",
      "lists",
      "newsletter.yaml",
      "package.json",
      "templates",
    ]);
  });

  it("build --root DIR builds it as is and prints where the output is", async () => {
    const r = await rassylka(["build", "--root", dir], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`issues/${today()}-pervyy-vypusk.md → novaya/dist/${today()}-pervyy-vypusk.html`);
    expect(r.out).toMatch(/Built 1 issue into novaya\/dist\/ in [\d,]+ ms\./);
    const files = await readdir(join(dir, "dist"));
    expect(files).toEqual(expect.arrayContaining([`${today()}-pervyy-vypusk.html`, `${today()}-pervyy-vypusk.txt`, "manifest.json"]));
    const text = await readFile(join(dir, "dist", `${today()}-pervyy-vypusk.txt`), "utf8");
    expect(text).toContain("Первый выпуск");
    expect(text).toContain("Здравствуйте!");
  });

  it('new "Заголовок" creates issues/YYYY-MM-DD-zagolovok.md with the required front-matter', async () => {
    const r = await rassylka(["new", "Заголовок", "--root", dir], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Created novaya/issues/${today()}-zagolovok.md`);
    const text = await readFile(join(dir, "issues", `${today()}-zagolovok.md`), "utf8");
    expect(text).toMatch(new RegExp(`^---\\ntitle: "Заголовок"\\ndate: ${today()}\\n[\\s\\S]*\\n---\\n`));
  });

  it("the next build takes the first issue from the cache and checks the new one, a draft, without writing it", async () => {
    const r = await rassylka(["build", "--root", dir], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`${today()}-pervyy-vypusk\\.txt \\([\\d.]+ KB, cached\\)`));
    expect(r.out).toContain(`issues/${today()}-zagolovok.md: a draft, checked and not written to novaya/dist/`);
    expect(await readdir(join(dir, "dist"))).not.toContain(`${today()}-zagolovok.html`);
  });

  it("new in the newsletter's folder (no --root) with --date", async () => {
    const r = await rassylka(["new", "Текущая дебиторка: что дальше?", "--date", "2026-07-01"], dir);
    expect(r.code).toBe(0);
    expect(await readdir(join(dir, "issues"))).toContain("2026-07-01-tekushchaya-debitorka-chto-dalshe.md");
  });

  it("new never overwrites; init never reuses a newsletter folder", async () => {
    const again = await createIssue(dir, "Заголовок").catch((e: unknown) => e);
    expect(isRassylkaError(again) && again.diagnostics[0].ruleId).toBe("new/exists");
    const init = await initNewsletter(dir).catch((e: unknown) => e);
    expect(isRassylkaError(init) && init.diagnostics[0].ruleId).toBe("init/not-empty");
  });
});

async function foreignBuild(): Promise<Run> {
  const dir = join(tmp, "chuzhaya");
  await initNewsletter(dir);
  await writeFiles(dir, { "issues/2026-06-15-zvonok.md": FOREIGN_ISSUE });
  return rassylka(["build", "--root", dir], tmp);
}

/** Issues written by someone else: tables, nested lists, images, block quotes, raw HTML. */
const FOREIGN_ISSUE = `---
title: Звонок перед оплатой
date: 2026-06-15
preheader: Три вопроса, которые стоит задать клиенту за неделю до платежа
author: Гость редакции
tags: [дебиторка]
---
{{#if subscriber.name}}{{subscriber.name}}, здравствуйте!{{else}}Здравствуйте!{{/if}}

## Таблица сроков

| Когда звонить     | Что спросить                  | Зачем |
|:------------------|:------------------------------|------:|
| За неделю         | "Всё ли в порядке с поставкой?" | 1 |
| За день           | Подтвердить дату платежа       | 2 |

## План разговора

1. Поздороваться:
   - по имени-отчеству;
   - без спешки.
2. Спросить о делах:
   1. как идут продажи;
   2. есть ли претензии.
3. Договориться - и записать.

![Схема разговора с клиентом](https://example.org/img/skhema.png)

> — Сергей Николаевич, добрый день! Как идут продажи?
>
> > — Спасибо, всё хорошо.
>
> — Тогда до двадцатого!

<p align="center"><a href="https://example.org/treningi">Записаться на тренинг</a></p>

Пишите \\{{subscriber.name}}, чтобы обратиться к читателю по имени.
`;

describe("init + build --root on issues someone else wrote", () => {
  let dir: string;
  let html: string;
  let text: string;
  beforeAll(async () => {
    dir = join(tmp, "chuzhaya");
    const r = await jobs.foreign;
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    // typograf's non-breaking spaces read as spaces here
    html = (await readFile(join(dir, "dist", "2026-06-15-zvonok.html"), "utf8")).replaceAll("\u00a0", " ");
    text = (await readFile(join(dir, "dist", "2026-06-15-zvonok.txt"), "utf8")).replaceAll("\u00a0", " ");
  });

  it("a table: an HTML table with its cells, and a table in the text", () => {
    expect(html).toMatch(/<table class="rsk-data"/);
    expect(html).toMatch(/<th[^>]*>Когда звонить<\/th>/);
    expect(html).toMatch(/<td[^>]*>«Всё ли в порядке с поставкой\?»<\/td>/);
    expect(text).toMatch(/Когда звонить +Что спросить +Зачем/);
    expect(text).toMatch(/За неделю +«Всё ли/);
  });

  it("nested lists keep their nesting", () => {
    expect(html).toMatch(/<ol[^>]*>\s*<li[^>]*>Поздороваться:\s*<ul[^>]*>\s*<li[^>]*>по имени-отчеству;/);
    expect(html).toMatch(/<li[^>]*>Спросить о делах:\s*<ol[^>]*>\s*<li[^>]*>как идут продажи;/);
    expect(text).toMatch(/ 1\. Поздороваться:\n +\* по имени-отчеству;/);
    expect(text).toMatch(/ +1\. как идут продажи;/);
  });

  it("images: <img> with alt in the HTML, the alt in the text", () => {
    expect(html).toMatch(/<img [^>]*src="https:\/\/example\.org\/img\/skhema\.png"/);
    expect(html).toContain('alt="Схема разговора с клиентом"');
    expect(text).toContain("Схема разговора с клиентом");
    expect(text).not.toContain("skhema.png");
  });

  it("block quotes, nested too", () => {
    expect(html).toMatch(/<blockquote[^>]*>\s*<p[^>]*>— Сергей Николаевич/);
    expect(html).toMatch(/<blockquote[^>]*>\s*<p[^>]*>— Спасибо, всё хорошо\.<\/p>\s*<\/blockquote>/);
    expect(text).toContain("> — Сергей Николаевич");
    expect(text).toContain("> > — Спасибо, всё хорошо.");
  });

  it("raw HTML, typography, the \\{{ literal and the web version's fallback", () => {
    expect(html).toContain('<a href="https://example.org/treningi"');
    expect(text).toContain("Записаться на тренинг (https://example.org/treningi)");
    expect(html).toContain("Договориться — и записать.");
    expect(html).toContain("Пишите {{subscriber.name}}, чтобы");
    expect(html).toContain("Здравствуйте!");
    expect(html).not.toContain("здравствуйте!");
  });

  it("the manifest lists it with its own author's fields", async () => {
    const manifest = JSON.parse(await readFile(join(dir, "dist", "manifest.json"), "utf8")) as { slug: string; preheader: string }[];
    expect(manifest.find((e) => e.slug === "2026-06-15-zvonok")?.preheader).toBe(
      "Три вопроса, которые стоит задать клиенту за неделю до платежа",
    );
  });
});

/** One issue per kind of bad input, and one good one. 13 issues: enough for the build's worker threads. */
const BAD: Record<string, string> = {
  "issues/2026-06-01-yaml.md": "---\ntitle: T\ndate: 2026-06-01\ntags: [a, b\n---\nТекст\n",
  "issues/2026-06-02-schema.md": "---\ntitle: T\ndate: 2026-02-30\n---\nТекст\n",
  "issues/2026-06-03-title.md": "---\ndate: 2026-06-03\n---\nТекст\n",
  "issues/2026-06-04-unknown.md": "---\ntitle: T\ndate: 2026-06-04\nsubjet: Тема\n---\nТекст\n",
  "issues/2026-06-05-unclosed.md": "---\ntitle: T\ndate: 2026-06-05\n---\nПривет\n\n{{#if subscriber.name}}\nИмя\n",
  "issues/2026-06-06-helper.md": "---\ntitle: T\ndate: 2026-06-06\n---\n{{#foreach events}}x{{/foreach}}\n",
  "issues/2026-06-07-partial.md": "---\ntitle: T\ndate: 2026-06-07\n---\nТекст\n\n{{> podpis}}\n",
  "issues/2026-06-08-layout.md": "---\ntitle: T\ndate: 2026-06-08\ntemplate: promo\n---\nТекст\n",
  "issues/2026-06-09-empty.md": "",
  "issues/2026-06-10-nofm.md": "# Заголовок\n\nТекст без front-matter\n",
  "issues/2026-06-11-unclosedfm.md": "---\ntitle: T\ndate: 2026-06-11\n\nТекст\n",
  "issues/2026-06-12-good.md": "---\ntitle: Хороший выпуск\ndate: 2026-06-12\n---\nТекст\n",
};

/** The worker threshold the bad-input build runs with (RASSYLKA_BUILD_PARALLEL_MIN). */
const BAD_MIN = 12;

async function badBuild(): Promise<Run> {
  const dir = join(tmp, "bad");
  await initNewsletter(dir);
  await writeFiles(dir, BAD);
  // workers start only for big builds: this one is made big enough to go through them
  return rassylka(["build", "--root", dir, "--no-cache"], tmp, { RASSYLKA_BUILD_PARALLEL_MIN: String(BAD_MIN) });
}

async function mjmlBuild(): Promise<Run & { line: number }> {
  const dir = join(tmp, "mjml");
  await initNewsletter(dir);
  const layout = join(dir, "templates", "layouts", "default.mjml.hbs");
  const lines = (await readFile(layout, "utf8")).split("\n");
  const at = lines.findIndex((l) => l.includes("<mj-section") && !l.includes("{{"));
  lines[at] = lines[at].replace("<mj-section", '<mj-section colour="red"');
  await writeFile(layout, lines.join("\n"));
  await writeFiles(dir, { "issues/2026-06-01-vtoroy.md": "---\ntitle: Второй\ndate: 2026-06-01\n---\nТекст\n" });
  return { ...(await rassylka(["build", "--root", dir], tmp)), line: at + 1 };
}

async function configBuild(): Promise<Run & { line: number }> {
  const dir = join(tmp, "cfg");
  await initNewsletter(dir);
  const file = join(dir, "newsletter.yaml");
  const text = (await readFile(file, "utf8")).replace("eventsWindowDays:", "eventsWindowDay:");
  await writeFile(file, text);
  const line = text.split("\n").findIndex((l) => l.startsWith("eventsWindowDay:")) + 1;
  return { ...(await rassylka(["build", "--root", dir], tmp)), line };
}

describe("rassylka build: bad input", () => {
  let dir: string;
  let r: Run;

  beforeAll(async () => {
    dir = join(tmp, "bad");
    r = await jobs.bad;
  });

  it("the build is big enough to go through the worker threads", async () => {
    expect(Object.keys(BAD).length + 1).toBeGreaterThanOrEqual(BAD_MIN);
    expect(BAD_MIN).toBeLessThan(PARALLEL_MIN_ISSUES);
  });

  it("exits 1, builds the good issues and says which failed", async () => {
    expect(r.code).toBe(1);
    expect(r.out).not.toContain("cached)");
    const files = await readdir(join(dir, "dist"));
    expect(files).toContain("2026-06-12-good.html");
    expect(files).toContain(`${today()}-pervyy-vypusk.html`);
    expect(files.filter((f) => /^2026-06-(0\d|1[01])/.test(f))).toEqual([]);
    expect(r.out).toMatch(/Built 2 issues into bad\/dist\/ in [\d,]+ ms; 11 failed: /);
  });

  it.each([
    // each line of stderr: `file:line[:col]: error: message (field …) [rule]`, then `  fix: …`
    ["YAML syntax", /^issues\/2026-06-01-yaml\.md:4:\d+: error: YAML syntax error: .* \(field tags\) \[yaml\/syntax\]$/m],
    [
      "a date that does not exist",
      /^issues\/2026-06-02-schema\.md:3:7: error: "date": expected a real date .* \(field date\) \[frontmatter\/invalid\]$/m,
    ],
    ["a required field", /^issues\/2026-06-03-title\.md:2:1: error: "title" is required \(field title\) \[frontmatter\/missing\]$/m],
    [
      "an unknown key",
      /^issues\/2026-06-04-unknown\.md:4:1: error: unknown key "subjet" — did you mean subject\? \(field subjet\) \[frontmatter\/unknown-key\]$/m,
    ],
    ["an unclosed block", /^issues\/2026-06-05-unclosed\.md:7:1: error: \{\{#if\}\} is never closed \[handlebars\/unclosed-block\]$/m],
    [
      "an unknown block helper",
      /^issues\/2026-06-06-helper\.md:5:1: error: unknown block helper \{\{#foreach\}\} \[handlebars\/unknown-helper\]$/m,
    ],
    ["a missing partial", /^issues\/2026-06-07-partial\.md:7:1: error: partial "podpis" not found \[handlebars\/missing-partial\]$/m],
    [
      "a missing layout",
      /^issues\/2026-06-08-layout\.md:4: error: layout "promo" not found \(field template\) \[template\/missing-layout\]$/m,
    ],
    ["an empty file", /^issues\/2026-06-09-empty\.md:1: error: the issue file is empty \[issue\/empty\]$/m],
    ["no front-matter", /^issues\/2026-06-10-nofm\.md:1: error: the issue has no front-matter \[issue\/no-frontmatter\]$/m],
    [
      "unclosed front-matter",
      /^issues\/2026-06-11-unclosedfm\.md:1: error: the front-matter is not closed \[issue\/unclosed-frontmatter\]$/m,
    ],
  ])("%s: file, line and field on stderr, then how to fix it", (_name, pattern) => {
    expect(r.err).toMatch(pattern);
    const at = r.err.search(pattern);
    const next = r.err.slice(at).split("\n")[1];
    expect(next).toMatch(/^ {2}fix: \S/);
  });

  it("every failed issue is listed", () => {
    for (const f of Object.keys(BAD).filter((f) => !f.includes("good"))) expect(r.out).toContain(f);
  });

  it("invalid MJML in a layout: every issue fails, pointing at the template file and line", async () => {
    const b = await jobs.mjml;
    expect(b.code).toBe(1);
    expect(b.err).toContain(
      `templates/layouts/default.mjml.hbs:${b.line}: error: MJML: <mj-section> Attribute colour is illegal [mjml/validation]`,
    );
    expect(b.out).toContain("Built 0 issues");
    expect(b.out).toContain("2 failed");
    // the same template error for both issues is printed once (regression)
    expect(b.err.split("[mjml/validation]").length - 1).toBe(1);
  });

  it("a bad newsletter.yaml: file, line, field; nothing built", async () => {
    const b = await jobs.config;
    expect(b.code).toBe(1);
    expect(b.err).toContain(
      `newsletter.yaml:${b.line}:1: error: unknown key "eventsWindowDay" — did you mean eventsWindowDays? (field eventsWindowDay) [config/unknown-key]`,
    );
    expect(b.out).toBe("");
  });

  it("a folder without newsletter.yaml says how to get one", async () => {
    const b = await jobs.none;
    expect(b.code).toBe(1);
    expect(b.err).toContain("newsletter.yaml: error: no newsletter.yaml in");
    expect(b.err).toContain("rassylka init DIR");
  });
});
