// The archive page's search box in the system Chromium, on `rassylka serve` over what `rassylka build`
// wrote: Russian word forms, rubric filters, drafts, a deleted issue, the keyboard and axe-core.
import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { REPO } from "../helpers/newsletter.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS } from "../preview/helpers.js";
import { BIN, DELETED, DELETED_WORD, DRAFT_WORD, run, searchNewsletter } from "./helpers.js";

const SECRET = "archive-search-secret-0123456789";

let t: Awaited<ReturnType<typeof searchNewsletter>>;
let browser: Browser;
let serve: ChildProcess | undefined;
let base = "";

function startServe(): Promise<string> {
  let log = "";
  serve = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    cwd: t.dir,
    env: { PATH: process.env.PATH, RASSYLKA_LANG: "en", RASSYLKA_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    serve!.stdout!.on("data", (c) => {
      log += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
      if (m) resolve(m[1]);
    });
    serve!.stderr!.on("data", (c) => {
      log += c;
    });
    serve!.on("exit", (code) => reject(new Error(`serve exited ${code}: ${log}`)));
  });
}

beforeAll(async () => {
  t = await searchNewsletter();
  const built = await run(t.dir, ["build"]);
  expect(built.code, built.stderr).toBe(0);
  base = await startServe();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_TEST_ARGS });
}, 180_000);
afterAll(async () => {
  serve?.kill("SIGTERM");
  await browser?.close();
  await t?.remove();
});

const status = (page: Page) => page.locator(".rsk-search [role=status]");
/** The status line once it says `text` (generous: Pagefind loads its files on first use, on a busy machine). */
const statusIs = (page: Page, text: string) => expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toBe(text);
const titles = (page: Page) => page.locator("#rsk-search-results h3").allTextContents();

async function archive(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}index.html`);
  await expect.poll(() => page.locator(".rsk-search").isVisible(), { timeout: 30_000 }).toBe(true);
  return page;
}

/** Types as a reader does, a key at a time: results come as the words are typed, with no button. */
async function type(page: Page, text: string): Promise<void> {
  await page.getByLabel("Что найти").fill("");
  await page.getByLabel("Что найти").pressSequentially(text, { delay: 20 });
}

test("a Russian word form finds the issues as the reader types: title, date, excerpt with the words marked", async () => {
  const page = await archive();
  for (const q of ["дебиторкой", "дебиторку"]) {
    await type(page, q);
    await statusIs(page, "Найдено 2 выпуска");
    expect((await titles(page)).sort()).toEqual(["Не прячьтесь за «фирму»", "Текущая дебиторка: договор подписан, что дальше?"]);
  }
  const first = page.locator("#rsk-search-results li").first();
  expect(await first.locator("time").getAttribute("datetime")).toMatch(/^2026-11-\d\d$/);
  expect(await first.locator("time").textContent()).toMatch(/ноября 2026/);
  expect((await first.locator("mark").allTextContents()).join(" ")).toMatch(/[Дд]ебиторк/);
  expect(await first.locator("a").getAttribute("href")).toMatch(/^2026-11-\d\d-[a-z-]+\.html$/);
  await type(page, "вонючка");
  await statusIs(page, "Ничего не найдено.");
  expect(await titles(page)).toEqual([]);
  await page.close();
});

test("rubric filters come from rubrics: in its order and narrow the results; a rubric alone lists its issues", async () => {
  const page = await archive();
  const boxes = page.locator(".rsk-search fieldset label");
  expect((await boxes.allTextContents()).map((l) => l.trim())).toEqual(["Звонки клиентам (1)", "Дебиторка (2)", "Позиция продавца (2)"]);
  await type(page, "дебиторка");
  await statusIs(page, "Найдено 2 выпуска");
  await page.getByLabel("Звонки клиентам").check();
  await statusIs(page, "Найден 1 выпуск");
  expect(await titles(page)).toEqual(["Текущая дебиторка: договор подписан, что дальше?"]);
  await page.getByLabel("Звонки клиентам").uncheck();
  await type(page, "");
  await page.getByLabel("Позиция продавца").check();
  await statusIs(page, "Найдено 2 выпуска");
  expect(await titles(page)).toEqual(["Выпуск, который удалят", "Не прячьтесь за «фирму»"]);
  await page.close();
});

test("Pagefind loads at the first sign of a search (the pointer over the box), never for a visitor who does not search", async () => {
  const context = await browser.newContext();
  const fetched: string[] = [];
  // context-wide: Pagefind's worker fetches the index
  context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  const page = await context.newPage();
  await page.goto(`${base}index.html`, { waitUntil: "networkidle" });
  expect(await page.locator(".rsk-search").isVisible()).toBe(true);
  expect(fetched.filter((p) => p.startsWith("/pagefind/") || p === "/search-stem.js")).toEqual([]);
  await page.locator("#rsk-search-q").hover();
  await page.locator(".rsk-search[data-ready]").waitFor({ state: "attached", timeout: 30_000 });
  expect(await page.evaluate(() => document.activeElement?.id)).not.toBe("rsk-search-q");
  const loaded = fetched.filter((p) => p.startsWith("/pagefind/"));
  expect(loaded).toContain("/pagefind/pagefind.js");
  expect(loaded.some((p) => p.startsWith("/pagefind/wasm."))).toBe(true);
  // ready to search without any index chunk or the rubrics' filter index: those come with a query
  expect(loaded.filter((p) => /\/(index|filter|fragment)\//.test(p))).toEqual([]);
  await context.close();
});

test("a draft is not found", async () => {
  const page = await archive();
  await type(page, DRAFT_WORD);
  await statusIs(page, "Ничего не найдено.");
  await type(page, "Черновик");
  await statusIs(page, "Ничего не найдено.");
  await page.close();
});

test("by keyboard alone: Tab to the field, type, Tab to a rubric, Space; axe-core finds no violations", async () => {
  const page = await archive();
  for (let i = 0; i < 30 && (await page.evaluate(() => document.activeElement?.id)) !== "rsk-search-q"; i++)
    await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("rsk-search-q");
  await page.keyboard.type("дебиторкой", { delay: 20 });
  await statusIs(page, "Найдено 2 выпуска");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe("звонки");
  await page.keyboard.press("Space");
  await statusIs(page, "Найден 1 выпуск");
  await page.addScriptTag({ path: join(REPO, "node_modules", "axe-core", "axe.min.js") });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    return (await axe.run(document)).violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
  expect(violations).toEqual([]);
  await page.close();
});

test("without JavaScript the archive is the plain list: no search box", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}index.html`);
  expect(await page.locator(".rsk-search").isVisible()).toBe(false);
  expect(await page.locator("li.issue").count()).toBe(3);
  await context.close();
});

test("a deleted issue disappears from the search after the next build", async () => {
  const page = await archive();
  await type(page, DELETED_WORD);
  await statusIs(page, "Найден 1 выпуск");
  await rm(join(t.dir, DELETED));
  const built = await run(t.dir, ["build"]);
  expect(built.code, built.stderr).toBe(0);
  await page.reload();
  await expect.poll(() => page.locator(".rsk-search").isVisible(), { timeout: 30_000 }).toBe(true);
  await type(page, DELETED_WORD);
  await statusIs(page, "Ничего не найдено.");
  await page.close();
});
