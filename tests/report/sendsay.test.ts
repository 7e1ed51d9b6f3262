import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runReport } from "../../src/cli/report.js";
import { writeReport } from "../../src/report/report.js";
import { SendsayClient } from "../../src/sendsay/client.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";

const SLUG = "2026-11-24-ne-pryachtes-za-firmu";
const LOGIN = "prodazhi";
const KEY = "test-key-0123456789";
const CLICKS = [
  { url: "https://prodazhi.example.ru/treningi", email: "ivan@mail.ru", at: "2026-11-24T10:05:00Z" },
  { url: "https://prodazhi.example.ru/treningi", email: "ivan@mail.ru", at: "2026-11-24T10:06:00Z" },
  { url: "https://prodazhi.example.ru/treningi", email: "anna@mail.ru", at: "2026-11-25T08:00:00Z" },
  { url: "https://prodazhi.example.ru/vopros-otvet", email: "anna@mail.ru", at: "2026-11-25T09:00:00Z" },
];

let newsletter: { dir: string; remove: () => Promise<void> };
let server: FakeSendsay;
let location: StateLocation;

beforeAll(async () => {
  newsletter = await copyExampleNewsletter();
  server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, clicks: CLICKS });
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
}, 120_000);
afterAll(async () => {
  await server?.close();
  await newsletter?.remove();
});

test("a Sendsay list campaign gets the same page, from stat.uni: the issue's figures, clicks per link and per day", async () => {
  const env = { PATH: process.env.PATH, SENDSAY_APIKEY: KEY, SENDSAY_LOGIN: LOGIN, SENDSAY_API_URL: server.url };
  const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, env });
  if (result.kind !== "issue") throw new Error("an issue's report was expected");
  const r = result.report;
  expect(r.source).toBe("sendsay");
  // who it went to, for the summary `rassylka report` prints: the campaign's Sendsay list
  expect(r.audience).toBe("Sendsay list «pl42»");
  expect(r.figures.counts).toEqual({ listed: 3, sent: 2, failed: 1, bounced: 0, complained: 0, unsubscribed: 1 });
  expect(r.figures.clicks).toEqual({ unique: 1, total: 4, human: 4, proxy: 0, automated: 0 });
  expect(r.figures.opens).toMatchObject({ unique: 2 });
  expect(r.figures.links).toEqual([
    { url: "https://prodazhi.example.ru/treningi", unique: 2, total: 3 },
    { url: "https://prodazhi.example.ru/vopros-otvet", unique: 1, total: 1 },
  ]);
  expect(r.figures.timeline).toEqual([
    { at: "2026-11-24T00:00:00.000Z", clicks: 2 },
    { at: "2026-11-25T00:00:00.000Z", clicks: 2 },
  ]);
  // every figure asked of the one issue the campaign's track names
  const asked = server.handled("stat.uni").map((q) => JSON.stringify(q.body?.filter));
  expect(asked.filter((f) => f.includes("click.issue.id"))).toHaveLength(2);
  const html = await readFile(result.file, "utf8");
  expect(html).toContain("Figures from Sendsay: the campaign to list «pl42»");
  expect(html).not.toContain(KEY);
});

test("when Sendsay cannot be asked, the page says why and holds no figure it did not get", async () => {
  const env = { PATH: process.env.PATH, SENDSAY_APIKEY: "wrong-key", SENDSAY_LOGIN: LOGIN, SENDSAY_API_URL: server.url };
  const result = await writeReport({ root: newsletter.dir, location, ref: SLUG, env, out: "report-failed" });
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
