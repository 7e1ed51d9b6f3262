import { describe, expect, it } from "vitest";
import { markdownToHtml } from "../../src/render/markdown.js";

describe("markdown: Markdown → HTML (markdown-it, typographer off)", () => {
  it.each([
    ["a paragraph", "Текст абзаца.", "<p>Текст абзаца.</p>\n"],
    ["headings", "## Раздел\n### Подраздел", "<h2>Раздел</h2>\n<h3>Подраздел</h3>\n"],
    ["emphasis", "*курсив* и **жирный**", "<p><em>курсив</em> и <strong>жирный</strong></p>\n"],
    ["a link", "[форум](https://example.org/forum)", '<p><a href="https://example.org/forum">форум</a></p>\n'],
    ["a bare URL is linkified", "https://example.org", '<p><a href="https://example.org">https://example.org</a></p>\n'],
    [
      "an image with alt and title gets the column's width and a fluid style, never height=auto",
      '![Схема звонка](https://example.org/a.png "Схема")',
      '<p><img src="https://example.org/a.png" alt="Схема звонка" title="Схема" width="544" style="display:block;width:100%;max-width:544px;border:0;"></p>\n',
    ],
    [
      "a block quote of two paragraphs",
      "> — Добрый день!\n>\n> — Здравствуйте.",
      "<blockquote>\n<p>— Добрый день!</p>\n<p>— Здравствуйте.</p>\n</blockquote>\n",
    ],
    ["an ordered list", "1. один\n2. два", "<ol>\n<li>один</li>\n<li>два</li>\n</ol>\n"],
    [
      "nested lists",
      "- a\n  - b\n    1. c\n- d",
      "<ul>\n<li>a\n<ul>\n<li>b\n<ol>\n<li>c</li>\n</ol>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n",
    ],
    [
      "a table gets the data-table class, its header cells scope=col",
      "| Как | Что |\n|---|---|\n| a | b |",
      '<table class="rsk-data">\n<thead>\n<tr>\n<th scope="col">Как</th>\n<th scope="col">Что</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>a</td>\n<td>b</td>\n</tr>\n</tbody>\n</table>\n',
    ],
    ["inline code", "`a - b`", "<p><code>a - b</code></p>\n"],
    ["a fenced block", "```\nx = 1\n```", "<pre><code>x = 1\n</code></pre>\n"],
    ["raw HTML passes", '<a class="button" href="https://e.org">Купить</a>', '<p><a class="button" href="https://e.org">Купить</a></p>\n'],
    ["a horizontal rule", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"],
  ])("%s", (_name, md, html) => {
    expect(markdownToHtml(md)).toBe(html);
  });

  it.each([
    ['"quotes"', "<p>&quot;quotes&quot;</p>\n"],
    ["a -- b --- c", "<p>a -- b --- c</p>\n"],
    ["(c) (tm)", "<p>(c) (tm)</p>\n"],
  ])("markdown-it's typographer is off: %s", (md, html) => {
    expect(markdownToHtml(md)).toBe(html);
  });
});
