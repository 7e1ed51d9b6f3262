import type { FormatCallback } from "html-to-text";
import { compile } from "html-to-text";

/** An image as its alt text (nothing when it has none). */
const altOnly: FormatCallback = (elem, _walk, builder) => {
  const alt = (elem.attribs?.alt ?? "").trim();
  if (alt) builder.addInline(alt);
};

/**
 * Stage: the plain-text part, from the compiled HTML, with html-to-text set up for email:
 * the preheader (MJML's hidden preview div) is left out, headings keep their case, images become their
 * alt text, links read `text (url)`.
 */
const convert = compile({
  wordwrap: 78,
  selectors: [
    // MJML renders <mj-preview> as the first hidden div of the body
    { selector: "div[style*='display:none']", format: "skip" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "h5", options: { uppercase: false } },
    { selector: "h6", options: { uppercase: false } },
    { selector: "img", format: "altOnly" },
    { selector: "a", options: { linkBrackets: ["(", ")"], hideLinkHrefIfSameAsText: true } },
    { selector: "table.rsk-data", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
  formatters: { altOnly },
});

export function htmlToPlainText(html: string): string {
  return `${convert(html)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}

/** For a deferred Handlebars block inside HTML: the same block, its HTML turned into text. */
const convertSnippet = compile({
  wordwrap: false,
  selectors: [
    { selector: "img", format: "altOnly" },
    { selector: "a", options: { linkBrackets: ["(", ")"], hideLinkHrefIfSameAsText: true } },
    { selector: "p", options: { leadingLineBreaks: 0, trailingLineBreaks: 0 } },
  ],
  formatters: { altOnly },
});

export function snippetToText(source: string): string {
  return /[<&]/.test(source) ? convertSnippet(source) : source;
}

/** The issue's own words for the search index: no line wrapping, no link addresses, images by their alt text. */
const convertBody = compile({
  wordwrap: false,
  selectors: [
    { selector: "img", format: "altOnly" },
    { selector: "a", options: { ignoreHref: true } },
    { selector: "blockquote", format: "block" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
  formatters: { altOnly },
});

export function bodyToText(html: string): string {
  return convertBody(html).replace(/\s+/g, " ").trim();
}
