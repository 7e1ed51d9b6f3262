import type { FormatCallback } from "html-to-text";
import { compile } from "html-to-text";

/** An image as its alt text (nothing when it has none). */
const altOnly: FormatCallback = (elem, _walk, builder) => {
  const alt = (elem.attribs?.alt ?? "").trim();
  if (alt) builder.addInline(alt);
};

/**
 * Stage: the plain-text part, from the compiled HTML, with html-to-text set up for email:
 * the preheader (the hidden preview div) and the header's links (`css-class="rsk-nav"`) are left out, headings keep their case, images become their
 * alt text, links read `text (url)`.
 */
const convert = compile({
  wordwrap: 78,
  selectors: [
    // the layout's hidden preheader, the first div of the body
    { selector: "div[style*='display:none']", format: "skip" },
    // the header's links (view in browser, archive, navigation): a block of URLs on top of a text part
    // is what SpamAssassin's MIXED_ES scores on Russian mail; the footer repeats the two that matter
    { selector: "td.rsk-nav", format: "skip" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "h5", options: { uppercase: false } },
    { selector: "h6", options: { uppercase: false } },
    { selector: "img", format: "altOnly" },
    { selector: "a", options: { linkBrackets: ["(", ")"], hideLinkHrefIfSameAsText: true } },
    { selector: "a[data-rsk-seen]", format: "inline" },
    { selector: "table.rsk-data", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
  formatters: { altOnly },
});

/**
 * A link whose URL the text already gave (the forum in the footer text and again in the contacts) reads as
 * its words alone: every URL costs a text part Latin letters, and SpamAssassin's MIXED_ES scores Russian
 * text whose Latin "e"s (URLs) pass a share of its Cyrillic ones.
 */
function markRepeatedLinks(html: string): string {
  const seen = new Set<string>();
  return html.replace(/<a\b([^>]*?)\shref="([^"]*)"/gi, (all, before: string, href: string) => {
    if (!seen.has(href)) {
      seen.add(href);
      return all;
    }
    return `<a data-rsk-seen${before} href="${href}"`;
  });
}

export function htmlToPlainText(html: string): string {
  return `${convert(markRepeatedLinks(html))
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
