import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runReport } from "../../src/cli/report.js";
import { writeReport } from "../../src/report/report.js";
import { SendsayClient } from "../../src/sendsay/client.js";
import { openStore } from "../../src/state/store.js";
import { run } from "../helpers/cli.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";

const SLUG = "2026-11-24-ne-pryachtes-za-firmu";
const LOGIN = "prodazhi";
const KEY = "test-key-0123456789";
/** When the campaign was handed to Sendsay: its clicks are counted per hour for three days from here. */
const SENT_AT = "2026-11-24T09:00:00.000Z";
const DELIVERIES = [
  { email: "ivan@mail.ru", status: "1" },
  { email: "anna@mail.ru", status: "1" },
  { email: "petr@yandex.ru", status: "1" },
];
const CLICKS = [
  { url: "https://prodazhi.example.ru/treningi", email: "ivan@mail.ru", at: "2026-11-24T10:05:00Z" },
  { url: "https://prodazhi.example.ru/treningi", email: "ivan@mail.ru", at: "2026-11-24T10:06:00Z" },
  { url: "https://prodazhi.example.ru/treningi", email: "anna@mail.ru", at: "2026-11-25T08:00:00Z" },
  { url: "https://prodazhi.example.ru/vopros-otvet", email: "anna@mail.ru", at: "2026-11-25T09:00:00Z" },
];

let newsletter: { dir: string; remove: () => Promise<void> };
let server: FakeSendsay;
let location: { kind: "sqlite"; file: string };

beforeAll(async () => {
  newsletter = await copyExampleNewsletter();
  server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, clicks: CLICKS, deliveries: DELIVERIES });
  // the campaign as `send --transport sendsay --list` leaves it: submitted to Sendsay, its track id kept in the state
  const client = new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: server.url, timeoutMs: 5000 });
  const sent = await client.request<{ "track.id": string }>(
    {
      action: "issue.send",
      group: "pl42",
      letter: { subject: "Не прячьтесь за фирму", "from.email": "news@prodazhi.example.ru", message: { html: "<p>x</p>" } },
    },
    { idempotent: false },
  );
  location = { kind: "sqlite", file: join(newsletter.dir, ".rassylka", "state.sqlite") };
  const store = await openStore(location);
  try {
    const id = await store.campaigns.begin(SLUG, "pl42", LOGIN, "hash", "Не прячьтесь за фирму");
    await store.campaigns.update(id, { state: "done", trackId: sent["track.id"], trackStatus: -1 });
  } finally {
    await store.close();
  }
  // the campaign's start as a fixed time (the store writes the clock's)
  const db = new Database(location.file);
  db.prepare("UPDATE sendsay_campaigns SET created_at = ?").run(SENT_AT);
  db.close();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await newsletter?.remove();
});

/** 24 hours from the first click's hour (10:00 UTC) to the last's (09:00 the next day), zeros between. */
function hourly(counts: Record<string, number>): { at: string; clicks: number }[] {
  const out: { at: string; clicks: number }[] = [];
  for (let at = Date.parse("2026-11-24T10:00:00.000Z"); at <= Date.parse("2026-11-25T09:00:00.000Z"); at += 3_600_000) {
    const iso = new Date(at).toISOString();
    out.push({ at: iso, clicks: counts[iso] ?? 0 });
  }
  return out;
}

const env = () => ({ PATH: process.env.PATH, SENDSAY_APIKEY: KEY, SENDSAY_LOGIN: LOGIN, SENDSAY_API_URL: server.url });

test("a Sendsay list campaign gets the same page, from stat.uni: the issue's figures, clicks per link, per hour and per domain", async () => {
  const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, env: env() });
  if (result.kind !== "issue") throw new Error("an issue's report was expected");
  const r = result.report;
  expect(r.source).toBe("sendsay");
  // who it went to, for the summary `rassylka report` prints: the campaign's Sendsay list
  expect(r.audience).toBe("Sendsay list «pl42»");
  expect(r.figures.counts).toEqual({ listed: 3, sent: 2, failed: 1, bounced: null, complained: null, unsubscribed: 1 });
  expect(r.figures.clicks).toEqual({ unique: 1, total: 4, human: 4, proxy: 0, automated: 0 });
  expect(r.figures.opens).toMatchObject({ unique: 2 });
  expect(r.figures.links).toEqual([
    { url: "https://prodazhi.example.ru/treningi", unique: 2, total: 3 },
    { url: "https://prodazhi.example.ru/vopros-otvet", unique: 1, total: 1 },
  ]);
  // Sendsay's clock is Moscow's: 13:05 there is 10:05 UTC, counted in the 10:00 UTC hour like our own report
  expect(r.figures.timeline).toEqual(
    hourly({ "2026-11-24T10:00:00.000Z": 2, "2026-11-25T08:00:00.000Z": 1, "2026-11-25T09:00:00.000Z": 1 }),
  );
  // sent per domain from deliv.member.email, clicked from click.member.email; bounces per domain are not documented
  expect(r.figures.domains).toEqual([
    { domain: "mail.ru", sent: 2, bounced: null, clicked: 2 },
    { domain: "yandex.ru", sent: 1, bounced: null, clicked: 0 },
  ]);
  expect(r.figures.unavailable).toBeUndefined();
  // every figure asked of the one issue the campaign's track names, each breakdown in a documented order
  const asked = server.handled("stat.uni").map((q) => q.body ?? {});
  const ofIssue = asked.filter((b) => JSON.stringify(b.filter).includes(".issue.id"));
  expect(ofIssue.map((b) => b.select)).toEqual([
    ["click.link.url", "click.member.email", "count(*)"],
    ["click.dt:Ys", "count(*)"],
    ["deliv.member.email"],
    ["click.member.email", "count(*)"],
  ]);
  for (const b of ofIssue) expect(b.order, JSON.stringify(b.select)).toBeDefined();
  expect(asked.some((b) => b.action === "stat.activity")).toBe(false);
  const html = await readFile(result.file, "utf8");
  expect(html).toContain("Figures from Sendsay: the campaign to list «pl42»");
  expect(html).toContain('id="timeline"');
  expect(html).toMatch(/<td>mail\.ru<\/td><td class="n">2<\/td><td class="n">no data from Sendsay<\/td><td class="n">2<\/td>/);
  expect(html).not.toContain(KEY);
});

