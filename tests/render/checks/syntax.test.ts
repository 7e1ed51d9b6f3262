import { describe, expect, it } from "vitest";
import { parseTemplate } from "../../../src/render/checks/syntax.js";

describe("checks: syntax", () => {
  it.each([
    ["an unclosed tag", "a\n\n{{issue.title\n", 3],
    ["a stray brace in a tag", "{{issue.title}\n}", 1],
    ["an empty tag", "a\n{{}}", 2],
  ])("%s: the parser's words at its line", (_name, source, line) => {
    const r = parseTemplate(source);
    expect("finding" in r && r.finding).toMatchObject({ ruleId: "handlebars/syntax", line });
    expect("finding" in r && r.finding.column).toBeUndefined();
    expect("finding" in r && r.finding.message).toContain("Handlebars syntax error");
  });

  it.each([
    ["plain text", "Привет"],
    ["tags", "{{issue.title}} {{> header}}"],
  ])("%s parses", (_name, source) => {
    expect(parseTemplate(source)).toHaveProperty("ast.type", "Program");
  });
});
