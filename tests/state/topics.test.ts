import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readerTopics } from "../../src/audience/filter.js";
import { type Backend, backends, withFreshStore } from "./backends.js";

const AT = "2026-12-01T10:00:00.000Z";
const LATER = "2026-12-02T11:00:00.000Z";
const DEFAULTS = ["treningi", "tehnika"];

describe.each(backends())("subscribers' topics in the $name store", (backend: Backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  test("the form's ticked topics are kept with their time and source; a form without them leaves the reader on the defaults", () =>
    withFreshStore(backend, async ({ subscribers: s }) => {
      await s.request({ address: "anna@example.ru", topics: ["vopros-otvet", "treningi", "treningi"], nonce: "n1", at: AT });
      await s.request({ address: "boris@example.ru", nonce: "n2", at: AT });
      expect(await s.get("anna@example.ru")).toMatchObject({
        topics: ["treningi", "vopros-otvet"],
        topicsChanged: { at: AT, source: "form" },
      });
      const boris = await s.get("boris@example.ru");
      expect(boris).toMatchObject({ topics: null, topicsChanged: { at: null, source: null } });
      expect(readerTopics(boris!.topics, DEFAULTS)).toEqual(DEFAULTS);
      // none ticked is a choice too
      await s.request({ address: "vera@example.ru", topics: [], nonce: "n3", at: AT });
      expect((await s.get("vera@example.ru"))?.topics).toEqual([]);
    }));

  test("the preference page sets the topics; a one-click from a topic drops only that one (from the defaults for a reader who never chose)", () =>
    withFreshStore(backend, async ({ subscribers: s }) => {
      await s.upsertMany([{ address: "anna@example.ru", topics: ["treningi", "vopros-otvet"] }, { address: "boris@example.ru" }], {
        status: "confirmed",
        source: "cli",
        at: AT,
      });
      expect(await s.setTopics("Anna@Example.ru", ["tehnika"], { at: LATER, source: "preferences" })).toBe(true);
      expect(await s.get("anna@example.ru")).toMatchObject({
        status: "confirmed",
        topics: ["tehnika"],
        topicsChanged: { at: LATER, source: "preferences" },
      });
      expect(await s.setTopics("nobody@example.ru", ["tehnika"], { at: LATER, source: "preferences" })).toBe(false);

      expect(await s.dropTopic("boris@example.ru", "treningi", DEFAULTS, { at: LATER, source: "one-click" })).toBe(true);
      expect(await s.get("boris@example.ru")).toMatchObject({
        status: "confirmed",
        topics: ["tehnika"],
        topicsChanged: { source: "one-click" },
      });
      // again: nothing more to drop, nothing changes
      expect(await s.dropTopic("boris@example.ru", "treningi", DEFAULTS, { at: "2026-12-03T00:00:00.000Z", source: "one-click" })).toBe(
        true,
      );
      expect((await s.get("boris@example.ru"))?.topicsChanged.at).toBe(LATER);
      expect(await s.dropTopic("nobody@example.ru", "treningi", DEFAULTS, { at: LATER, source: "one-click" })).toBe(false);
    }));

  test("an import with a topics column sets them; the same topics again keep their last change; a row without them changes nothing", () =>
    withFreshStore(backend, async ({ subscribers: s }) => {
      await s.upsertMany([{ address: "anna@example.ru", topics: ["treningi"] }], { status: "confirmed", source: "import:a.csv", at: AT });
      await s.upsertMany([{ address: "anna@example.ru", topics: ["treningi"] }], {
        status: "confirmed",
        source: "import:b.csv",
        at: LATER,
      });
      expect(await s.get("anna@example.ru")).toMatchObject({ topics: ["treningi"], topicsChanged: { at: AT, source: "import:a.csv" } });
      await s.upsertMany([{ address: "anna@example.ru", fields: { city: "Уфа" } }], {
        status: "confirmed",
        source: "import:c.csv",
        at: LATER,
      });
      expect(await s.get("anna@example.ru")).toMatchObject({ topics: ["treningi"], fields: { city: "Уфа" } });
      await s.upsertMany([{ address: "anna@example.ru", topics: ["tehnika", "treningi"] }], {
        status: "confirmed",
        source: "import:d.csv",
        at: LATER,
      });
      expect(await s.get("anna@example.ru")).toMatchObject({
        topics: ["tehnika", "treningi"],
        topicsChanged: { at: LATER, source: "import:d.csv" },
      });
      // the page of confirmed readers a send reads carries them
      expect((await s.confirmedPage("", 10)).map((r) => r.topics)).toEqual([["tehnika", "treningi"]]);
    }));

  test("state copy moves the topics with the subscriber", () =>
    withFreshStore(backend, async (source) => {
      await source.subscribers.upsertMany([{ address: "anna@example.ru", topics: ["treningi"] }], {
        status: "confirmed",
        source: "cli",
        at: AT,
      });
      await withFreshStore(backend, async (target) => {
        for await (const rows of source.rows("subscribers")) await target.insertMissing("subscribers", rows);
        expect(await target.subscribers.get("anna@example.ru")).toMatchObject({
          topics: ["treningi"],
          topicsChanged: { at: AT, source: "cli" },
        });
      });
    }));
});
