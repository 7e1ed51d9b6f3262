import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readerKey, verifyClickToken } from "../../src/identity/click-token.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { rassylka } from "../helpers/cli.js";
import { spawnServe } from "../helpers/serve.js";
import { CONFIG, ISSUE, makeProject, parse, readersCsv, SECRET, type Sink, smtpSend, startSmtp, stateFlag } from "../send/helpers.js";
import { backends, sql } from "../state/backends.js";

/**
 * `rassylka report --json` over what really happened: the issue sent by the built CLI to a real SMTP
 * server (one reader refused), the delivered messages read back with mailparser, their tracked links and
 * pixels fetched over HTTP from a running `rassylka serve` as people's browsers, a link scanner, a bot
 * and image proxies would, then the report's figures compared with what was done, on both backends.
 */

const LIST_ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const BASE = "https://prodazhi.example.ru/rassylka";
const SLUG = "2026-12-01-hello";
const ARTICLE = "https://prodazhi.example.ru/stati/debitorka";
const PRICE = "https://prodazhi.example.ru/prais";
const MAP = "https://prodazhi.example.ru/karta";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const YANDEX_PROXY = "Mozilla/5.0 (compatible; YandexImageResizer/2.0; +http://yandex.com/bots)";

const ISSUE_TEXT = `---
title: Ссылки
date: 2026-12-01
---
Здравствуйте! Читайте [статью](${ARTICLE}), смотрите [прайс](${PRICE}) и [карту](${MAP}).
`;
const TRACKING = "tracking:\n  clicks: true\n  opens: true\n";
/** Readers by domain; the last one the SMTP server refuses for good. */
const READERS = ["anna@example.ru", "boris@example.ru", "vera@mail.ru", "gleb@mail.ru", "dina@yandex.ru", "nobody@yandex.ru"];

