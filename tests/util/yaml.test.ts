import { describe, expect, it } from "vitest";
import { parseYaml } from "../../src/util/yaml.js";

/** parseYaml never throws for what an editor can type: aliases included. */
describe("parseYaml: aliases (regression)", () => {
  const bomb = [
    'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
  ].join("\n");
  const cases = [
    {
      name: "an undefined alias",
      text: "title: x\ntags: *nope\n",
      line: 2,
      column: 7,
      message: /\*nope refers to no anchor/,
      fix: /"\*nope"/,
    },
    { name: "an alias before its anchor", text: "a: *x\nb: &x 1\n", line: 1, column: 4, message: /\*x refers to no anchor/, fix: /&x/ },
    { name: "an alias bomb", text: `title: x\n${bomb}\n`, line: 5, column: 5, message: /expand too far/, fix: /write the values out/ },
  ];
  for (const c of cases) {
    it(`${c.name}: a yaml/alias error with line and column, not a thrown ReferenceError`, () => {
      const r = parseYaml(c.text, "issues/x.md", 1);
      expect(r.data).toBeUndefined();
      expect(r.diagnostics).toHaveLength(1);
      const [d] = r.diagnostics;
      expect(d).toMatchObject({ ruleId: "yaml/alias", severity: "error", file: "issues/x.md", line: c.line + 1, column: c.column });
      expect(d.message).toMatch(c.message);
      expect(d.fix).toMatch(c.fix);
    });
  }

  it("aliases used within the limit still work", () => {
    const r = parseYaml("base: &b { city: Москва }\nevent: *b\n", "newsletter.yaml");
    expect(r.diagnostics).toEqual([]);
    expect(r.data).toEqual({ base: { city: "Москва" }, event: { city: "Москва" } });
  });
});
