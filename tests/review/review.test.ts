import { execFile } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isRassylkaError } from "../../src/diagnostics.js";
import { review } from "../../src/review/review.js";
import { englishLines } from "../helpers/cli.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS, ISSUE_A, ISSUE_B, REPO } from "../preview/helpers.js";

const run = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  // the review page is the editors': here they read Russian
  RASSYLKA_LANG: "ru",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: "/nonexistent",
  CHROMIUM_PATH: CHROMIUM,
};
// Each review builds two sides and takes 18 to 24 screenshots: about 10 s alone, more while the rest
// of the suite shares the 2 cores.
const SLOW = 150_000;

const ISSUE_C = "2026-12-01-udalyaemyj";
const ISSUE_D = "2026-12-08-novyj";
const issue = (title: string, date: string, body: string) => `---\ntitle: ${title}\ndate: ${date}\npreheader: ${title}.\n---\n${body}\n`;

interface Row {
  slug: string;
  file: string;
  status: string;
  pixelsChanged: number | null;
  textChanged: boolean;
  size: { before: number | null; after: number | null };
  lint: { before: { errors: number; warnings: number } | null; after: { errors: number; warnings: number } | null };
  images: string[];
}

// A throwaway repository with the example newsletter and one more issue (v1); then one commit that edits
// issue A's text, touches B without changing how it renders, deletes C and adds D (v2); then one that
// changes a template colour (v3). `rassylka review` runs on v2 against v1 and on v3 against v2.
let repo: string;
let remove: () => Promise<void>;
let textReview: { code: number; rows: Row[]; stderr: string };
let colourReview: { code: number; stdout: string; stderr: string };
let browser: Browser;
const git = (...args: string[]) => run("git", args, { cwd: repo, env: GIT_ENV });
const cli = (...args: string[]) =>
  run("node", [join(REPO, "bin/rassylka.js"), ...args], { cwd: repo, env: GIT_ENV }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

beforeAll(async () => {
  ({ dir: repo, remove } = await copyExampleNewsletter());
  await writeFile(join(repo, "issues", `${ISSUE_C}.md`), issue("Выпуск на удаление", "2026-12-01", "Добрый день!\n\nКороткий выпуск."));
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git("commit", "-qm", "v1");
  await git("tag", "v1");

  const a = join(repo, "issues", `${ISSUE_A}.md`);
  await writeFile(a, (await readFile(a, "utf8")).replace("Сегодня — о следующем шаге", "Сегодня — о самом важном шаге"));
  // a blank line more at the end: the file changed, the email did not
  await writeFile(join(repo, "issues", `${ISSUE_B}.md`), `${await readFile(join(repo, "issues", `${ISSUE_B}.md`), "utf8")}\n`);
  await rm(join(repo, "issues", `${ISSUE_C}.md`));
  await writeFile(join(repo, "issues", `${ISSUE_D}.md`), issue("Новый выпуск", "2026-12-08", "Добрый день!\n\nСовсем новый выпуск."));
  await git("add", "-A");
  await git("commit", "-qm", "v2");
  await git("tag", "v2");
  const r = await cli("review", "--base", "v1", "--out", "review-text", "--json");
  textReview = { code: r.code, rows: r.code === 0 ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await remove?.();
});

const bySlug = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.slug, r]));