/** The tracked links of a message's HTML, in order: the invisible canary first. */
function tracked(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&")).filter((h) => h.startsWith(`${BASE}/c/`));
}
const pixel = (html: string) => /<img src="([^"]*\/o\/[^"]*\.gif)"/.exec(html)?.[1] ?? "";

// One project for both stores (each backend sends into its own fresh state): the click map's shot of the
// issue, the same whatever the store, is taken by the first report and read from the project's cache by the
// second, as a report made again finds it (tests/report/page.test.ts tests both ways)
let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}${TRACKING}`));
  await mkdir(join(root, "dist"));
  await writeFile(join(root, "dist", "index.html"), "<!doctype html><title>Архив</title>");
  await writeFile(join(root, ISSUE), ISSUE_TEXT);
  await writeFile(join(root, "list.csv"), readersCsv(READERS));
});
afterAll(async () => {
  await cleanup?.();
});

describe.each(backends())("the report of an issue readers really clicked, on $name", (backend) => {
  let sink: Sink;
  let location: StateLocation;
  const html: Record<string, string> = {};
  /** The issue's link numbers by address, as the send kept them. */
  const numbers = new Map<string, number>();
  /** The tracked link of a reader's message that leads to `url` (0: the invisible canary). */
  const linkTo = (email: string, url: string | 0) =>
    tracked(html[email]).find(
      (h) => verifyClickToken(h.slice(`${BASE}/c/`.length), LIST_ID, SECRET)?.link === (url === 0 ? 0 : numbers.get(url)),
    ) ?? "";

  beforeAll(async () => {
    await backend.start();
    location = await backend.fresh();
    sink = await startSmtp({
      behaviour: (rcpt) => (rcpt === "nobody@yandex.ru" ? { code: 550, message: "5.1.1 No such user" } : undefined),
    });
    const sent = await rassylka([...smtpSend(sink.url), ...stateFlag(location)], root, {
      PATH: process.env.PATH,
      RASSYLKA_SECRET: SECRET,
      RASSYLKA_LANG: "en",
    });
    // exit code 2: sent, with a reader that failed
    expect(sent.code, sent.err).toBe(2);
    for (const m of sink.received) html[m.to[0]] = String((await parse(m.raw)).html);
    expect(Object.keys(html).sort()).toEqual(READERS.slice(0, 5).sort());
    const store = await openStore(location);
    try {
      for (const l of await store.clicks.links(SLUG)) if (!numbers.has(l.url)) numbers.set(l.url, l.link);
      // the send kept each reader's key (the one its click tokens carry) beside the address: the report joins clicks to domains by it
      const rows = await sql<{ email: string; reader_key: string | null }>(
        store,
        `SELECT email, reader_key FROM send_ledger WHERE issue = '${SLUG}' ORDER BY email`,
      );
      expect(rows).toHaveLength(READERS.length);
      for (const r of rows) expect(r.reader_key, r.email).toBe(readerKey(LIST_ID, r.email));
    } finally {
      await store.close();
    }
    expect([...numbers.keys()]).toEqual(expect.arrayContaining([ARTICLE, PRICE, MAP]));
  }, 300_000);

  afterAll(async () => {
    await sink?.close();
    await backend.stop();
  });

  test("people's clicks are the headline; the bot, the scanner's canary and the image proxy are counted apart", async () => {
    const served = await spawnServe(root, stateFlag(location), { RASSYLKA_SECRET: SECRET, RASSYLKA_DATABASE_URL: "" });
    const follow = async (url: string, userAgent: string) => {
      const res = await fetch(new URL(url.slice(BASE.length + 1), served.base), {
        redirect: "manual",
        headers: { "user-agent": userAgent },
      });
      await res.arrayBuffer();
      return { status: res.status, location: res.headers.get("location") };
    };
    try {
      // Anna reads in Chrome: the article, then the price list
      expect(await follow(linkTo("anna@example.ru", ARTICLE), CHROME)).toEqual({ status: 302, location: ARTICLE });
      expect(await follow(linkTo("anna@example.ru", PRICE), CHROME)).toEqual({ status: 302, location: PRICE });
      // Vera on her iPhone: the article, and her mail app shows the pictures
      expect(await follow(linkTo("vera@mail.ru", ARTICLE), IPHONE)).toEqual({ status: 302, location: ARTICLE });
      expect((await follow(pixel(html["vera@mail.ru"]), IPHONE)).status).toBe(200);
      // a crawler that got Gleb's message: a bot by its user agent
      expect(await follow(linkTo("gleb@mail.ru", MAP), BOT)).toEqual({ status: 302, location: MAP });
      // Boris's mail server scans the invisible canary link, which no person sees
      expect((await follow(linkTo("boris@example.ru", 0), CHROME)).status).toBe(302);
      // Yandex fetches Dina's pictures through its image proxy
      expect((await follow(pixel(html["dina@yandex.ru"]), YANDEX_PROXY)).status).toBe(200);
    } finally {
      await served.stop();
    }

    const report = await rassylka(["report", SLUG, "--json", ...stateFlag(location)], root, {
      PATH: process.env.PATH,
      RASSYLKA_LANG: "en",
    });
    expect(report.code, report.err).toBe(0);
    const f = JSON.parse(report.out);
    expect(f.issue).toBe(SLUG);
    expect(f.counts).toEqual({ listed: 6, sent: 5, failed: 1, bounced: 0, complained: 0, unsubscribed: 0 });
    expect(f.clicks).toEqual({ unique: 2, total: 5, human: 3, proxy: 0, automated: 2 });
    expect(f.opens).toEqual({ unique: 1, total: 2, human: 1, proxy: 1, automated: 0 });
    expect(f.links).toEqual([
      // the template's link to the newsletter's page, then the text's
      { url: `${BASE}/`, unique: 0, total: 0 },
      { url: ARTICLE, unique: 2, total: 2 },
      { url: PRICE, unique: 1, total: 1 },
      { url: MAP, unique: 0, total: 0 },
    ]);
    expect(f.domains).toEqual([
      { domain: "example.ru", sent: 2, bounced: 0, clicked: 1 },
      { domain: "mail.ru", sent: 2, bounced: 0, clicked: 1 },
      { domain: "yandex.ru", sent: 1, bounced: 0, clicked: 0 },
    ]);
    // the people's three clicks, per hour (this one, or the next if the hour turned while they clicked)
    expect(f.timeline.reduce((sum: number, p: { clicks: number }) => sum + p.clicks, 0)).toBe(3);
    expect(f.timeline.length).toBeLessThanOrEqual(2);
    for (const p of f.timeline) expect(p.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    const page = await readFile(join(root, "report", SLUG, "index.html"), "utf8");
    expect(page).toContain('id="click-map"');
    expect(page).toContain(ARTICLE);
  }, 300_000);
});
