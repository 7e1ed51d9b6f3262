import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { type Served, spawnServe } from "../helpers/serve.js";
import { startCli } from "../send/helpers.js";
import { request } from "../server/http.js";

/**
 * `serve`'s archive, web versions, feed and 404 page carry a Content-Security-Policy and a
 * Referrer-Policy, as the subscribe and unsubscribe pages did already.
 */
let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
let s: Served;
beforeAll(async () => {
  t = await copyExampleNewsletter();
  const built = await startCli(t.dir, ["build"], { RASSYLKA_LANG: "en" }).done;
  expect(built.code, built.stderr).toBe(0);
  s = await spawnServe(t.dir, [], { RASSYLKA_LANG: "en" });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await t?.remove();
});

describe("the site's security headers", () => {
  test.each([
    ["the archive", "/"],
    ["a web version", "/2026-11-10-tekushchaya-debitorka.html"],
    ["the feed", "/feed.xml"],
    ["a page that does not exist", "/no-such-page.html"],
  ])("%s", async (_, path) => {
    const r = await request(s.base, path);
    expect([200, 404]).toContain(r.status);
    if (path !== "/no-such-page.html") expect(r.status).toBe(200);
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(r.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });
});
