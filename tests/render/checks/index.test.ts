import { describe, expect, it } from "vitest";
import { checkTemplate } from "../../../src/render/checks/index.js";
import { OUR_HELPERS } from "../../../src/render/handlebars.js";

const check = (source: string, lineOffset = 0) =>
  checkTemplate(source, "issues/a.md", { lineOffset, partials: new Set(["header"]), helpers: OUR_HELPERS });

describe("checks: checkTemplate runs the rules in order", () => {
  it("every rule's findings, in the template's order, at the file's line", () => {
    const r = check("{{> nope}}\n{{#each events}}{{#foo}}{{/foo}}{{#if ../subscriber.a}}{{title}}{{/if}}{{/each}}\n{{{subscriber.b}}}", 4);
    expect(r.diagnostics.map((d) => [d.ruleId, d.line, d.column])).toEqual([
      ["handlebars/missing-partial", 5, 1],
      ["handlebars/unknown-helper", 6, 17],
      ["handlebars/subscriber-in-loop", 6, 33],
      ["handlebars/unescaped-subscriber", 7, 1],
    ]);
    expect(r.diagnostics.every((d) => d.file === "issues/a.md" && d.severity === "error" && d.fix)).toBe(true);
  });

  it("one tag breaking two rules: both, in the rules' order", () => {
    const r = check("{{#each events}}{{#each ../subscriber.a b}}{{title}}{{/each}}{{/each}}");
    expect(r.diagnostics.map((d) => d.ruleId)).toEqual(["handlebars/subscriber-in-loop", "handlebars/helper-arguments"]);
  });

  it("an unbalanced block stops before the parser and the tree rules", () => {
    const r = check("{{> nope}}\n{{#if a}}", 2);
    expect(r.diagnostics).toEqual([expect.objectContaining({ ruleId: "handlebars/unclosed-block", line: 4, column: 1 })]);
    expect(r.ast).toBeUndefined();
  });

  it("a syntax error stops the tree rules", () => {
    const r = check("{{> nope}}\n{{a b}", 0);
    expect(r.diagnostics.map((d) => [d.ruleId, d.line])).toEqual([["handlebars/syntax", 2]]);
  });

  it("a clean template: no findings, and its tree for the stages after", () => {
    const r = check("{{> header}}{{#each events}}{{formatDate date}}{{/each}}");
    expect(r.diagnostics).toEqual([]);
    expect(r.ast?.type).toBe("Program");
  });
});
