// axe-core in headless Chromium (Debian's, driven by playwright-core) on the HTML part readers get, for the
// example newsletter and a fresh `init`: no violation in light mode, in dark mode, and at 375 px wide
// nothing runs off the side (a `pre` wraps).
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { simpleParser } from "mailparser";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "../../src/screenshots/chromium.js";
import { type Built, exampleMessages, initMessages } from "./helpers.js";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 60_000);
afterAll(() => browser?.close());

/** One HTML part per issue (readers' parts differ only in their links). */
async function htmlParts(built: Built): Promise<{ name: string; html: string }[]> {
  const byIssue = new Map<string, string>();
  for (const m of built.messages) {
    const issue = dirname(m.file);
    if (!byIssue.has(issue)) byIssue.set(issue, (await simpleParser(m.raw)).html || "");
  }
  return [...byIssue].map(([name, html]) => ({ name, html }));
}

/**
 * The HTML part in a page of its own with axe-core in it, loaded once (a new page and axe-core's 500 KB
 * cost about 1.5 s, as much as an audit); each test then sets the width and the colour scheme it audits.
 */
async function openPart(html: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 600, height: 900 } });
  const page = await context.newPage();
  // no test touches the internet: remote images and fonts are refused
  await page.route("**/*", (route) => route.abort());
  await page.setContent(html, { waitUntil: "domcontentloaded" });
  await page.addScriptTag({ path: AXE });
  return { context, page };
}

async function audit(page: Page, scheme: "light" | "dark", width: number) {
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  expect(await page.evaluate(() => [innerWidth, matchMedia("(prefers-color-scheme: dark)").matches])).toEqual([width, scheme === "dark"]);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations;
  })) as AxeViolation[];
  const overflow = await page.evaluate(() => {
    const wide = [...document.querySelectorAll("pre, table, img")].filter(
      (e) => (e as HTMLElement).getBoundingClientRect().right > document.documentElement.clientWidth + 1,
    );
    return { scrollWidth: document.documentElement.scrollWidth, wide: wide.map((e) => e.tagName) };
  });
  const preWraps = await page.evaluate(() => [...document.querySelectorAll("pre")].map((p) => getComputedStyle(p).whiteSpace));
  return { violations, overflow, preWraps };
}

const describeViolations = (vs: AxeViolation[]) =>
  vs.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary ?? ""}`).join(" | ")}`);

describe.each([
  ["the example newsletter", exampleMessages],
  ["a fresh init", initMessages],
])("axe-core on %s", (_name, make) => {
  let built: Built;
  const parts: { name: string; html: string; context: BrowserContext; page: Page }[] = [];
  beforeAll(async () => {
    built = await make();
    for (const part of await htmlParts(built)) parts.push({ ...part, ...(await openPart(part.html)) });
  }, 180_000);
  afterAll(async () => {
    for (const p of parts) await p.context.close();
    await built?.remove();
  });

  it.each([
    ["light", 600],
    ["dark", 600],
    ["light", 375],
    ["dark", 375],
  ] as const)("%s mode at %i px: no violation", { timeout: 180_000 }, async (scheme, width) => {
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const { name, html, page } of parts) {
      expect(html).toContain('<meta name="color-scheme" content="light dark">');
      const r = await audit(page, scheme, width);
      expect(describeViolations(r.violations), name).toEqual([]);
      if (width === 375) {
        expect(r.overflow.wide, name).toEqual([]);
        expect(r.overflow.scrollWidth, name).toBeLessThanOrEqual(375);
        for (const ws of r.preWraps) expect(ws).toBe("pre-wrap");
      }
    }
  });
});
