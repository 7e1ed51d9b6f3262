import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { builtNewsletter, HOSTILE_SLUG } from "./fixtures.js";

/** The archive and a web version in real headless Chromium at a phone's width: nothing wider than the screen. */
let b: Awaited<ReturnType<typeof builtNewsletter>>;
let browser: Browser;

beforeAll(async () => {
  b = await builtNewsletter();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  await b?.remove();
});

for (const name of ["index.html", `${HOSTILE_SLUG}.html`]) {
  test(`${name} fits a 360 px wide phone and its text is large enough to read`, async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    try {
      // offline: no request leaves the machine (images of the example newsletter are not needed here)
      await page.route(/^https?:/, (route) => route.abort());
      await page.goto(pathToFileURL(join(b.dist, name)).href);
      const m = await page.evaluate(() => {
        const el = document.scrollingElement ?? document.documentElement;
        const nav = document.querySelector("nav");
        const small = [...document.querySelectorAll("a, p, h1, h3, time")].filter((e) => parseFloat(getComputedStyle(e).fontSize) < 13);
        return {
          scroll: el.scrollWidth,
          width: window.innerWidth,
          navRight: nav ? nav.getBoundingClientRect().right : 0,
          small: small.length,
        };
      });
      expect(m.width).toBe(360);
      expect(m.scroll).toBeLessThanOrEqual(m.width);
      expect(m.navRight).toBeGreaterThan(0);
      expect(m.navRight).toBeLessThanOrEqual(m.width);
      expect(m.small).toBe(0);
    } finally {
      await page.close();
    }
  });
}
