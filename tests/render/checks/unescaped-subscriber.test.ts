import { describe, expect, it } from "vitest";
import { unescapedSubscriber } from "../../../src/render/checks/unescaped-subscriber.js";
import { input, places } from "./input.js";

describe("checks: unescaped subscriber", () => {
  it.each<[string, string, [number, number, string]]>([
    ["three braces", "Привет,\n {{{subscriber.name}}}!", [2, 2, "{{{subscriber.name}}} puts the reader's data"]],
    ["from inside a loop", "{{#each events}}{{{../subscriber.note}}}{{/each}}", [1, 17, "{{{../subscriber.note}}} puts"]],
    ["through a helper", '{{{default subscriber.name "друг"}}}', [1, 1, '{{{default subscriber.name "друг"}}} puts']],
    ["a trusted mark too far back", `{{!-- trusted-html --}}${"x".repeat(10)}{{{subscriber.sig}}}`, [1, 34, "{{{subscriber.sig}}} puts"]],
  ])("%s", (_name, source, [line, column, message]) => {
    const found = places(unescapedSubscriber(input(source)));
    expect(found).toEqual([["handlebars/unescaped-subscriber", line, column, expect.stringContaining(message)]]);
  });

  it("the fix shows the two-brace form and the mark", () => {
    const [f] = unescapedSubscriber(input("{{{subscriber.name}}}"));
    expect(f.fix).toContain("{{subscriber.name}}");
    expect(f.fix).toContain("{{!-- trusted-html --}}");
  });

  it.each([
    ["two braces", "{{subscriber.name}}"],
    ["marked trusted", "{{!-- trusted-html --}}\n  {{{subscriber.signatureHtml}}}"],
    ["marked with a short comment", "{{! trusted-html }}{{{subscriber.signatureHtml}}}"],
    ["issue-wide data", "{{{content}}}{{{newsletter.footerHtml}}}"],
  ])("%s: nothing", (_name, source) => {
    expect(unescapedSubscriber(input(source))).toEqual([]);
  });
});
