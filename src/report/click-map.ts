import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LinkFigures } from "../state/report.js";
import { writeFileAtomic } from "../util/fs.js";

/**
 * The click map: the issue's web version at 600 px, as `rassylka screenshots` takes it (no network: the
 * document is served from memory and every other request refused), with each link's box and its share
 * of the readers who clicked. A link is found by its address; an address the issue has twice gets the
 * same share on both.
 */
export interface ClickMap {
  width: number;
  height: number;
  /** The screenshot, a JPEG as a data: URL (the page stays one file). */
  image: string;
  boxes: { x: number; y: number; width: number; height: number; url: string; share: number; label: string }[];
}

/** The issue as Chromium drew it: what the figures are placed on. */
export interface IssueShot {
  width: number;
  height: number;
  image: string;
  anchors: { href: string; x: number; y: number; width: number; height: number }[];
}

const ORIGIN = "http://rassylka.invalid";
const WIDTH = 600;
/** Bumped when what a shot holds changes, so an older cached one is not read. */
const SHOT_VERSION = 1;

/**
 * The shot of the issue's web version, kept in `cacheDir` under a hash of its HTML: a report run again
 * (every morning after a send, say) starts no browser while the issue is unchanged. A cache that cannot be
 * read or written only costs the browser.
 */
export async function issueShot(slug: string, html: string, cacheDir: string, env?: NodeJS.ProcessEnv): Promise<IssueShot> {
  const file = join(cacheDir, `${createHash("sha256").update(`${SHOT_VERSION}\n${html}`).digest("hex").slice(0, 32)}.json`);
  try {
    return JSON.parse(await readFile(file, "utf8")) as IssueShot;
  } catch {
    // not there yet (or unreadable): take it
  }
  const shot = await takeShot(slug, html, env);
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(file, JSON.stringify(shot));
  } catch {
    // a read-only project still gets its map
  }
  return shot;
}

async function takeShot(slug: string, html: string, env?: NodeJS.ProcessEnv): Promise<IssueShot> {
  // playwright is loaded only when a shot is taken (1.4 s to load on a busy machine)
  const { launchChromium } = await import("../screenshots/chromium.js");
  const browser = await launchChromium(env);
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 640 }, deviceScaleFactor: 1, serviceWorkers: "block" });
    const page = await context.newPage();
    const docUrl = `${ORIGIN}/${encodeURIComponent(slug)}.html`;
    await page.route("**/*", (route) =>
      route.request().url() === docUrl && route.request().isNavigationRequest()
        ? route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html })
        : route.abort("blockedbyclient"),
    );
    await page.goto(docUrl, { waitUntil: "load" });
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
    const size = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
    return { ...size, image: `data:image/jpeg;base64,${shot.toString("base64")}`, anchors };
  } finally {
    await browser.close();
  }
}

/** Each clicked link's share of the readers who clicked, drawn over its boxes in the shot. */
export function clickMap(shot: IssueShot, links: readonly LinkFigures[], percent: (share: number) => string): ClickMap {
  const readers = links.reduce((sum, l) => sum + l.unique, 0);
  const byUrl = new Map(links.map((l) => [l.url, readers ? l.unique / readers : 0]));
  const boxes = shot.anchors
    .filter((a) => a.width > 0 && a.height > 0 && byUrl.has(a.href))
    .map((a) => {
      const share = byUrl.get(a.href) ?? 0;
      return { x: a.x, y: a.y, width: a.width, height: a.height, url: a.href, share, label: percent(share) };
    });
  return { width: shot.width, height: shot.height, image: shot.image, boxes };
}
