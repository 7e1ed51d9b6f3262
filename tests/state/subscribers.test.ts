import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyState } from "../../src/state/copy.js";
import type { Migration } from "../../src/state/migrations.js";
import { openStore, type Store } from "../../src/state/store.js";
import { consentHash } from "../../src/state/subscribers.js";
import { backends, migrateWith, migration } from "./backends.js";

const AT = "2026-12-01T10:00:00.000Z";
const LATER = "2026-12-01T10:05:00.000Z";
const CONSENT = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 test", page: "https://example.ru/", text: "Я согласен получать рассылку" };

describe.each(backends())("subscribers in the $name store", (backend) => {
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

  test("a form request is pending under the canonical key with the whole consent record; confirming needs the latest nonce, once", () =>
    withStore(async ({ subscribers: s }) => {
      expect(await s.request({ address: " Ivan@ПРИМЕР.рф ", fields: { name: "Иван" }, consent: CONSENT, nonce: "n1", at: AT })).toEqual({
        kind: "pending",
        previous: undefined,
      });
      const pending = await s.get("ivan@пример.рф");
      expect(pending).toMatchObject({
        email: "ivan@xn--e1afmkfd.xn--p1ai",
        address: "Ivan@ПРИМЕР.рф",
        status: "pending",
        source: "form",
        fields: { name: "Иван" },
        consent: { at: AT, ...CONSENT, textHash: consentHash(CONSENT.text) },
        confirmed: { at: null },
      });
      // asked again: a new nonce, the first link stops working
      expect((await s.request({ address: "ivan@xn--e1afmkfd.xn--p1ai", consent: CONSENT, nonce: "n2", at: LATER })).kind).toBe("pending");
      expect(await s.peek("ivan@пример.рф", "n1")).toBe("invalid");
      expect(await s.peek("ivan@пример.рф", "n2")).toBe("confirmed");
      expect(await s.confirm("ivan@пример.рф", "n1", { at: LATER, ip: "198.51.100.1", userAgent: "ua" })).toBe("invalid");
      expect((await s.get("ivan@пример.рф"))?.status).toBe("pending");
      expect(await s.confirm("IVAN@пример.рф", "n2", { at: LATER, ip: "198.51.100.1", userAgent: "ua" })).toBe("confirmed");
      expect(await s.get("ivan@пример.рф")).toMatchObject({
        status: "confirmed",
        confirmed: { at: LATER, ip: "198.51.100.1", userAgent: "ua" },
        consent: { at: LATER },
      });
      // single use: the same link again only says "subscribed", changes nothing
      expect(await s.confirm("ivan@пример.рф", "n2", { at: "2026-12-02T00:00:00.000Z", ip: null, userAgent: null })).toBe(
        "already-confirmed",
      );
      expect((await s.get("ivan@пример.рф"))?.confirmed.at).toBe(LATER);
      // a stranger's request for a confirmed address changes nothing
      expect(await s.request({ address: "ivan@пример.рф", consent: { ...CONSENT, ip: "192.0.2.66" }, nonce: "n3", at: LATER })).toEqual({
        kind: "already-confirmed",
      });
      expect((await s.get("ivan@пример.рф"))?.consent.ip).toBe(CONSENT.ip);
      expect(await s.count("confirmed")).toBe(1);
    }));

  test("unsubscribe marks them; subscribing again is pending, and only the confirmation lifts their unsubscribe suppression", () =>
    withStore(async (store) => {
      const s = store.subscribers;
      await s.upsertMany([{ address: "olga@example.ru" }, { address: "petr@example.ru" }], { status: "confirmed", source: "cli", at: AT });
      await store.suppressions.add("olga@example.ru", "unsubscribed", "one-click");
      await store.suppressions.add("petr@example.ru", "bounced");
      expect(await s.markUnsubscribed(["OLGA@example.ru", "nobody@example.ru"], LATER)).toBe(1);
      expect(await s.get("olga@example.ru")).toMatchObject({ status: "unsubscribed", unsubscribedAt: LATER });
      expect(await s.request({ address: "olga@example.ru", consent: CONSENT, nonce: "again", at: LATER })).toEqual({
        kind: "pending",
        previous: "unsubscribed",
      });
      expect(await store.suppressions.has("olga@example.ru")).toBe(true);
      expect(await s.confirm("olga@example.ru", "again", { at: LATER, ip: null, userAgent: null })).toBe("confirmed");
      expect(await store.suppressions.has("olga@example.ru")).toBe(false);
      // a bounce is not the reader's choice: confirmed petr stays suppressed, and is not in the audience
      expect((await s.confirmedPage("", 10)).map((x) => x.email)).toEqual(["olga@example.ru"]);
    }));

  test("add and import: new readers pending or confirmed, fields merged, an unsubscribed reader left unsubscribed", () =>
    withStore(async ({ subscribers: s }) => {
      expect(
        await s.upsertMany([{ address: "a@example.ru", fields: { name: "А" } }, { address: "b@example.ru" }], {
          status: "pending",
          source: "import:list.csv",
          at: AT,
        }),
      ).toEqual(["added", "added"]);
      await s.markUnsubscribed(["b@example.ru"], AT);
      expect(
        await s.upsertMany(
          [{ address: "A@example.ru", fields: { city: "Тула" } }, { address: "b@example.ru" }, { address: "c@example.ru" }],
          {
            status: "confirmed",
            source: "cli",
            at: LATER,
          },
        ),
      ).toEqual(["confirmed", "kept-unsubscribed", "added"]);
      expect(await s.get("a@example.ru")).toMatchObject({ status: "confirmed", fields: { name: "А", city: "Тула" }, source: "cli" });
      expect((await s.get("b@example.ru"))?.status).toBe("unsubscribed");
      expect((await s.list({ status: "confirmed" })).map((x) => x.email)).toEqual(["a@example.ru", "c@example.ru"]);
      expect(await s.removeMany(["C@example.ru", "zzz@example.ru"])).toEqual([true, false]);
      expect(await s.count()).toBe(2);
    }));

  test("confirmedPage pages by key through every confirmed reader", () =>
    withStore(async ({ subscribers: s }) => {
      const many = Array.from({ length: 25 }, (_, i) => ({ address: `r${String(i).padStart(2, "0")}@example.ru` }));
      await s.upsertMany(many, { status: "confirmed", source: "cli", at: AT });
      const seen: string[] = [];
      let after = "";
      for (;;) {
        const page = await s.confirmedPage(after, 10);
        seen.push(...page.map((p) => p.email));
        if (page.length < 10) break;
        after = page[page.length - 1].email;
      }
      expect(seen).toEqual(many.map((m) => m.address));
    }));

  test("limits: at most max per window, counted across calls and kept in the store; a refused call records nothing", () =>
    withStore(async ({ subscribers: s }) => {
      const checks = (addr: string) => [
        { key: `addr:${addr}`, max: 1, windowMs: 3_600_000 },
        { key: "ip:203.0.113.7", max: 3, windowMs: 3_600_000 },
      ];
      const t0 = Date.parse(AT);
      expect(await s.takeLimits(checks("a"), t0)).toBeUndefined();
      expect((await s.takeLimits(checks("a"), t0 + 1000))?.key).toBe("addr:a");
      expect(await s.takeLimits(checks("b"), t0 + 2000)).toBeUndefined();
      expect(await s.takeLimits(checks("c"), t0 + 3000)).toBeUndefined();
      expect((await s.takeLimits(checks("d"), t0 + 4000))?.key).toBe("ip:203.0.113.7");
      // an hour later the window has moved on
      expect(await s.takeLimits(checks("a"), t0 + 3_600_001)).toBeUndefined();
      // parallel: exactly max get through
      const results = await Promise.all(
        Array.from({ length: 20 }, () => s.takeLimits([{ key: "global", max: 7, windowMs: 3_600_000 }], t0 + 5000)),
      );
      expect(results.filter((r) => r === undefined)).toHaveLength(7);
    }));

  test("migrations apply by set: one missing below the newest applied (made on another branch) is still applied", async () => {
    const store = await openStore(await backend.fresh(), { migrate: false });
    try {
      const [one, two, four] = [1, 2, 4].map((v) => migration(v, `CREATE TABLE t${v} (x integer)`));
      const migrate = (list: Migration[]) => migrateWith(store, list);
      expect((await migrate([one, four])).applied.map((m) => m.version)).toEqual([1, 4]);
      expect(await migrate([one, two, four])).toEqual({ applied: [{ version: 2, name: "m2" }], version: 4 });
      expect((await migrate([one, two, four])).applied).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test("state copy moves the list with its consent records", async () => {
    const from = await openStore(await backend.fresh());
    const to = await openStore(await backend.fresh());
    try {
      await from.subscribers.request({ address: "x@example.ru", fields: { name: "Икс" }, consent: CONSENT, nonce: "k", at: AT });
      await from.subscribers.upsertMany([{ address: "y@example.ru" }], { status: "confirmed", source: "cli", at: AT });
      const copied = await copyState(from, to);
      expect(copied.find((c) => c.table === "subscribers")).toEqual({ table: "subscribers", read: 2, copied: 2 });
      expect(await to.subscribers.get("x@example.ru")).toEqual(await from.subscribers.get("x@example.ru"));
      expect(await to.subscribers.peek("x@example.ru", "k")).toBe("confirmed");
      expect((await copyState(from, to)).find((c) => c.table === "subscribers")?.copied).toBe(0);
    } finally {
      await from.close();
      await to.close();
    }
  });
});
