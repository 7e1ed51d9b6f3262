import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyState } from "../../src/state/copy.js";
import { openStore, type Store } from "../../src/state/store.js";
import { backends, withFreshStore } from "./backends.js";

const AT = "2026-12-01T10:00:00.000Z";
const LATER = "2026-12-01T10:05:00.000Z";

describe.each(backends())("tracked links and clicks in the $name store", (backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  const withStore = <T>(fn: (store: Store) => Promise<T>) => withFreshStore(backend, fn);

  test("an issue's links are kept as the send starts; only those can be looked up; a real send's replace them, a trial's stay apart", () =>
    withStore(async ({ clicks }) => {
      const settings = { clicks: true, opens: false, anonymous: false };
      await clicks.startIssue("2026-12-01-a", settings, ["https://example.ru/old", "https://example.ru/y"]);
      await clicks.startIssue("2026-12-01-a", settings, ["https://example.ru/x?a=1&b=2"]);
      await clicks.startIssue("2026-12-01-a", { ...settings, anonymous: true }, ["https://example.ru/trial-only"], { trial: true });
      expect(await clicks.link("2026-12-01-a", 1)).toBe("https://example.ru/x?a=1&b=2");
      expect(await clicks.link("2026-12-01-a", 2)).toBe("https://example.ru/y");
      expect(await clicks.link("2026-12-01-a", 3)).toBeUndefined();
      expect(await clicks.link("2026-12-02-b", 1)).toBeUndefined();
      expect(await clicks.link("2026-12-01-a", 1, { trial: true })).toBe("https://example.ru/trial-only");
      expect((await clicks.links("2026-12-01-a")).map((l) => l.link)).toEqual([1, 2]);
      // a trial never changes what the real send measures
      expect(await clicks.issue("2026-12-01-a")).toMatchObject({ clicks: 1, opens: 0, anonymous: 0, keep_days: null });
      await clicks.startIssue("2026-12-02-b", { ...settings, anonymous: true, keepDays: 30 }, [], { trial: true });
      expect(await clicks.issue("2026-12-02-b")).toMatchObject({ anonymous: 1, keep_days: 30 });
      expect((await clicks.trackedIssues()).map((i) => i.issue)).toEqual(["2026-12-01-a", "2026-12-02-b"]);
    }));

  test("clicks and opens recorded together; a burst's earlier clicks reclassified", () =>
    withStore(async ({ clicks }) => {
      const ids = await clicks.recordMany([
        { issue: "i", link: 1, reader: "r", uaClass: "human", rule: "human", at: AT },
        { kind: "open", issue: "i", link: 0, reader: "r", uaClass: "proxy", rule: "proxy:google:ua", at: AT },
        { issue: "i", link: 2, reader: "r", uaClass: "human", rule: "human", at: LATER },
      ]);
      expect(ids).toHaveLength(3);
      await clicks.reclassify("click", [ids[0], ids[2]], "automated", "burst");
      expect((await clicks.events("i")).map((e) => [e.event_id, e.ua_class, e.rule])).toEqual([
        [ids[0], "automated", "burst"],
        [ids[2], "automated", "burst"],
      ]);
      expect((await clicks.opens("i")).map((e) => [e.event_id, e.ua_class, e.rule, e.at])).toEqual([
        [ids[1], "proxy", "proxy:google:ua", AT],
      ]);
    }));

  test("fold: events before the time become per-day totals (per link and for the whole issue) and are deleted; trial events just go", () =>
    withStore(async ({ clicks }) => {
      await clicks.recordMany([
        { issue: "i", link: 1, reader: "a", uaClass: "human", at: "2026-10-01T10:00:00.000Z" },
        { issue: "i", link: 1, reader: "a", uaClass: "human", at: "2026-10-01T11:00:00.000Z" },
        { issue: "i", link: 2, reader: "a", uaClass: "human", at: "2026-10-01T12:00:00.000Z" },
        { issue: "i", link: 2, reader: "b", uaClass: "human", at: "2026-10-02T23:59:59.000Z" },
        { issue: "i", link: 1, reader: null, uaClass: "automated", at: "2026-10-02T01:00:00.000Z" },
        { issue: "i", link: 1, reader: "c", uaClass: "human", trial: true, at: "2026-10-01T10:00:00.000Z" },
        { kind: "open", issue: "i", link: 0, reader: "a", uaClass: "proxy", at: "2026-10-01T10:00:00.000Z" },
        { issue: "i", link: 1, reader: "d", uaClass: "human", at: AT },
        { issue: "other", link: 1, reader: "a", uaClass: "human", at: "2026-10-01T10:00:00.000Z" },
      ]);
      expect(await clicks.fold("i", "2026-11-01T00:00:00.000Z")).toBe(7);
      const totals = (await clicks.totals("i")).map((t) => [t.kind, t.link, t.ua_class, t.day, t.events, t.readers]);
      expect(totals).toEqual([
        ["click", -1, "automated", "2026-10-02", 1, 0],
        ["click", -1, "human", "2026-10-01", 3, 1],
        ["click", -1, "human", "2026-10-02", 1, 1],
        ["click", 1, "automated", "2026-10-02", 1, 0],
        ["click", 1, "human", "2026-10-01", 2, 1],
        ["click", 2, "human", "2026-10-01", 1, 1],
        ["click", 2, "human", "2026-10-02", 1, 1],
        ["open", 0, "proxy", "2026-10-01", 1, 1],
      ]);
      expect((await clicks.events("i")).map((e) => e.reader)).toEqual(["d"]);
      expect(await clicks.events("i", { trial: true })).toEqual([]);
      expect(await clicks.opens("i")).toEqual([]);
      expect(await clicks.events("other")).toHaveLength(1);
      // folding again adds to the totals, never replaces them
      await clicks.record({ issue: "i", link: 2, reader: "e", uaClass: "human", at: "2026-10-01T09:00:00.000Z" });
      expect(await clicks.fold("i", "2026-11-01T00:00:00.000Z")).toBe(1);
      expect((await clicks.totals("i")).find((t) => t.link === 2 && t.day === "2026-10-01")).toMatchObject({ events: 2, readers: 2 });
    }));

  test("a click is committed when record() returns: another connection reads it; trial clicks are kept apart; anonymous has no reader", async () => {
    const location = await backend.fresh();
    const a = await openStore(location);
    const b = await openStore(location);
    try {
      await a.clicks.record({ issue: "i", link: 1, reader: "0123456789abcdef", uaClass: "human", at: AT });
      await a.clicks.record({ issue: "i", link: 0, reader: null, uaClass: "automated", at: LATER });
      await a.clicks.record({ issue: "i", link: 2, reader: "0123456789abcdef", uaClass: "human", trial: true, at: LATER });
      const events = await b.clicks.events("i");
      expect(events.map((e) => [e.link, e.reader, e.ua_class, e.at])).toEqual([
        [1, "0123456789abcdef", "human", AT],
        [0, null, "automated", LATER],
      ]);
      expect((await b.clicks.events("i", { trial: true })).map((e) => e.link)).toEqual([2]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("state copy moves settings, links, clicks, opens and totals, once", async () => {
    const from = await openStore(await backend.fresh());
    const to = await openStore(await backend.fresh());
    try {
      await from.clicks.startIssue("i", { clicks: true, opens: true, anonymous: false, keepDays: 90 }, ["https://example.ru/x"]);
      await from.clicks.saveLinks("i", ["https://example.ru/t"], { trial: true });
      await from.clicks.record({ issue: "i", link: 1, reader: null, uaClass: "proxy", at: AT });
      await from.clicks.record({ kind: "open", issue: "i", link: 0, reader: "r", uaClass: "human", at: AT });
      await from.clicks.record({ issue: "i", link: 1, reader: "r", uaClass: "human", at: "2026-01-01T00:00:00.000Z" });
      await from.clicks.fold("i", "2026-06-01T00:00:00.000Z");
      const copied = await copyState(from, to);
      const counts = Object.fromEntries(copied.map((c) => [c.table, [c.read, c.copied]]));
      expect(counts).toMatchObject({
        tracked_issues: [1, 1],
        issue_links: [2, 2],
        click_events: [1, 1],
        open_events: [1, 1],
        event_totals: [2, 2],
      });
      expect(await to.clicks.events("i")).toEqual(await from.clicks.events("i"));
      expect(await to.clicks.opens("i")).toEqual(await from.clicks.opens("i"));
      expect(await to.clicks.totals("i")).toEqual(await from.clicks.totals("i"));
      expect(await to.clicks.issue("i")).toEqual(await from.clicks.issue("i"));
      expect(await to.clicks.link("i", 1, { trial: true })).toBe("https://example.ru/t");
      expect((await copyState(from, to)).filter((c) => c.copied > 0 && c.table !== "send_runs")).toEqual([]);
    } finally {
      await from.close();
      await to.close();
    }
  });
});