describe("rassylka review: an issue's text changed, one added, one removed", () => {
  test("--json: every issue with its status; pixels changed above zero exactly for the changed one", () => {
    expect(textReview.stderr).toBe("");
    expect(textReview.code).toBe(0);
    const rows = bySlug(textReview.rows);
    expect(Object.fromEntries(textReview.rows.map((r) => [r.slug, r.status]))).toEqual({
      [ISSUE_A]: "changed",
      [ISSUE_B]: "unchanged",
      [ISSUE_C]: "removed",
      [ISSUE_D]: "new",
    });
    expect(rows[ISSUE_A].pixelsChanged).toBeGreaterThan(0);
    expect(rows[ISSUE_A].pixelsChanged).toBeLessThan(0.5);
    expect(rows[ISSUE_A].textChanged).toBe(true);
    expect(rows[ISSUE_B].pixelsChanged).toBe(0);
    expect(rows[ISSUE_C].pixelsChanged).toBeNull();
    expect(rows[ISSUE_D].pixelsChanged).toBeNull();
    // sizes and lint counts of both sides, where the side exists
    expect(rows[ISSUE_A].size.before).toBeGreaterThan(10_000);
    expect(rows[ISSUE_A].size.after).toBeGreaterThan(10_000);
    expect(rows[ISSUE_A].lint.before).toEqual({ errors: expect.any(Number), warnings: expect.any(Number) });
    expect(rows[ISSUE_D].size.before).toBeNull();
    expect(rows[ISSUE_D].lint.before).toBeNull();
    expect(rows[ISSUE_C].size.after).toBeNull();
    expect(rows[ISSUE_C].lint.after).toBeNull();
  });

  test("images are files named after the slug, next to the page; none for an unchanged issue", async () => {
    const files = (await readdir(join(repo, "review-text"))).sort();
    const images = (slug: string) => files.filter((f) => f.startsWith(`${slug}-`));
    expect(images(ISSUE_A)).toEqual(
      ["375", "600", "dark"].flatMap((v) => [`${ISSUE_A}-${v}-after.png`, `${ISSUE_A}-${v}-before.png`, `${ISSUE_A}-${v}-diff.png`]),
    );
    expect(images(ISSUE_B)).toEqual([]);
    expect(images(ISSUE_C)).toEqual([`${ISSUE_C}-375-before.png`, `${ISSUE_C}-600-before.png`, `${ISSUE_C}-dark-before.png`]);
    expect(images(ISSUE_D)).toEqual([`${ISSUE_D}-375-after.png`, `${ISSUE_D}-600-after.png`, `${ISSUE_D}-dark-after.png`]);
    expect(files).toContain("index.html");
    expect(files).toContain("summary.md");
  });

  test("the page, opened from its folder in headless Chromium, shows before, after and the difference", async () => {
    const html = await readFile(join(repo, "review-text", "index.html"), "utf8");
    expect(html).toContain('<html lang="ru">');
    expect(html).not.toContain("loading=");
    // nothing from the network: no remote image, stylesheet or script
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(html).not.toContain("<script");

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_TEST_ARGS });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(repo, "review-text", "index.html")).href, { waitUntil: "load" });
    const shown = (slug: string) =>
      page.$$eval(`#issue-${slug} img`, (imgs) =>
        imgs.map((i) => ({
          src: i.getAttribute("src"),
          loaded: (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0,
        })),
      );
    const changed = await shown(ISSUE_A);
    expect(changed).toHaveLength(9);
    expect(changed.every((i) => i.loaded)).toBe(true);
    expect(changed.slice(0, 3).map((i) => i.src)).toEqual([
      `${ISSUE_A}-600-before.png`,
      `${ISSUE_A}-600-after.png`,
      `${ISSUE_A}-600-diff.png`,
    ]);
    expect((await shown(ISSUE_D)).map((i) => i.src)).toEqual([
      `${ISSUE_D}-600-after.png`,
      `${ISSUE_D}-375-after.png`,
      `${ISSUE_D}-dark-after.png`,
    ]);
    // an unchanged issue is listed, without images
    expect(await page.$(`#issue-${ISSUE_B}`)).toBeNull();
    expect(await page.textContent("#unchanged")).toContain(`issues/${ISSUE_B}.md`);
    const text = (await page.textContent(`#issue-${ISSUE_A}`)) ?? "";
    expect(text).toContain("изменён");
    expect(text).toContain("самом важном");
    expect(await page.textContent(`#issue-${ISSUE_A} .text .del`)).toContain("следующем шаге");
    expect(await page.textContent(`#issue-${ISSUE_C}`)).toContain("удалён");
    expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
    await page.close();
  });

  test("summary.md: a Markdown table of the issues that changed, the unchanged counted", async () => {
    const md = await readFile(join(repo, "review-text", "summary.md"), "utf8");
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    expect(rows[0]).toBe("| Выпуск | Статус | Изменено пикселей | Размер | Ошибки / предупреждения |");
    expect(rows).toHaveLength(4);
    const row = (slug: string) => rows.find((r) => r.includes(`issues/${slug}.md`)) ?? "";
    expect(row(ISSUE_A)).toMatch(/\| изменён \| \d+,\d+\s% \| [\d,]+\sКБ → [\d,]+\sКБ \| \d+ \/ \d+ \|$/);
    expect(row(ISSUE_C)).toContain("| удалён | — |");
    expect(row(ISSUE_D)).toContain("| новый | — | — → ");
    expect(row(ISSUE_B)).toBe("");
    expect(md).toContain("Без изменений: 1.");
    expect(md).toMatch(/Сравнение с `v1` \(`[0-9a-f]{7}`\)/);
  });
});

