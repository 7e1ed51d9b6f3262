import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { clickToken, readerKey, verifyClickToken } from "../../src/identity/click-token.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue } from "../../src/send/send-issue.js";
import { OutboxTransport } from "../../src/send/transports/outbox.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { spawnServe } from "../helpers/serve.js";
import { CONFIG, ISSUE, makeProject, parse, SECRET, type Sink, startSmtp } from "../send/helpers.js";
import { backends } from "../state/backends.js";

/**
 * Tracked links end to end: an issue sent with clicks and opens tracked to a real SMTP server, its
 * messages read back, and their links followed over HTTP against `rassylka serve` (the built CLI, in
 * its own process) on both state backends — as readers, as an image proxy and as a scanner — then the
 * events read from the store after serve stopped.
 */

const LIST_ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const BASE = "https://prodazhi.example.ru/rassylka";
const SLUG = "2026-12-01-hello";
const ARTICLE = "https://prodazhi.example.ru/stati/debitorka?a=1&b=2";
const PRICE = "https://prodazhi.example.ru/prais";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";

const ISSUE_TEXT = `---
title: Ссылки
date: 2026-12-01
---
Здравствуйте! Читайте [статью](${ARTICLE}), смотрите [прайс](${PRICE}) и [карту](https://prodazhi.example.ru/karta).

И [ещё раз статью](${ARTICLE}).
`;

const TRACKING = "tracking:\n  clicks: true\n  opens: true\n  keepDays: 30\n";

const where = (l: StateLocation) => (l.kind === "sqlite" ? l.file : l.url);

function links(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&")).filter((h) => h.startsWith(`${BASE}/c/`));
}
const pixel = (html: string) => /<img src="([^"]*\/o\/[^"]*\.gif)"/.exec(html)?.[1] ?? "";
const linkNumber = (href: string) => verifyClickToken(href.slice(`${BASE}/c/`.length), LIST_ID, SECRET)?.link;
/** A tracked address as the local serve answers it: the path below the newsletter's url. */
const local = (base: string, url: string) => new URL(url.slice(BASE.length + 1), base).toString();

async function get(url: string, userAgent?: string, method = "GET", headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, redirect: "manual", headers: { ...(userAgent ? { "user-agent": userAgent } : {}), ...headers } });
  return { status: res.status, location: res.headers.get("location"), type: res.headers.get("content-type"), body: await res.text() };
}

