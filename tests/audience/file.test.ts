import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { audienceNames, loadAudience, parseAudience } from "../../src/audience/file.js";
import { type AudienceReader, matches, selectionFingerprint, selects } from "../../src/audience/filter.js";
import { tempDir } from "../helpers/newsletter.js";

const TOPICS = ["treningi", "tehnika", "vopros-otvet"];

function filterOf(text: string) {
  const r = parseAudience(text, "test", TOPICS);
  expect(r.diagnostics).toEqual([]);
  return r.filter!;
}

const reader = (topics: string[], fields: Record<string, string> = {}): AudienceReader => ({ topics, fields });

describe("audience files: every operator", () => {
  const moscowGold = reader(["treningi"], { city: "Москва", plan: "gold", phone: "+7 495 000-00-00" });
  const kazanFree = reader(["tehnika"], { city: "Казань", plan: "free" });
  const ufaSilver = reader(["treningi", "vopros-otvet"], { city: "Уфа", plan: "silver", phone: " " });

  test.each([
    ["topics: any of them", "topics: [treningi]\n", [true, false, true]],
    ["topics: two", "topics: [tehnika, vopros-otvet]\n", [false, true, true]],
    ["equality", "where:\n  city: Москва\n", [true, false, false]],
    ["equality of a number is its text", "where:\n  plan: 5\n", [false, false, false]],
    ["membership", "where:\n  plan: [gold, silver]\n", [true, false, true]],
    ["exists: true (a blank field does not count)", "where:\n  phone: {exists: true}\n", [true, false, false]],
    ["exists: false", "where:\n  phone: {exists: false}\n", [false, true, true]],
    ["two keys: both", "where:\n  city: Москва\n  plan: silver\n", [false, false, false]],
    ["and", "where:\n  and:\n    - plan: [gold, silver]\n    - phone: {exists: true}\n", [true, false, false]],
    ["or", "where:\n  or:\n    - city: Казань\n    - city: Уфа\n", [false, true, true]],
    ["not", "where:\n  not: {plan: free}\n", [true, false, true]],
    ["nested", "where:\n  or:\n    - and: [{city: Москва}, {not: {plan: free}}]\n    - city: Казань\n", [true, true, false]],
    ["topics and where together", "topics: [treningi]\nwhere:\n  not: {city: Москва}\n", [false, false, true]],
    ["description only: everyone", "description: Все читатели\n", [true, true, true]],
  ])("%s", (_, text, expected) => {
    const f = filterOf(text);
    expect([moscowGold, kazanFree, ufaSilver].map((r) => matches(f, r))).toEqual(expected);
  });

  test("an issue's topic and an audience file select the readers matching both; the fingerprint names both", () => {
    const audience = filterOf("where:\n  plan: [gold, silver]\n");
    const selection = { topic: "vopros-otvet", audience };
    expect([moscowGold, kazanFree, ufaSilver].map((r) => selects(selection, r))).toEqual([false, false, true]);
    expect(selectionFingerprint(selection)).toBe("audience:test+topic:vopros-otvet");
    expect(selectionFingerprint({ topic: "treningi" })).toBe("subscribers+topic:treningi");
    expect(selectionFingerprint({})).toBe("subscribers");
  });
});

describe("bad audience files: file, line, field and fix", () => {
  test.each([
    ["an unknown top-level key, with the nearest one", "topic: [treningi]\n", 1, "topic", /topics/],
    ["an unknown topic", "topics:\n  - treningi\n  - trenigi\n", 3, "topics.1", /treningi, tehnika, vopros-otvet/],
    ["topics not a list", "topics: treningi\n", 1, "topics", /topics: \[treningi\]/],
    ["and not a list", "where:\n  and: {city: Москва}\n", 2, "where.and", /and: \[/],
    ["an empty condition", "where:\n  or:\n    - {}\n", 3, "where.or.0", /at least one field/],
    ["a bad value", "where:\n  city: {is: Москва}\n", 2, "where.city", /city: \{exists: true\}/],
    ["a misspelt operator", "where:\n  nott: {city: Москва}\n", 2, "where.nott", /«not»/],
    ["where not a mapping", "where: [city]\n", 1, "where", /docs\/audiences\.md/],
    ["YAML syntax", "where:\n  city: [Москва\n", 3, undefined, /./],
  ])("%s", (_, text, line, field, fix) => {
    const r = parseAudience(text, "bad", TOPICS);
    expect(r.filter).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const d = r.diagnostics[0];
    expect(d).toMatchObject({ severity: "error", file: "audiences/bad.yaml", line });
    if (field) expect(d.field).toBe(field);
    expect(d.fix).toMatch(fix);
  });

  test("a missing file names the ones there are; a name that is not a file name is refused", async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.dir, "audiences"));
      await writeFile(join(dir.dir, "audiences", "treningi-moskva.yaml"), "topics: [treningi]\nwhere:\n  city: Москва\n");
      await writeFile(join(dir.dir, "audiences", "notes.txt"), "not an audience");
      expect(await audienceNames(dir.dir)).toEqual(["treningi-moskva"]);
      const missing = await loadAudience(dir.dir, "treningi", TOPICS);
      expect(missing.diagnostics[0]).toMatchObject({ ruleId: "audience/missing", file: "audiences/treningi.yaml" });
      expect(missing.diagnostics[0].fix).toMatch(/treningi-moskva/);
      expect((await loadAudience(dir.dir, "../secret", TOPICS)).diagnostics[0]).toMatchObject({
        ruleId: "audience/bad-name",
        field: "--audience",
      });
      const ok = await loadAudience(dir.dir, "treningi-moskva", TOPICS);
      expect(ok.filter).toMatchObject({
        name: "treningi-moskva",
        topics: ["treningi"],
        where: { kind: "eq", field: "city", value: "Москва" },
      });
    } finally {
      await dir.remove();
    }
  });
});
