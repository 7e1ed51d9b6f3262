import { readFile, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { type PreviewServer, startPreview } from "../../src/preview/server.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS, copyExampleNewsletter, ISSUE_A, ISSUE_B } from "./helpers.js";

// End to end: the preview server on a temp copy of the example newsletter, in real headless Chromium.
let dir: string;
let remove: () => Promise<void>;
let server: PreviewServer;
let browser: Browser;
let page: Page;
const originals = new Map<string, string>();
const rebuilds: { keys: string[]; all: boolean }[] = [];

async function edit(rel: string, change: (text: string) => string): Promise<void> {
  const path = join(dir, rel);
  const text = await readFile(path, "utf8");
  if (!originals.has(rel)) originals.set(rel, text);
  const next = change(text);
  expect(next).not.toBe(text);
  await writeFile(path, next);
}

/** The text of the email in one of the issue page's frames ("" while it reloads). */
async function frameText(p: Page, id: "frame-600" | "frame-375"): Promise<string> {
  try {
    return (await p.frameLocator(`#${id}`).locator("body").textContent({ timeout: 2000 })) ?? "";
  } catch {
    return "";
  }
}

// the preview is the editors' tool: its panel and error pages speak the editor's language, here Russian
beforeAll(async () => {
  setLanguage("ru");
  ({ dir, remove } = await copyExampleNewsletter());
  server = await startPreview({ root: dir, port: 0, debounceMs: 40, onRebuild: (r) => rebuilds.push(r) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_TEST_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await remove?.();
});

afterEach(async () => {
  await page?.close();
  // put edited files back and let the server settle, so each test starts from the example newsletter
  if (!originals.size) return;
  const before = rebuilds.length;
  for (const [rel, text] of originals) await writeFile(join(dir, rel), text);
  originals.clear();
  await expect.poll(() => rebuilds.length, { timeout: 10_000 }).toBeGreaterThan(before);
  await new Promise((r) => setTimeout(r, 100));
  await server.idle();
});

describe("rassylka preview", () => {
  test("binds 127.0.0.1 and refuses other host names", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    // fetch() may not set Host; node:http may, as a DNS-rebinding page's requests would carry it
    const status = await new Promise<number | undefined>((resolve, reject) =>
      get(server.url, { headers: { host: "evil.example:80" } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on("error", reject),
    );
    expect(status).toBe(403);
  });

  test("the index lists every issue newest first with date, subject, size and lint counts", async () => {
    page = await browser.newPage();
    await page.goto(server.url);
    const rows = page.locator("tr[data-key]");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-key")))).toEqual([ISSUE_B, ISSUE_A]);
    const first = rows.nth(0);
    await expect.poll(() => first.textContent()).toContain("Не прячьтесь за «фирму»");
    expect(await first.textContent()).toContain("24 ноября 2026");
    const bytes = Number(await first.locator("[data-bytes]").getAttribute("data-bytes"));
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(102 * 1024);
    expect(await first.locator("[data-errors]").getAttribute("data-errors")).toBe("0");
    expect(await first.locator("[data-warnings]").count()).toBe(1);
    // the subject, not the title, where the front-matter gives one
    expect(await rows.nth(1).textContent()).toContain("Договор подписан, оплата через месяц");
  });

  test("a draft gets a badge on the index", async () => {
    page = await browser.newPage();
    await page.goto(server.url);
    expect(await page.locator(`tr[data-key="${ISSUE_A}"] .badge.draft`).count()).toBe(0);
    await edit(`issues/${ISSUE_A}.md`, (t) => t.replace("tags: [дебиторка, звонки]", "tags: [дебиторка, звонки]\ndraft: true"));
    await expect.poll(() => page.locator(`tr[data-key="${ISSUE_A}"] .badge.draft`).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator(`tr[data-key="${ISSUE_B}"] .badge.draft`).count()).toBe(0);
  });

  test("the issue page shows the email at 600 and 375 px, the text and the source", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}issue/${ISSUE_A}`);
    for (const [id, width] of [
      ["frame-600", 600],
      ["frame-375", 375],
    ] as const) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box?.width).toBe(width);
      const frame = page.frameLocator(`#${id}`);
      await expect.poll(() => frame.locator("h1").first().textContent()).toContain("Текущая дебиторка");
      expect(await frame.locator("html").evaluate((el) => el.clientWidth)).toBe(width);
      expect(await frameText(page, id)).toContain("Добрый день, уважаемые читатели!");
    }
    // the layout is responsive: its column fills the phone frame
    const column375 = await page
      .frameLocator("#frame-375")
      .locator(".mj-column-per-100")
      .first()
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(column375).toBe(375);

    const text = page.locator("#plain-text");
    expect(await text.isVisible()).toBe(false);
    await page.locator('[data-tab="text"]').click();
    expect(await text.isVisible()).toBe(true);
    expect(await page.locator("#frame-600").isVisible()).toBe(false);
    const plain = (await text.textContent()) ?? "";
    expect(plain).toContain("Добрый день, уважаемые читатели!");
    expect(plain).toContain("Главная ошибка этого этапа");
    expect(plain).not.toContain("<p>");

    await page.locator('[data-tab="source"]').click();
    const source = (await page.locator("#html-source").textContent()) ?? "";
    expect(source.toLowerCase()).toContain("<!doctype html>");
    expect(source).toContain("<h2");

    expect(await page.locator("[data-bytes]").count()).toBe(1);
    expect(await page.locator("#findings").textContent()).toMatch(/Замечания/);
  });

  test("the subscriber picker renders the email for a sample reader", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}issue/${ISSUE_A}`);
    await expect.poll(() => frameText(page, "frame-600")).toContain("Добрый день, уважаемые читатели!");
    await Promise.all([page.waitForURL(/\?s=0/), page.locator("#subscriber").selectOption("0")]);
    await expect.poll(() => frameText(page, "frame-600")).toContain("Иван Петрович, добрый день!");
    await expect.poll(() => frameText(page, "frame-375")).toContain("Иван Петрович, добрый день!");
    await page.locator('[data-tab="text"]').click();
    expect(await page.locator("#plain-text").textContent()).toContain("Иван Петрович, добрый день!");
  });

  test("saving the issue reloads the open page with the change", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}issue/${ISSUE_A}`);
    await expect.poll(() => frameText(page, "frame-600")).toContain("Главная ошибка этого этапа");
    await edit(`issues/${ISSUE_A}.md`, (t) => t.replace("## Главная ошибка этого этапа", "## Переписанный заголовок раздела"));
    await expect.poll(() => frameText(page, "frame-600"), { timeout: 10_000 }).toContain("Переписанный заголовок раздела");
    await expect.poll(() => frameText(page, "frame-375"), { timeout: 10_000 }).toContain("Переписанный заголовок раздела");
    // only the saved issue was rebuilt
    expect(rebuilds.at(-1)).toEqual(expect.objectContaining({ keys: [ISSUE_A], all: false }));
  });

  test("saving a template rebuilds every issue and reloads the page", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}issue/${ISSUE_B}`);
    await expect.poll(() => frameText(page, "frame-600")).toContain("С уважением");
    await edit("templates/partials/signature.hbs", (t) => t.replace("{{newsletter.words.regards}}", "С наилучшими пожеланиями,"));
    await expect.poll(() => frameText(page, "frame-600"), { timeout: 10_000 }).toContain("С наилучшими пожеланиями");
    const other = await (await fetch(`${server.url}issue/${ISSUE_A}/email.txt`)).text();
    expect(other).toContain("С наилучшими пожеланиями");
  });

  test("a build error shows in the page with file and line; the server keeps running", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}issue/${ISSUE_A}`);
    await expect.poll(() => frameText(page, "frame-600")).toContain("Добрый день");
    // line 3 of the file: an impossible date
    await edit(`issues/${ISSUE_A}.md`, (t) => t.replace("date: 2026-11-10", "date: 2026-13-45"));
    const panel = page.locator("#build-error");
    await expect.poll(() => panel.textContent().catch(() => ""), { timeout: 10_000 }).toContain(`issues/${ISSUE_A}.md:3`);
    expect(await panel.textContent()).toContain("2026-13-45");
    // the last good build stays on screen under the error
    expect(await frameText(page, "frame-600")).toContain("Добрый день");
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain(`issues/${ISSUE_A}.md`);

    // fixing the file takes the error away again
    await writeFile(join(dir, `issues/${ISSUE_A}.md`), originals.get(`issues/${ISSUE_A}.md`)!);
    await expect.poll(() => page.locator("#build-error").count(), { timeout: 10_000 }).toBe(0);
  });

  test("a broken newsletter.yaml shows on every page and the issues stay visible", async () => {
    page = await browser.newPage();
    await page.goto(server.url);
    await edit("newsletter.yaml", (t) => t.replace("eventsWindowDays: 60", "eventsWindowDays: -5"));
    const panel = page.locator("#build-error");
    await expect.poll(() => panel.textContent().catch(() => ""), { timeout: 10_000 }).toContain("newsletter.yaml");
    expect(await panel.textContent()).toContain("eventsWindowDays");
    expect(await page.locator("tr[data-key]").count()).toBe(2);
  });

  test("a new issue appears on the open index, and goes when its file is deleted", async () => {
    page = await browser.newPage();
    await page.goto(server.url);
    expect(await page.locator("tr[data-key]").count()).toBe(2);
    const file = join(dir, "issues", "2026-12-08-novyj-vypusk.md");
    await writeFile(file, "---\ntitle: Новый выпуск\ndate: 2026-12-08\npreheader: Свежий выпуск рассылки.\n---\nЗдравствуйте!\n");
    await expect.poll(() => page.locator("tr[data-key]").count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator("tr[data-key]").first().getAttribute("data-key")).toBe("2026-12-08-novyj-vypusk");
    await rm(file);
    await expect.poll(() => page.locator("tr[data-key]").count(), { timeout: 10_000 }).toBe(2);
  });

  test("an A/B test's subjects stand as inbox rows, each with the preheader", async () => {
    const file = join(dir, "issues", "2026-12-09-ab.md");
    await writeFile(
      file,
      "---\ntitle: Выпуск с тестом\ndate: 2026-12-09\nsubject:\n  - Первая тема\n  - Вторая тема\nabTest:\n  sample: 20%\npreheader: Свежий выпуск.\n---\nЗдравствуйте!\n",
    );
    try {
      let html = "";
      await expect
        .poll(
          async () => {
            const res = await fetch(`${server.url}issue/2026-12-09-ab`);
            html = await res.text();
            return html.includes('id="ab-subjects"');
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      const rows = /<section class="inbox" id="ab-subjects">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
      expect(rows).toContain("каждая сначала уходит 20% списка");
      expect(rows).toMatch(/<li><strong>Первая тема<\/strong> — <span class="meta">Свежий выпуск\.<\/span><\/li>/);
      expect(rows).toMatch(/<li><strong>Вторая тема<\/strong> — <span class="meta">Свежий выпуск\.<\/span><\/li>/);
    } finally {
      await rm(file);
    }
    await server.idle();
  });

  test("an unknown issue is a 404 page, not a crash", async () => {
    const res = await fetch(`${server.url}issue/no-such-issue`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Такого выпуска нет");
  });
});
