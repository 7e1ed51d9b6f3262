import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { writeFileAtomic } from "../util/fs.js";

/**
 * The issue's web version as Chromium draws it at 600 px, with its links' boxes: what `rassylka report`
 * draws its click map on (src/report/click-map.ts). Kept in the project's cache under a hash of the HTML,
 * so a report made again of an unchanged issue starts no browser, and `rassylka screenshots` (which draws
 * the same page at the same width) leaves one there for the report to find.
 */
export interface IssueShot {
  width: number;
  height: number;
  /** A JPEG as a data: URL (the report page stays one file). */
  image: string;
  anchors: { href: string; x: number; y: number; width: number; height: number }[];
}

export const SHOT_WIDTH = 600;
/** Bumped when what a shot holds changes, so an older cached one is not read. */
const SHOT_VERSION = 1;

function shotFile(cacheDir: string, html: string): string {
  return join(cacheDir, `${createHash("sha256").update(`${SHOT_VERSION}\n${html}`).digest("hex").slice(0, 32)}.json`);
}

/** The cached shot of this HTML, or undefined (not taken yet, or unreadable). */
export async function cachedShot(cacheDir: string, html: string): Promise<IssueShot | undefined> {
  try {
    return JSON.parse(await readFile(shotFile(cacheDir, html), "utf8")) as IssueShot;
  } catch {
    return undefined;
  }
}

/** Keeps a shot for the next report; a cache that cannot be written only costs the browser next time. */
export async function keepShot(cacheDir: string, html: string, shot: IssueShot): Promise<void> {
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(shotFile(cacheDir, html), JSON.stringify(shot));
  } catch {
    // a read-only project still gets its map
  }
}

/** The shot of a page already loaded at SHOT_WIDTH: its links' boxes and a full-height JPEG. */
export async function shotOfPage(page: Page): Promise<IssueShot> {
  const anchors = await page.$$eval("a[href]", (nodes) =>
    nodes.map((a) => {
      const r = a.getBoundingClientRect();
      return {
        href: (a as HTMLAnchorElement).getAttribute("href") ?? "",
        x: r.x + scrollX,
        y: r.y + scrollY,
        width: r.width,
        height: r.height,
      };
    }),
  );
  const shot = await page.screenshot({ fullPage: true, type: "jpeg", quality: 70, animations: "disabled" });
  const size = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }));
  return { ...size, image: `data:image/jpeg;base64,${shot.toString("base64")}`, anchors };
}

// A name that never resolves (RFC 2606): if a request slipped past the route it would go nowhere.
const ORIGIN = "http://rassylka.invalid";

/** A context as a mail client draws an email: no scripts, no network, one CSS pixel per pixel. */
export function clientContext(width: number, dark = false): BrowserContextOptions {
  return {
    viewport: { width, height: 640 },
    deviceScaleFactor: 1,
    colorScheme: dark ? "dark" : "light",
    // mail clients run no scripts; neither do we
    javaScriptEnabled: false,
    serviceWorkers: "block",
    offline: true,
  };
}

/**
 * A new page of `context` showing the issue's HTML, served from memory (no network at all: every other
 * request is refused and its URL added to `blocked`), loaded.
 */
export async function openIssuePage(context: BrowserContext, slug: string, html: string, blocked: Set<string>): Promise<Page> {
  const page = await context.newPage();
  const docUrl = `${ORIGIN}/${encodeURIComponent(slug)}.html`;
  await page.route("**/*", (route) => {
    const request = route.request();
    if (request.url() === docUrl && request.isNavigationRequest()) {
      return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    }
    blocked.add(request.url());
    return route.abort("blockedbyclient");
  });
  await page.goto(docUrl, { waitUntil: "load" });
  return page;
}

/** Starts Chromium for one shot of the issue (what a report needs when no cached shot is there). */
export async function takeShot(slug: string, html: string, env?: NodeJS.ProcessEnv): Promise<IssueShot> {
  // playwright is loaded only when a shot is taken (1.4 s to load on a busy machine)
  const { launchChromium } = await import("./chromium.js");
  const browser = await launchChromium(env);
  try {
    const context = await browser.newContext(clientContext(SHOT_WIDTH));
    return await shotOfPage(await openIssuePage(context, slug, html, new Set()));
  } finally {
    await browser.close();
  }
}
