import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { clickToken, openToken, readerKey } from "../../src/identity/click-token.js";
import type { Store } from "../../src/state/store.js";
import { TrackRecorder } from "../../src/tracking/record.js";
import { foldExpired } from "../../src/tracking/retention.js";
import { backends, withFreshStore } from "../state/backends.js";

const ID = "rassylka.example.ru";
const SECRET = "record-tests-secret-0123456789abcdef";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const HOUR_AGO = () => Math.floor(Date.now() / 1000) - 3600;
const hit = { method: "GET", userAgent: CHROME, address: "203.0.113.9" };
const token = (slug: string, link: number, email = "anna@example.ru", trial = false) =>
  clickToken({ slug, link, reader: readerKey(ID, email), sent: HOUR_AGO(), trial }, ID, SECRET);

describe.each(backends())("recording clicks and opens, and keepDays, on $name", (backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  const withStore = <T>(fn: (store: Store) => Promise<T>) => withFreshStore(backend, fn);

  test("an issue sent with anonymous: true keeps its clicks and opens without the reader; others keep the reader's key", () =>
    withStore(async (store) => {
      await store.clicks.startIssue("anon", { clicks: true, opens: true, anonymous: true }, ["https://example.ru/a"]);
      await store.clicks.startIssue("named", { clicks: true, opens: true, anonymous: false }, ["https://example.ru/b"]);
      const recorder = new TrackRecorder(store.clicks, { listId: ID, secret: SECRET, home: "https://example.ru/" });
      expect(await recorder.click(token("anon", 1), hit)).toEqual({ ok: true, url: "https://example.ru/a" });
      expect(
        await recorder.open(
          openToken({ slug: "anon", reader: readerKey(ID, "anna@example.ru"), sent: HOUR_AGO(), trial: false }, ID, SECRET),
          hit,
        ),
      ).toBe(true);
      expect(await recorder.click(token("named", 1), hit)).toEqual({ ok: true, url: "https://example.ru/b" });
      expect((await store.clicks.events("anon")).map((e) => e.reader)).toEqual([null]);
      expect((await store.clicks.opens("anon")).map((e) => e.reader)).toEqual([null]);
      expect((await store.clicks.events("named")).map((e) => e.reader)).toEqual([readerKey(ID, "anna@example.ru")]);
    }));

  test("an issue the store knows nothing of follows newsletter.yaml's anonymous; a link it does not have is refused", () =>
    withStore(async (store) => {
      await store.clicks.saveLinks("bare", ["https://example.ru/c"]);
      const recorder = new TrackRecorder(store.clicks, { listId: ID, secret: SECRET, home: "https://example.ru/", anonymous: true });
      expect(await recorder.click(token("bare", 1), hit)).toEqual({ ok: true, url: "https://example.ru/c" });
      expect(await recorder.click(token("bare", 2), hit)).toEqual({ ok: false, reason: "no-link" });
      expect(await recorder.click(token("other-issue", 1), hit)).toEqual({ ok: false, reason: "no-link" });
      expect(await recorder.click("bare.1.0123456789abcdef.abc.AAAAAAAAAAAAAAAAAAAAAA", hit)).toEqual({ ok: false, reason: "bad-token" });
      expect((await store.clicks.events("bare")).map((e) => e.reader)).toEqual([null]);
    }));

  test("a trial's click leads to the trial's link and is kept apart", () =>
    withStore(async (store) => {
      await store.clicks.startIssue("t", { clicks: true, opens: false, anonymous: false }, ["https://example.ru/real"]);
      await store.clicks.startIssue("t", { clicks: true, opens: false, anonymous: false }, ["https://example.ru/draft"], { trial: true });
      const recorder = new TrackRecorder(store.clicks, { listId: ID, secret: SECRET, home: "https://example.ru/" });
      expect(await recorder.click(token("t", 1, "editor@example.ru", true), hit)).toEqual({ ok: true, url: "https://example.ru/draft" });
      expect(await store.clicks.events("t")).toEqual([]);
      expect(await store.clicks.events("t", { trial: true })).toHaveLength(1);
    }));

  test("keepDays: each issue's own, or newsletter.yaml's when shorter; issues without one keep everything", () =>
    withStore(async (store) => {
      const now = Date.parse("2026-12-07T12:00:00Z");
      const daysAgo = (d: number) => new Date(now - d * 86_400_000).toISOString();
      await store.clicks.startIssue("keep-10", { clicks: true, opens: false, anonymous: false, keepDays: 10 }, ["https://example.ru/a"]);
      await store.clicks.startIssue("keep-90", { clicks: true, opens: false, anonymous: false, keepDays: 90 }, ["https://example.ru/a"]);
      await store.clicks.startIssue("keep-all", { clicks: true, opens: false, anonymous: false }, ["https://example.ru/a"]);
      for (const issue of ["keep-10", "keep-90", "keep-all"])
        await store.clicks.recordMany(
          [5, 20, 60, 120].map((d) => ({ issue, link: 1, reader: `r${d}`, uaClass: "human" as const, at: daysAgo(d) })),
        );
      expect(await foldExpired(store.clicks, undefined, now)).toEqual([
        { issue: "keep-10", keepDays: 10, events: 3 },
        { issue: "keep-90", keepDays: 90, events: 1 },
      ]);
      expect(await store.clicks.events("keep-all")).toHaveLength(4);
      // newsletter.yaml now says 30: shorter than 90, so it holds there; the issue without one takes it
      expect(await foldExpired(store.clicks, 30, now)).toEqual([
        { issue: "keep-10", keepDays: 10, events: 0 },
        { issue: "keep-90", keepDays: 30, events: 1 },
        { issue: "keep-all", keepDays: 30, events: 2 },
      ]);
      expect((await store.clicks.events("keep-90")).map((e) => e.reader)).toEqual(["r20", "r5"]);
      const totals = await store.clicks.totals("keep-90");
      expect(totals.filter((t) => t.link === -1).reduce((n, t) => n + t.events, 0)).toBe(2);
    }));
});
