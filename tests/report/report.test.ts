import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { translator } from "../../src/i18n/index.js";
import { readerKey } from "../../src/identity/click-token.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { writeReport } from "../../src/report/report.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore, type Store } from "../../src/state/store.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { backends } from "../state/backends.js";

const SLUG = "2026-11-10-tekushchaya-debitorka";
const LINKS = [
  "https://prodazhi.example.ru/treningi/debitorka",
  "https://prodazhi.example.ru/vopros-otvet",
  "https://prodazhi.example.ru/treningi",
];
const READERS = ["ivan@mail.ru", "anna@mail.ru", "olga@yandex.ru", "petr@gmail.com", "vera@gmail.com", "dead@mail.ru"];

/**
 * A send recorded through the store as `send` records one: six readers, five sent and one failed; a hard
 * and a soft bounce, a complaint, two unsubscribes (one-click and the page's button); clicks of people,
 * an image proxy, a scanner on the canary, a trial click (counted nowhere) and opens.
 */
async function seed(store: Store, listId: string): Promise<void> {
  const ledger = store.ledger;
  const runId = await ledger.beginRun(SLUG, "hash", "Текущая дебиторка");
  await ledger.addRecipients(
    SLUG,
    runId,
    READERS.map((email, i) => ({ email, address: email, fields: {}, line: i + 2, messageId: `<${i}.${SLUG}@example.ru>` })),
  );
  await ledger.setListStats(SLUG, { total: READERS.length, invalid: 0, duplicates: 0 });
  const { claimed } = await ledger.recordAndClaim(SLUG, runId, [], READERS.length);
  await ledger.record(
    claimed.map((c, i) =>
      i < 5
        ? { id: c.id, state: "sent" as const, attempts: 1, code: 250, response: "250 OK" }
        : { id: c.id, state: "failed" as const, attempts: 1, code: 550, response: "550 no such user" },
    ),
  );
  await ledger.endRun(SLUG);
  await store.bounces.record("m1", "hard", [
    { issue: SLUG, email: "vera@gmail.com", kind: "hard", status: "5.1.1", at: "2026-11-10T12:00:00.000Z" },
  ]);
  await store.bounces.record("m2", "soft", [
    { issue: SLUG, email: "olga@yandex.ru", kind: "soft", status: "4.2.2", at: "2026-11-10T12:00:00.000Z" },
  ]);
  await store.bounces.record("m3", "complaint", [
    { issue: SLUG, email: "petr@gmail.com", kind: "complaint", at: "2026-11-10T13:00:00.000Z" },
  ]);
  await store.suppressions.add("petr@gmail.com", "unsubscribed", "one-click");
  await store.suppressions.add("olga@yandex.ru", "unsubscribed", "page");
  await store.suppressions.add("someone@else.ru", "unsubscribed", "one-click");
  await store.clicks.saveLinks(SLUG, LINKS);
  const key = (email: string) => readerKey(listId, email);
  const start = Date.parse((await ledger.getRun(SLUG))!.startedAt);
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
  const clicks: Parameters<Store["clicks"]["record"]>[0][] = [
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", at: at(5) },
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", at: at(6) },
    { issue: SLUG, link: 2, reader: key("ivan@mail.ru"), uaClass: "human", at: at(70) },
    { issue: SLUG, link: 1, reader: key("anna@mail.ru"), uaClass: "human", at: at(80) },
    { issue: SLUG, link: 3, reader: key("petr@gmail.com"), uaClass: "human", at: at(5 * 24 * 60) },
    { issue: SLUG, link: 1, reader: key("olga@yandex.ru"), uaClass: "proxy", at: at(1) },
    { issue: SLUG, link: 0, reader: key("olga@yandex.ru"), uaClass: "automated", at: at(1) },
    { issue: SLUG, link: 2, reader: key("olga@yandex.ru"), uaClass: "automated", at: at(1) },
    { issue: SLUG, link: 1, reader: key("ivan@mail.ru"), uaClass: "human", trial: true, at: at(2) },
    { issue: SLUG, link: -1, reader: key("ivan@mail.ru"), uaClass: "human", at: at(4) },
    { issue: SLUG, link: -1, reader: key("anna@mail.ru"), uaClass: "human", at: at(60) },
    { issue: SLUG, link: -1, reader: key("olga@yandex.ru"), uaClass: "proxy", at: at(0) },
  ];
  for (const c of clicks) await store.clicks.record(c);
}

