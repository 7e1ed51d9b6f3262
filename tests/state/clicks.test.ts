import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyState } from "../../src/state/copy.js";
import { openStore, type Store } from "../../src/state/store.js";
import { backends } from "./backends.js";

const AT = "2026-12-01T10:00:00.000Z";
const LATER = "2026-12-01T10:05:00.000Z";

describe.each(backends())("tracked links and clicks in the $name store", (backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const s = await openStore(await backend.fresh());
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  test("an issue's links are kept as the send starts; only those can be looked up; saving again changes nothing", () =>
    withStore(async ({ clicks }) => {
      await clicks.saveLinks("2026-12-01-a", ["https://example.ru/x?a=1&b=2", "https://example.ru/y"]);
      await clicks.saveLinks("2026-12-01-a", ["https://evil.example/other"]);
      expect(await clicks.link("2026-12-01-a", 1)).toBe("https://example.ru/x?a=1&b=2");
      expect(await clicks.link("2026-12-01-a", 2)).toBe("https://example.ru/y");
      expect(await clicks.link("2026-12-01-a", 3)).toBeUndefined();
      expect(await clicks.link("2026-12-02-b", 1)).toBeUndefined();
      expect((await clicks.links("2026-12-01-a")).map((l) => l.link)).toEqual([1, 2]);
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

  test("state copy moves links and clicks, once", async () => {
    const from = await openStore(await backend.fresh());
    const to = await openStore(await backend.fresh());
    try {
      await from.clicks.saveLinks("i", ["https://example.ru/x"]);
      await from.clicks.record({ issue: "i", link: 1, reader: null, uaClass: "proxy", at: AT });
      const copied = await copyState(from, to);
      expect(copied.find((c) => c.table === "issue_links")).toEqual({ table: "issue_links", read: 1, copied: 1 });
      expect(copied.find((c) => c.table === "click_events")).toEqual({ table: "click_events", read: 1, copied: 1 });
      expect(await to.clicks.events("i")).toEqual(await from.clicks.events("i"));
      expect((await copyState(from, to)).find((c) => c.table === "click_events")?.copied).toBe(0);
    } finally {
      await from.close();
      await to.close();
    }
  });
});
