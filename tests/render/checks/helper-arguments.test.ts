import { describe, expect, it } from "vitest";
import { helperArguments } from "../../../src/render/checks/helper-arguments.js";
import { input, places } from "./input.js";

describe("checks: helper arguments", () => {
  it.each([
    ["{{#if}} without one", "a\n{{#if}}x{{/if}}", [2, 1, "{{#if}} needs exactly one argument, got 0"]],
    ["{{#each}} with two", "{{#each a b}}x{{/each}}", [1, 1, "{{#each}} needs exactly one argument, got 2"]],
    ["nested in another block", "{{#if a}}\n  {{#with}}{{/with}}{{/if}}", [2, 3, "{{#with}} needs exactly one argument, got 0"]],
  ])("%s", (_name, source, [line, column, message]) => {
    expect(places(helperArguments(input(source)))).toEqual([["handlebars/helper-arguments", line, column, message]]);
  });

  it.each([
    ["one argument each", "{{#if a}}{{/if}}{{#unless a}}{{/unless}}{{#with a}}{{/with}}{{#each a}}{{/each}}"],
    ["a subexpression is one argument", '{{#if (eq a "b")}}{{/if}}'],
    ["other blocks are not counted", "{{#issue}}{{/issue}}"],
  ])("%s: nothing", (_name, source) => {
    expect(helperArguments(input(source))).toEqual([]);
  });
});
