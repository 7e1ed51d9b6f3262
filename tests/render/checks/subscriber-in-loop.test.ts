import { describe, expect, it } from "vitest";
import { subscriberInLoop } from "../../../src/render/checks/subscriber-in-loop.js";
import { input, places } from "./input.js";

describe("checks: subscriber in loop", () => {
  it.each<[string, string, [number, number, string]]>([
    [
      "a subscriber block reading the item",
      "{{#each events}}\n  {{#if ../subscriber.name}}{{title}}{{/if}}\n{{/each}}",
      [2, 3, 'this subscriber tag inside {{#each}} also reads "title"'],
    ],
    [
      "a helper call mixing both",
      "{{#with issue}}{{default ../subscriber.name title}}{{/with}}",
      [1, 16, 'inside {{#with}} also reads "title"'],
    ],
    [
      "inside an {{#if}} inside the loop: the loop is named",
      "{{#each events}}{{#if a}}{{#if ../../subscriber.x}}{{date}}{{/if}}{{/if}}{{/each}}",
      [1, 26, 'inside {{#each}} also reads "date"'],
    ],
    [
      "every local once",
      "{{#each events}}{{#if ../subscriber.x}}{{title}}{{title}}{{place}}{{/if}}{{/each}}",
      [1, 17, 'also reads "title", "place"'],
    ],
  ])("%s", (_name, source, [line, column, message]) => {
    const found = places(subscriberInLoop(input(source)));
    expect(found).toEqual([["handlebars/subscriber-in-loop", line, column, expect.stringContaining(message)]]);
  });

  it.each([
    ["outside any loop", "{{#if subscriber.name}}{{issue.title}}{{/if}}"],
    ["inside {{#if}} only", "{{#if a}}{{#if subscriber.name}}{{title}}{{/if}}{{/if}}"],
    [
      "only the subscriber and @root",
      "{{#each events}}{{#if ../subscriber.name}}{{@root.issue.title}}{{../subscriber.name}}{{/if}}{{/each}}",
    ],
    ["inside {{#with subscriber}}", "{{#each events}}{{#with ../subscriber}}{{name}}{{/with}}{{/each}}"],
    ["a helper's name is no path", "{{#each events}}{{formatDate ../subscriber.since}}{{/each}}"],
    ["the loop's own tags", "{{#each events}}{{title}}{{/each}}"],
    ["in the {{else}} of a loop", "{{#each events}}x{{else}}{{#if subscriber.name}}{{issue.title}}{{/if}}{{/each}}"],
  ])("%s: nothing", (_name, source) => {
    expect(subscriberInLoop(input(source))).toEqual([]);
  });
});
