import { describe, expect, it } from "vitest";
import { missingPartial } from "../../../src/render/checks/missing-partial.js";
import { input, places } from "./input.js";

describe("checks: missing partial", () => {
  it.each([
    ["a partial with no file", "a\n\n{{> podpis}}", [3, 1, 'partial "podpis" not found']],
    ["a partial block", "  {{#> footer}}x{{/footer}}", [1, 3, 'partial "footer" not found']],
    ["a quoted name", '{{> "podval"}}', [1, 1, 'partial "podval" not found']],
  ])("%s", (_name, source, [line, column, message]) => {
    const found = missingPartial(input(source));
    expect(places(found)).toEqual([["handlebars/missing-partial", line, column, message]]);
    expect(found[0].fix).toContain("header, signature");
  });

  it("says there are none when the newsletter has no partials", () => {
    expect(missingPartial(input("{{> x}}", []))[0].fix).toContain("none");
  });

  it.each([
    ["a partial file", "{{> header}}{{> signature name=1}}"],
    ["an inline partial, before and after its declaration", '{{> hi}}{{#*inline "hi"}}Привет{{/inline}}{{> hi}}'],
    ["an inline partial declared inside a block", '{{#if a}}{{#*inline "hi"}}x{{/inline}}{{/if}}{{> hi}}'],
    ["a dynamic name", "{{> (whichPartial)}}"],
  ])("%s: nothing", (_name, source) => {
    expect(missingPartial(input(source))).toEqual([]);
  });
});
