import { launchChromium } from "../screenshots/chromium.js";
import type { LinkFigures } from "../state/report.js";

/**
 * The click map: the web version at 600 px, as `rassylka screenshots` takes it (no network: the
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

const ORIGIN = "http://rassylka.invalid";
const WIDTH = 600;

export async function clickMap(
  slug: string,
  html: string,
  links: readonly LinkFigures[],
  percent: (share: number) => string,
  env?: NodeJS.ProcessEnv,
): Promise<ClickMap> {
  const readers = links.reduce((sum, l) => sum + l.unique, 0);
  const byUrl = new Map(links.map((l) => [l.url, readers ? l.unique / readers : 0]));
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
    const boxes = anchors
      .filter((a) => a.width > 0 && a.height > 0 && byUrl.has(a.href))
      .map((a) => {
        const share = byUrl.get(a.href) ?? 0;
        return { x: a.x, y: a.y, width: a.width, height: a.height, url: a.href, share, label: percent(share) };
      });
    return { width: size.width, height: size.height, image: `data:image/jpeg;base64,${shot.toString("base64")}`, boxes };
  } finally {
    await browser.close();
  }
}
