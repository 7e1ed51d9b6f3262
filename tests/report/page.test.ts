import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { translator } from "../../src/i18n/index.js";
import { writeReport } from "../../src/report/report.js";
import { CHROMIUM_ARGS, findChromium } from "../../src/screenshots/chromium.js";
import type { StateLocation } from "../../src/state/location.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { LINKS, SLUG, seedState } from "./seed.js";

let newsletter: { dir: string; remove: () => Promise<void> };
let location: StateLocation;
/** The reader's browser: one for the file, a fresh context for each page. */
let browser: Browser;

beforeAll(async () => {
  newsletter = await copyExampleNewsletter();
  location = { kind: "sqlite", file: join(newsletter.dir, ".rassylka", "state.sqlite") };
  await seedState(location, newsletter.dir);
  browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await newsletter?.remove();
});

/** The page as a reader of the report sees it: every request it makes, every console error. */
async function open(file: string) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  try {
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => {
      if (r.url() !== pathToFileURL(file).href && !r.url().startsWith("data:")) requests.push(r.url());
    });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const seen = await page.evaluate(() => ({
      charts: [...document.querySelectorAll("figure.chart svg")].filter((s) => s.getBoundingClientRect().width > 100).length,
      bars: document.querySelectorAll("#timeline svg rect").length,
      mapBoxes: document.querySelectorAll("#click-map rect").length,
      mapImage: (document.querySelector("#click-map image")?.getAttribute("href") ?? "").slice(0, 23),
      links: [...document.querySelectorAll("#links tbody td.url")].map((td) => td.textContent),
      domains: [...document.querySelectorAll("#domains tbody tr td:first-child")].map((td) => td.textContent),
    }));
    return { requests, errors, seen };
  } finally {
    await context.close();
  }
}

test("the issue's report page opens in Chromium: charts and the click map drawn, no console error, no request", async () => {
  const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, translator: translator("ru") });
  expect(result.kind === "issue" && result.clickMap).toBeFalsy();
  const { requests, errors, seen } = await open(result.file);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  expect(seen.charts).toBeGreaterThanOrEqual(3);
  expect(seen.bars).toBeGreaterThan(3);
  // each clicked link of the issue that the web version shows gets its box and its share
  expect(seen.mapBoxes).toBeGreaterThanOrEqual(2);
  expect(seen.mapImage).toBe("data:image/jpeg;base64,");
  expect(seen.links).toEqual(LINKS);
  expect(seen.domains).toEqual(["gmail.com", "mail.ru", "yandex.ru"]);
}, 120_000);

test("made again of the unchanged issue, the click map comes from the cache without a browser; a changed issue needs one", async () => {
  const first = await writeReport({ root: newsletter.dir, location, ref: SLUG, out: "report-first" });
  const mapOf = async (file: string) => /<figure class="map" id="click-map">[\s\S]*?<\/figure>/.exec(await readFile(file, "utf8"))?.[0];
  const noBrowser = { PATH: "/nonexistent", CHROMIUM_PATH: join(newsletter.dir, "no-chromium-here") };
  const again = await writeReport({ root: newsletter.dir, location, ref: SLUG, out: "report-again", env: noBrowser });
  expect(again.kind === "issue" && again.clickMap).toBeFalsy();
  expect(await mapOf(again.file)).toBe(await mapOf(first.file));
  expect(await mapOf(again.file)).toContain("data:image/jpeg;base64,");
  // another text: another shot, which needs the browser this run has not got
  const issue = join(newsletter.dir, "issues", `${SLUG}.md`);
  await writeFile(issue, `${await readFile(issue, "utf8")}\nЕщё один абзац.\n`);
  const changed = await writeReport({ root: newsletter.dir, location, ref: SLUG, out: "report-changed", env: noBrowser });
  expect(changed.kind === "issue" && changed.clickMap).toMatch(/CHROMIUM_PATH/);
}, 180_000);

test("the newsletter's page opens in Chromium with its three charts, no console error, no request", async () => {
  const result = await writeReport({ root: newsletter.dir, location });
  const { requests, errors, seen } = await open(result.file);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  expect(seen.charts).toBe(3);
}, 120_000);