test("report --json of a Sendsay campaign prints the same figures, null where Sendsay gives none", async () => {
  const r = await run(["report", SLUG, "--root", newsletter.dir, "--state", location.file, "--json", "--out", "report-json"], {
    SENDSAY_APIKEY: KEY,
    SENDSAY_LOGIN: LOGIN,
    SENDSAY_API_URL: server.url,
    RASSYLKA_LANG: "en",
  });
  expect(r.code, r.err).toBe(0);
  const figures = JSON.parse(r.out);
  expect(Object.keys(figures)).toEqual(["issue", "counts", "clicks", "opens", "links", "domains", "timeline"]);
  expect(figures.domains[0]).toEqual({ domain: "mail.ru", sent: 2, bounced: null, clicked: 2 });
  expect(figures.timeline).toHaveLength(24);
  expect(figures.timeline[0]).toEqual({ at: "2026-11-24T10:00:00.000Z", clicks: 2 });
});

test("a breakdown Sendsay refuses shows «no data from Sendsay» and why; the other figures stay", async () => {
  // an account whose stat.uni does not know the click's time to the second
  let restore: (() => void) | undefined;
  const strict = await startFakeSendsay({
    login: LOGIN,
    apiKey: KEY,
    clicks: CLICKS,
    deliveries: DELIVERIES,
    unknownFields: ["click.dt:Ys"],
  });
  try {
    const client = new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: strict.url, timeoutMs: 5000 });
    const sent = await client.request<{ "track.id": string }>(
      {
        action: "issue.send",
        group: "pl42",
        letter: { subject: "x", "from.email": "news@prodazhi.example.ru", message: { html: "<p>x</p>" } },
      },
      { idempotent: false },
    );
    const db = new Database(location.file);
    const kept = (db.prepare("SELECT track_id AS id FROM sendsay_campaigns").get() as { id: string }).id;
    db.prepare("UPDATE sendsay_campaigns SET track_id = ?").run(sent["track.id"]);
    db.close();
    restore = () => {
      const again = new Database(location.file);
      again.prepare("UPDATE sendsay_campaigns SET track_id = ?").run(kept);
      again.close();
    };
    const result = await writeReport({
      root: newsletter.dir,
      location,
      ref: SLUG,
      env: { ...env(), SENDSAY_API_URL: strict.url },
      out: "report-refused",
    });
    if (result.kind !== "issue") throw new Error("an issue's report was expected");
    const f = result.report.figures;
    expect(f.timeline).toEqual([]);
    expect(f.unavailable?.timeline?.reason).toContain("click.dt:Ys");
    expect(f.unavailable?.timeline?.note).toBe(f.unavailable?.timeline?.reason);
    expect(f.links).toHaveLength(2);
    expect(f.domains).toHaveLength(2);
    const html = await readFile(result.file, "utf8");
    expect(html).toMatch(/id="timeline-off">No data from Sendsay: [^<]*click\.dt:Ys/);
    expect(html).not.toContain('id="timeline"');
  } finally {
    await strict.close();
    restore?.();
  }
});

test("when Sendsay cannot be asked, the page says why and holds no figure it did not get", async () => {
  const result = await writeReport({
    root: newsletter.dir,
    location,
    ref: SLUG,
    env: { ...env(), SENDSAY_APIKEY: "wrong-key" },
    out: "report-failed",
  });
  if (result.kind !== "issue") throw new Error("an issue's report was expected");
  expect(result.report.figures.counts.sent).toBe(0);
  const html = await readFile(result.file, "utf8");
  expect(html).toContain("figures could not be read");
  expect(html).not.toContain("wrong-key");
});

test("the terminal summary of a campaign names its Sendsay list as the audience", async () => {
  const env = { PATH: process.env.PATH, SENDSAY_APIKEY: KEY, SENDSAY_LOGIN: LOGIN, SENDSAY_API_URL: server.url };
  const out: string[] = [];
  const code = await runReport(
    SLUG,
    { root: newsletter.dir, state: join(newsletter.dir, ".rassylka", "state.sqlite"), out: "report-summary" },
    { out: (x) => out.push(x), err: () => {} },
    env,
  );
  expect(code).toBe(0);
  expect(out[1]).toBe("  audience: Sendsay list «pl42»");
});
