import { beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { renderWebVersion } from "../../src/render/personalise.js";
import { htmlToPlainText, MAX_TEXT_SOURCE, snippetToText, textSourceProblem } from "../../src/render/text.js";
import { compileText } from "../helpers/newsletter.js";

describe("text: html-to-text set up for email", () => {
  it.each([
    ["headings keep their case", "<h1>Главная Ошибка</h1><h2>Что делать</h2>", "Главная Ошибка\n\nЧто делать\n"],
    ["images become their alt text", '<p>До <img src="https://e.org/a.png" alt="Схема звонка"> после</p>', "До Схема звонка после\n"],
    ["an image without alt disappears", '<p>До <img src="https://e.org/a.png"> после</p>', "До после\n"],
    ["links read text (url)", '<p><a href="https://e.org/forum">форум</a></p>', "форум (https://e.org/forum)\n"],
    ["a link whose text is its URL is not doubled", '<p><a href="https://e.org">https://e.org</a></p>', "https://e.org\n"],
    ["the hidden preheader div is left out", '<div style="display:none;font-size:1px;">Прехедер</div><p>Текст</p>', "Текст\n"],
    ["block quotes are quoted", "<blockquote><p>— Алло!</p></blockquote>", "> — Алло!\n"],
    ["nested lists", "<p>x</p><ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "x\n\n * a\n   * b\n * c\n"],
    [
      "a data table stays a table, headers in their case",
      '<p>x</p><table class="rsk-data"><thead><tr><th>Как звучит</th><th>Что слышит</th></tr></thead><tbody><tr><td>а</td><td>б</td></tr></tbody></table>',
      "x\n\nКак звучит   Что слышит\nа            б\n",
    ],
    ["no runs of blank lines, no trailing spaces", "<p>a</p><p></p><p></p><p>b   </p>", "a\n\nb\n"],
  ])("%s", (_name, html, text) => {
    expect(htmlToPlainText(html)).toBe(text);
  });

  it.each([
    ["plain text stays as it is", "Иван, добрый день!", "Иван, добрый день!"],
    [
      "HTML inside a deferred block becomes text",
      '{{#if subscriber.name}}<a href="https://e.org">Ссылка</a>{{/if}}',
      "{{#if subscriber.name}}Ссылка (https://e.org){{/if}}",
    ],
  ])("snippetToText: %s", (_name, source, text) => {
    expect(snippetToText(source)).toBe(text);
  });
});

describe("text: the plain-text part of a compiled issue", () => {
  let text: string;
  let html: string;
  beforeAll(async () => {
    const r = await compileText(
      `---
title: Заголовок Выпуска
date: 2026-06-01
preheader: Этот прехедер виден только в списке писем
---
## Раздел Первый

Текст со [ссылкой на форум](https://e.org/forum) и картинкой ![Схема звонка](https://e.org/a.png).

> — Добрый день!
`,
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    ({ text, html } = renderWebVersion(r.compiled!));
  });

  it("no preheader in the text; it is in the HTML", () => {
    expect(html).toContain("Этот прехедер виден только в списке писем");
    expect(text).not.toContain("прехедер");
  });

  it("headings keep their case", () => {
    expect(text).toContain("Заголовок Выпуска\n");
    expect(text).toContain("Раздел Первый\n");
    expect(text).not.toContain("РАЗДЕЛ");
  });

  it("images as alt, links as text (url)", () => {
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("ссылкой на форум (https://e.org/forum)");
    expect(flat).toContain("картинкой Схема звонка.");
    expect(text).not.toContain("a.png");
  });

  it("block quotes keep their dash", () => {
    expect(text).toMatch(/> —\u00a0Добрый день!/);
  });
});

describe("text: HTML too big to make a text part from", () => {
  // html-to-text cut the text part at 16 MiB silently and printed "Truncating…" to stderr; now the issue is refused first
  it("over the limit: issue/too-big naming the sizes and the fix; at the limit: nothing", () => {
    const over = textSourceProblem("x".repeat(MAX_TEXT_SOURCE + 1024 * 1024), "issues/2026-12-01-big.md");
    expect(over).toMatchObject({
      ruleId: "issue/too-big",
      severity: "error",
      file: "issues/2026-12-01-big.md",
      message: "the email's HTML is 17.0 MB, more than the 16.0 MB its text part is made from: no mail server takes a message this big",
      fix: expect.stringContaining("put long material on the web"),
    });
    expect(textSourceProblem("x".repeat(MAX_TEXT_SOURCE), "a.md")).toBeUndefined();
    expect(MAX_TEXT_SOURCE).toBe(16 * 1024 * 1024);
  });
});