describe("rassylka review: a template colour changed", () => {
  beforeAll(async () => {
    const layout = join(repo, "templates", "layouts", "default.mjml.hbs");
    await writeFile(layout, (await readFile(layout, "utf8")).replaceAll("#1c3b5a", "#b3261e"));
    await git("commit", "-qam", "v3: headings in red");
    colourReview = await cli("review", "--base", "v2", "--out", "review-colour");
  }, SLOW);

  test("every issue changed, each with changed pixels; exit 0 and where the page is", async () => {
    expect(colourReview.code).toBe(0);
    expect(colourReview.stdout).toContain("review-colour/index.html");
    // the editors' language (Russian here): not an English line in what it printed
    expect(englishLines(`${colourReview.stdout}\n${colourReview.stderr}`)).toEqual([]);
    const md = await readFile(join(repo, "review-colour", "summary.md"), "utf8");
    const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Выпуск"));
    expect(rows).toHaveLength(3);
    for (const slug of [ISSUE_A, ISSUE_B, ISSUE_D]) {
      const row = rows.find((r) => r.includes(`issues/${slug}.md`)) ?? "";
      expect(row).toContain("| изменён |");
      // the share is above zero: "0 %" would not match
      expect(row).toMatch(/\| (?:0,\d*[1-9]\d*|[1-9]\d*(?:,\d+)?)\s% \|/);
    }
    expect(md).not.toContain("Без изменений");
    // the text part did not change, only the pixels
    const html = await readFile(join(repo, "review-colour", "index.html"), "utf8");
    expect(html).toContain("Текстовая версия не изменилась.");
  });
});

describe("rassylka review: bad input", () => {
  test("a --base that is not a commit: exit 1, what is wrong and how to fix it, no stack", async () => {
    const r = await cli("review", "--base", "origin/nope");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    // the review's words are the editors' (Russian here); the rule id stays
    expect(r.stderr).toContain("--base «origin/nope» — не коммит этого репозитория");
    expect(r.stderr).toContain("fetch-depth: 0");
    expect(r.stderr).toContain("[review/bad-base]");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(englishLines(r.stderr)).toEqual([]);
    // in English: the same exit code and rule id, the words English
    const en = await cli("review", "--base", "origin/nope", "--lang", "en");
    expect(en.code).toBe(1);
    expect(en.stderr).toContain("[review/bad-base]");
    expect(en.stderr).toContain("origin/nope");
    expect(en.stderr).not.toContain("не коммит");
  });

  test("--base is required", async () => {
    const r = await cli("review");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--base <git-ref>");
  });

  test("outside a git repository, and into a folder that is not a review's: errors with the fix", async () => {
    const plain = await copyExampleNewsletter();
    try {
      const error = await review({ root: plain.dir, base: "main" }).catch((e: unknown) => e);
      expect(isRassylkaError(error) && error.diagnostics[0].ruleId).toBe("review/not-a-repository");
    } finally {
      await plain.remove();
    }
    const error = await review({ root: repo, base: "v2", out: "issues" }).catch((e: unknown) => e);
    expect(isRassylkaError(error) && error.diagnostics[0].ruleId).toBe("review/out-not-empty");
    expect((error as Error).message).toContain("--out");
    expect(await readdir(join(repo, "issues"))).toHaveLength(3);
  });
});