describe.each(backends())("rassylka report on the $name store", (backend) => {
  let newsletter: { dir: string; remove: () => Promise<void> };
  let location: StateLocation;

  beforeAll(async () => {
    await backend.start();
    newsletter = await copyExampleNewsletter();
    // the example tracks clicks only; opens too here, to count them
    const yaml = join(newsletter.dir, "newsletter.yaml");
    await writeFile(
      yaml,
      (await readFile(yaml, "utf8")).replace(/^tracking:\n {2}clicks: true$/m, "tracking:\n  clicks: true\n  opens: true"),
    );
    location = await backend.fresh();
    const store = await openStore(location);
    try {
      await seed(store, newsletterId((await loadConfig(newsletter.dir)).config));
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(async () => {
    await newsletter?.remove();
    await backend.stop();
  });

  test("the JSON holds exactly the issue's figures: people's clicks apart from proxies, scanners and trials", async () => {
    const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, env: { PATH: process.env.PATH } });
    expect(result.kind).toBe("issue");
    if (result.kind !== "issue") return;
    const f = result.report.figures;
    expect(Object.keys(f)).toEqual(["issue", "counts", "clicks", "opens", "links", "domains", "timeline"]);
    expect(f.issue).toBe(SLUG);
    expect(f.counts).toEqual({ listed: 6, sent: 5, failed: 1, bounced: 2, complained: 1, unsubscribed: 2 });
    expect(f.clicks).toEqual({ unique: 3, total: 8, human: 5, proxy: 1, automated: 2 });
    expect(f.opens).toEqual({ unique: 2, total: 3, human: 2, proxy: 1, automated: 0 });
    expect(f.links).toEqual([
      { url: LINKS[0], unique: 2, total: 3 },
      { url: LINKS[1], unique: 1, total: 1 },
      { url: LINKS[2], unique: 1, total: 1 },
    ]);
    expect(f.domains).toEqual([
      { domain: "gmail.com", sent: 2, bounced: 1, clicked: 1 },
      { domain: "mail.ru", sent: 2, bounced: 0, clicked: 2 },
      { domain: "yandex.ru", sent: 1, bounced: 1, clicked: 0 },
    ]);
    expect(result.report.bounces).toEqual({ hard: 1, soft: 1 });
    expect(result.report.unsubscribed).toEqual({ oneClick: 1, page: 1 });
    expect(result.report.rates.clickThrough).toBeCloseTo(3 / 5);
    expect(result.report.rates.clickToOpen).toBeCloseTo(3 / 2);
    // per hour for the first days, then per day; the clicks of people only
    expect(f.timeline.reduce((s, p) => s + p.clicks, 0)).toBe(5);
    const steps = f.timeline.slice(1).map((p, i) => Date.parse(p.at) - Date.parse(f.timeline[i].at));
    expect(steps[0]).toBe(3_600_000);
    expect(steps[steps.length - 1]).toBe(86_400_000);
    expect(f.timeline[f.timeline.length - 1].clicks).toBe(1);
    expect(result.file).toBe(join(newsletter.dir, "report", SLUG, "index.html"));
    const html = await readFile(result.file, "utf8");
    expect(html).toContain('id="timeline"><svg');
    expect(html).toMatch(/id="domains-chart">(<figure[^>]*>[\s\S]*?)?<svg/);
    expect(html).toContain('id="classes"><svg');
    expect(html).toContain("https://prodazhi.example.ru/vopros-otvet");
    expect(html).not.toMatch(/<script|https?:\/\/[^"]*\.(js|css)\b/);
  });

  test("the page speaks the newsletter's language", async () => {
    const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, out: "report-ru", translator: translator("ru") });
    const html = await readFile(result.file, "utf8");
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain("Карта кликов");
    expect(html).toContain("Почтовые домены читателей");
  });

  test("without an issue: the newsletter over time, issue by issue and week by week", async () => {
    const result = await writeReport({ root: newsletter.dir, location });
    expect(result.kind).toBe("newsletter");
    if (result.kind !== "newsletter") return;
    expect(result.report.issues).toEqual([
      expect.objectContaining({ issue: SLUG, sent: 5, clickers: 3, clicks: 5, complained: 1, unsubscribed: 2, complaintRate: 1 / 5 }),
    ]);
    const week = result.report.weeks.find((w) => w.unsubscribed > 0);
    expect(week?.unsubscribed).toBe(3);
    expect(result.report.weeks.reduce((s, w) => s + w.bounced, 0)).toBe(1);
    const html = await readFile(result.file, "utf8");
    expect(html).toMatch(/id="issues-chart">(<figure[^>]*>[\s\S]*?)?<svg/);
    expect(html).toMatch(/id="complaints-chart"><svg/);
  });

  test("an issue the state never sent is a clear error naming the fix", async () => {
    await expect(writeReport({ root: newsletter.dir, location, ref: "2026-11-24-ne-pryachtes-za-firmu" })).rejects.toThrow(
      /no send of 2026-11-24-ne-pryachtes-za-firmu/,
    );
  });
});
