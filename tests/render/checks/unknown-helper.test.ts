import { describe, expect, it } from "vitest";
import { unknownHelper } from "../../../src/render/checks/unknown-helper.js";
import { input, places } from "./input.js";

describe("checks: unknown helper", () => {
  it.each([
    ["a block helper", "a\n{{#foreach events}}x{{/foreach}}", [2, 1, "unknown block helper {{#foreach}}"]],
    ["a block without arguments that is no context key", "{{#loop}}x{{/loop}}", [1, 1, "unknown block helper {{#loop}}"]],
    ["a dotted block with arguments", "{{#issue.title a}}{{/issue.title}}", [1, 1, "unknown block helper {{#issue.title}}"]],
    ["a call with arguments", "сегодня {{fmtDate issue.date}}", [1, 9, "unknown helper {{fmtDate …}}"]],
    ["a call inside a block", "{{#each events}}\n {{upper title}}{{/each}}", [2, 2, "unknown helper {{upper …}}"]],
  ])("%s", (_name, source, [line, column, message]) => {
    const found = unknownHelper(input(source));
    expect(places(found)).toEqual([["handlebars/unknown-helper", line, column, message]]);
    expect(found[0].fix).toContain("formatDate");
  });

  it.each([
    ["Handlebars' and our helpers", '{{#each events}}{{formatDate date year=true}}{{/each}}{{#if (eq a "b")}}{{/if}}{{lookup a b}}'],
    ["sections over context keys", "{{#issue}}{{title}}{{/issue}}{{#subscriber}}{{name}}{{/subscriber}}"],
    ["a dotted section", "{{#issue.tags}}{{this}}{{/issue.tags}}"],
    ["an output tag without arguments", "{{whatever}}{{{content}}}"],
  ])("%s: nothing", (_name, source) => {
    expect(unknownHelper(input(source))).toEqual([]);
  });
});
