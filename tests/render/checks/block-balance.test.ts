import { describe, expect, it } from "vitest";
import { blockBalance } from "../../../src/render/checks/block-balance.js";

describe("checks: block balance", () => {
  it.each([
    // name, source, rule id, line, column, message
    ["unclosed", "a\n{{#if x}}\nb", "handlebars/unclosed-block", 2, 1, "{{#if}} is never closed"],
    ["the innermost unclosed one", "{{#each a}}\n  {{#with b}}", "handlebars/unclosed-block", 2, 3, "{{#with}} is never closed"],
    ["an inverse section", "{{^items}}none", "handlebars/unclosed-block", 1, 1, "{{#items}} is never closed"],
    ["mismatched, at the opening", "{{#if a}}\n\n{{/each}}", "handlebars/mismatched-block", 1, 1, "closed by {{/each}} on line 3"],
    ["closed, never opened", "a {{/if}}", "handlebars/unopened-block", 1, 3, "{{/if}} closes a block that was never opened"],
    ["the first imbalance only", "{{/if}}\n{{#each}}", "handlebars/unopened-block", 1, 1, "never opened"],
  ])("%s", (_name, source, ruleId, line, column, message) => {
    const f = blockBalance(source, 0);
    expect(f).toMatchObject({ ruleId, line, column });
    expect(f?.message).toContain(message);
    expect(f?.fix).toBeTruthy();
  });

  it("names the close's line in the file, shifted by the front-matter", () => {
    expect(blockBalance("{{#if a}}\n{{/with}}", 4)?.message).toContain("on line 6");
  });

  it.each([
    ["balanced blocks", "{{#if a}}{{#each b}}{{/each}}{{else}}{{/if}}"],
    ["an inline partial", '{{#*inline "hi"}}x{{/inline}}'],
    ["an escaped tag", "\\{{#if subscriber.name}}"],
    ["a comment holding a tag", "{{!-- {{#if a}} --}}{{! {{/each}} }}"],
    ["whitespace control", "{{~#if a~}} x {{~/if~}}"],
  ])("%s: nothing", (_name, source) => {
    expect(blockBalance(source, 0)).toBeUndefined();
  });
});
