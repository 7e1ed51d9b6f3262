import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import { formatDateArguments, isDate, NotADate, renderFailureLine } from "../../../src/render/checks/format-date.js";
import { input, places } from "./input.js";

describe("checks: formatDate's argument", () => {
  it.each([
    ["two words", 'a\n{{formatDate "zz" "qq"}}', [2, 1, 'formatDate takes one date (YYYY-MM-DD), not "zz" "qq"']],
    ["no argument", "{{formatDate}}", [1, 1, "formatDate takes one date (YYYY-MM-DD), not —"]],
    ["a day that does not exist", 'x {{formatDate "2026-02-30"}}', [1, 3, 'formatDate takes one date (YYYY-MM-DD), not "2026-02-30"']],
    ["inside another tag's arguments", '{{#if (formatDate "soon")}}{{/if}}', [1, 7, 'formatDate takes one date (YYYY-MM-DD), not "soon"']],
  ])("%s", (_name, source, [line, column, message]) => {
    expect(places(formatDateArguments(input(source)))).toEqual([["handlebars/format-date", line, column, message]]);
  });

  it.each([
    ["a date", '{{formatDate "2026-12-01"}}'],
    ["a field (checked when it renders)", "{{formatDate issue.date year=true}}"],
    ["an ISO time", '{{formatDate "2026-12-01T10:00:00Z"}}'],
  ])("%s: nothing", (_name, source) => {
    expect(formatDateArguments(input(source))).toEqual([]);
  });

  it("isDate: YYYY-MM-DD that exists", () => {
    expect(["2026-12-01", "2024-02-29", "2026-12-01T00:00:00Z"].map(isDate)).toEqual([true, true, true]);
    expect(["zz", "2026-13-01", "2026-02-29", "01.12.2026", ""].map(isDate)).toEqual([false, false, false, false, false]);
  });
});

describe("the line of a render failure Handlebars does not place", () => {
  const ast = Handlebars.parse('a\n{{formatDate "2026-12-01"}}\n{{> header}}\n{{> (lookup . "x")}}\n{{formatDate issue.title}}');
  it("a partial named by an expression that names none: that tag", () => {
    expect(renderFailureLine(ast, new Error("The partial undefined could not be found"))).toBe(4);
  });
  it("formatDate given no date at run time: its first call that is not a literal date", () => {
    expect(renderFailureLine(ast, new NotADate("Привет"))).toBe(5);
  });
  it("another error: no guess", () => {
    expect(renderFailureLine(ast, new Error("something else"))).toBeUndefined();
  });
});
