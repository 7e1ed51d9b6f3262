import { describe, expect, it } from "vitest";
import { consoleHelper } from "../../../src/render/checks/console-helper.js";
import { unknownHelper } from "../../../src/render/checks/unknown-helper.js";
import { input, places } from "./input.js";

const WRITES = "writes to the console: readers' data would be printed during a send (and break --json)";

describe("checks: console helper", () => {
  it.each([
    ["{{log …}} in the text", "Привет\n{{log subscriber.email subscriber.name}}", [2, 1]],
    ["{{log}} without arguments", "{{log}}", [1, 1]],
    ["a {{#log}} block", "a\n  {{#log issue.title}}x{{/log}}", [2, 3]],
    ["a subexpression inside another helper", "{{#if (log issue.title)}}{{/if}}", [1, 7]],
    ["a subexpression in a call's arguments", "{{formatDate (log issue.date)}}", [1, 14]],
    ["inside a loop", "{{#each events}}\n {{log title}}{{/each}}", [2, 2]],
  ])("%s", (_name, source, [line, column]) => {
    const found = consoleHelper(input(source));
    expect(places(found)).toEqual([["handlebars/console-helper", line, column, `{{log …}} ${WRITES}`]]);
    expect(found[0].fix).toContain("rassylka preview");
  });

  it.each([
    ["a value named log", "{{issue.log}}"],
    ["log as an argument, not a call", "{{formatDate log}}"],
    ["a string that says log", '{{default issue.title "log"}}'],
  ])("%s: nothing", (_name, source) => {
    expect(consoleHelper(input(source))).toEqual([]);
  });

  it("is not refused again as an unknown helper", () => {
    expect(unknownHelper(input("{{log a}}{{#log b}}{{/log}}"))).toEqual([]);
  });
});