describe.each(backends())("tracked links through `rassylka serve` on $name", (backend) => {
  let root: string;
  let cleanup: () => Promise<void>;
  let sink: Sink;
  let location: StateLocation;
  const messages: Record<string, { html: string; text: string }> = {};
  /** The issue's link numbers by address, as the send kept them. */
  const numbers = new Map<string, number>();
  /** The first tracked link of a message that leads to `url`. */
  const linkTo = (html: string, url: string) => links(html).find((h) => linkNumber(h) === numbers.get(url)) ?? "";

  beforeAll(async () => {
    await backend.start();
    ({ root, cleanup } = await makeProject(`${CONFIG}${TRACKING}`));
    await mkdir(join(root, "dist"));
    await writeFile(join(root, "dist", "index.html"), "<!doctype html><title>Архив</title>");
    await writeFile(join(root, ISSUE), ISSUE_TEXT);
    location = await backend.fresh();
    sink = await startSmtp();
    const summary = await sendIssue({
      root,
      issue: ISSUE,
      stateFile: where(location),
      audience: addressList("anna@example.ru,boris@example.ru,vera@example.ru,gleb@example.ru"),
      transport: new SmtpTransport({ url: sink.url, maxConnections: 1, thread: false }),
      concurrency: 1,
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(summary).toMatchObject({ sent: 4, failed: 0 });
    for (const m of sink.received) {
      const mail = await parse(m.raw);
      messages[m.to[0]] = { html: String(mail.html), text: String(mail.text) };
    }
    // a trial of the same issue to the outbox: the same tracked links, marked as a trial's
    const trial = await sendIssue({
      root,
      issue: ISSUE,
      stateFile: where(location),
      audience: addressList("editor@example.ru"),
      transport: new OutboxTransport({ dir: join(root, "outbox") }),
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(trial).toMatchObject({ sent: 1, failed: 0 });
    // an event older than keepDays, which serve folds as it starts
    const store = await openStore(location);
    try {
      for (const l of (await store.clicks.links(SLUG)).reverse()) numbers.set(l.url, l.link);
      await store.clicks.record({ issue: SLUG, link: 1, reader: "0000000000000000", uaClass: "human", at: "2026-01-05T10:00:00.000Z" });
    } finally {
      await store.close();
    }
  }, 180_000);

  afterAll(async () => {
    await sink?.close();
    await cleanup?.();
    await backend.stop();
  });

  test("readers, an image proxy and a scanner follow the links; forged tokens get a 400 page; every answered click is in the store after SIGTERM", async () => {
    const served = await spawnServe(root, ["--state", where(location)], { RASSYLKA_SECRET: SECRET, RASSYLKA_DATABASE_URL: "" });
    let output: string;
    const anna = messages["anna@example.ru"];
    const boris = messages["boris@example.ru"];
    const vera = messages["vera@example.ru"];
    const gleb = messages["gleb@example.ru"];
    const eml = (await readdir(join(root, "outbox"))).filter((f) => f.endsWith(".eml"));
    expect(eml).toHaveLength(1);
    const trialHtml = String((await parse(await readFile(join(root, "outbox", eml[0])))).html);
    try {
      // the message: every article link tracked, the canary first, the pixel at the end
      const annaLinks = links(anna.html);
      expect(annaLinks.length).toBeGreaterThanOrEqual(5);
      expect(numbers.get(ARTICLE)).toBeGreaterThan(0);
      expect(anna.html).not.toContain(`href="${ARTICLE.replace(/&/g, "&amp;")}"`);
      expect(pixel(anna.html)).toMatch(new RegExp(`^${BASE}/o/`));

      // a reader: the article (link 1), in a browser, a minute later than a scanner would
      const readerClick = await get(local(served.base, linkTo(anna.html, ARTICLE)), CHROME);
      expect(readerClick).toMatchObject({ status: 302, location: ARTICLE });
      // the text part's links are tracked too
      const textLink = /https:\/\/prodazhi\.example\.ru\/rassylka\/c\/[^\s)\]>,]+/.exec(gleb.text)?.[0] ?? "";
      const textAnswer = await get(local(served.base, textLink), CHROME);
      expect(textAnswer.location).toMatch(/^https:\/\/prodazhi\.example\.ru\//);
      // Gmail's image proxy fetches the pixel on delivery
      const open = await get(local(served.base, pixel(anna.html)), GMAIL_PROXY);
      expect(open).toMatchObject({ status: 200, type: "image/gif" });
      // a person's mail app shows the pixel too
      expect((await get(local(served.base, pixel(vera.html)), CHROME)).status).toBe(200);
      // Apple's proxy, as a reverse proxy on this machine names it, with a browser-like agent
      const apple = await get(local(served.base, pixel(gleb.html)), IPHONE, "GET", { "x-forwarded-for": "198.51.100.1, 17.58.63.10" });
      expect(apple.status).toBe(200);

      // a scanner: Boris's invisible canary, then every link within a second of delivery
      const borisLinks = links(boris.html);
      expect(linkNumber(borisLinks[0])).toBe(0);
      expect((await get(local(served.base, borisLinks[0]), CHROME)).location).toBe(`${BASE}`);
      const scanned = [ARTICLE, PRICE, "https://prodazhi.example.ru/karta"].map((u) => linkTo(boris.html, u));
      for (const l of scanned) expect((await get(local(served.base, l), CHROME)).status).toBe(302);
      // a HEAD of Vera's second link: no browser does that
      expect((await get(local(served.base, linkTo(vera.html, PRICE)), CHROME, "HEAD")).status).toBe(302);

      // forged, truncated, foreign, a link the issue does not have: 400 in the newsletter's language, nothing recorded
      const good = linkTo(anna.html, ARTICLE).slice(`${BASE}/c/`.length);
      const reader = readerKey(LIST_ID, "anna@example.ru");
      const sent = Math.floor(Date.now() / 1000);
      for (const token of [
        good.slice(0, -4),
        good.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
        clickToken({ slug: SLUG, link: 1, reader, sent, trial: false }, "another-newsletter.example.org", SECRET),
        clickToken({ slug: SLUG, link: 1, reader, sent, trial: false }, LIST_ID, "a-secret-of-somebody-else-0123456789"),
        clickToken({ slug: SLUG, link: 99, reader, sent, trial: false }, LIST_ID, SECRET),
        "..%2F..%2Fetc%2Fpasswd",
      ]) {
        const bad = await get(new URL(`c/${token}`, served.base).toString(), CHROME);
        expect(bad.status, token).toBe(400);
        expect(bad.location).toBeNull();
        expect(bad.body).toContain("ссылка не работает");
        expect(bad.body).toContain('lang="ru"');
      }
      expect((await get(new URL("o/garbage.gif", served.base).toString(), CHROME)).status).toBe(400);

      // the trial's link works like a real one, and is kept apart
      const trialLink = links(trialHtml).find((h) => linkNumber(h) === numbers.get(ARTICLE)) ?? "";
      expect(trialLink).toBeDefined();
      expect((await get(local(served.base, trialLink), CHROME)).location).toBe(ARTICLE);

      // under the path of the newsletter's url too (no reverse proxy mapping it to /)
      const full = new URL(linkTo(anna.html, ARTICLE));
      expect((await get(new URL(full.pathname, served.base).toString(), CHROME)).status).toBe(302);

      // many clicks at once, answered, then SIGTERM at once: every answered click is in the store
      const burst = await Promise.all(Array.from({ length: 40 }, () => get(local(served.base, linkTo(vera.html, ARTICLE)), CHROME)));
      expect(burst.every((r) => r.status === 302)).toBe(true);
    } finally {
      output = await served.stop();
    }
    expect(output).toMatch(/folded 1 event\(s\) of 2026-12-01-hello older than 30 days/);

    const store = await openStore(location);
    try {
      const clicks = await store.clicks.events(SLUG);
      const of = (email: string) => clicks.filter((c) => c.reader === readerKey(LIST_ID, email));
      // Anna: a person, twice the article (at / and under the url's path); Gleb: the text part's link
      const article = numbers.get(ARTICLE);
      expect(of("anna@example.ru").map((c) => [c.link, c.ua_class, c.rule])).toEqual([
        [article, "human", "human"],
        [article, "human", "human"],
      ]);
      expect(of("gleb@example.ru").map((c) => [c.ua_class, c.rule])).toEqual([["human", "human"]]);
      // Boris: the canary, then a burst of links within seconds of delivery
      expect(of("boris@example.ru").map((c) => [c.link, c.ua_class, c.rule])).toEqual([
        [0, "automated", "canary"],
        [article, "automated", "burst"],
        [numbers.get(PRICE), "automated", "burst"],
        [numbers.get("https://prodazhi.example.ru/karta"), "automated", "burst"],
      ]);
      // Vera: a HEAD, then the 40 answered clicks of one link (two links are no burst)
      const vera = of("vera@example.ru");
      expect(vera[0]).toMatchObject({ link: numbers.get(PRICE), ua_class: "automated", rule: "method:HEAD" });
      expect(vera.slice(1).map((c) => `${c.link} ${c.ua_class}`)).toEqual(Array(40).fill(`${article} human`));
      // nothing recorded for the forged tokens; the old event folded into the totals
      expect(clicks).toHaveLength(2 + 1 + 4 + 41);
      expect((await store.clicks.totals(SLUG)).filter((t) => t.link === -1)).toEqual([
        expect.objectContaining({ kind: "click", ua_class: "human", day: "2026-01-05", events: 1, readers: 1 }),
      ]);
      // opens: the proxies' and the person's
      expect((await store.clicks.opens(SLUG)).map((o) => [o.ua_class, o.rule]).sort()).toEqual([
        ["human", "human"],
        ["proxy", "proxy:apple-mpp:address"],
        ["proxy", "proxy:google:ua"],
      ]);
      // the trial's click: kept apart, in no figure
      const trial = await store.clicks.events(SLUG, { trial: true });
      expect(trial.map((c) => [c.link, c.reader, c.trial])).toEqual([[article, readerKey(LIST_ID, "editor@example.ru"), 1]]);
    } finally {
      await store.close();
    }
  }, 180_000);
});
