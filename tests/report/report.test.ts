import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runReport } from "../../src/cli/report.js";
import { setLanguage, translator } from "../../src/i18n/index.js";
import { writeReport } from "../../src/report/report.js";
import type { StateLocation } from "../../src/state/location.js";
import { sql } from "../../src/state/sql.js";
import { openStore } from "../../src/state/store.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { backends } from "../state/backends.js";
import { LINKS, SLUG, seedState } from "./seed.js";

// One newsletter for both stores (each backend seeds its own state): the click map's shot of the issue,
// which needs Chromium and is the same whatever the store, is taken once and then read from the project's
// cache, as a report made again finds it (tests/report/page.test.ts tests both ways)
let newsletter: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  newsletter = await copyExampleNewsletter();
  // the example tracks clicks only; opens too here, to count them
  const yaml = join(newsletter.dir, "newsletter.yaml");
  await writeFile(
    yaml,
    (await readFile(yaml, "utf8")).replace(/^tracking:\n {2}clicks: true$/m, "tracking:\n  clicks: true\n  opens: true"),
  );
});
afterAll(async () => {
  await newsletter?.remove();
});

describe.each(backends())("rassylka report on the $name store", (backend) => {
  let location: StateLocation;

  beforeAll(async () => {
    await backend.start();
    location = await backend.fresh();
    await seedState(location, newsletter.dir);
  }, 120_000);
  afterAll(async () => {
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

  test("events folded after keepDays still count: totals and links stay, readers become an upper bound", async () => {
    const store = await openStore(location);
    try {
      await store.clicks.fold(SLUG, new Date(Date.parse((await store.ledger.getRun(SLUG))!.startedAt) + 75 * 60_000).toISOString());
    } finally {
      await store.close();
    }
    const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, out: "report-folded" });
    if (result.kind !== "issue") throw new Error("an issue's report was expected");
    const f = result.report.figures;
    expect(f.clicks).toMatchObject({ total: 8, human: 5, proxy: 1, automated: 2 });
    expect(f.clicks.unique).toBeGreaterThanOrEqual(3);
    expect(f.links.map((l) => l.total)).toEqual([3, 1, 1]);
    expect(f.opens).toMatchObject({ total: 3, human: 2, proxy: 1 });
    expect(f.timeline.reduce((s, p) => s + p.clicks, 0)).toBe(5);
  });

  test("the terminal summary names the audience the send went to, in the editor's language", async () => {
    // a send to the subscribers of a topic, as `send --subscribers` records it when it starts
    const own = await backend.fresh();
    await seedState(own, newsletter.dir);
    const store = await openStore(own);
    try {
      await store.sql.run(
        sql`UPDATE send_runs SET audience = ${"subscribers+topic:treningi"}, audience_label = ${"--subscribers (topic treningi)"} WHERE issue = ${SLUG}`,
      );
    } finally {
      await store.close();
    }
    const state = own.kind === "postgres" ? own.url : own.file;
    for (const [lang, line] of [
      ["en", "  audience: --subscribers (topic treningi)"],
      ["ru", "  аудитория: --subscribers (topic treningi)"],
    ] as const) {
      setLanguage(lang);
      const out: string[] = [];
      try {
        const code = await runReport(
          SLUG,
          { root: newsletter.dir, state, out: `report-${lang}` },
          { out: (x) => out.push(x), err: () => {} },
          {
            PATH: process.env.PATH,
          },
        );
        expect(code).toBe(0);
      } finally {
        setLanguage("en");
      }
      // right under the title: who it went to, then the figures
      expect(out[1]).toBe(line);
    }
    // the shared store's send recorded no audience: no line for it
    const plain: string[] = [];
    await runReport(
      SLUG,
      { root: newsletter.dir, state: location.kind === "postgres" ? location.url : location.file },
      { out: (x) => plain.push(x), err: () => {} },
      { PATH: process.env.PATH },
    );
    expect(plain.join("\n")).not.toContain("audience:");
  });

  test("an issue the state never sent is a clear error naming the fix", async () => {
    await expect(writeReport({ root: newsletter.dir, location, ref: "2026-11-24-ne-pryachtes-za-firmu" })).rejects.toThrow(
      /no send of 2026-11-24-ne-pryachtes-za-firmu/,
    );
  });
});
