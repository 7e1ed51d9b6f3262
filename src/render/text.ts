import type { FormatCallback } from "html-to-text";
import { compile } from "html-to-text";
import { type Diagnostic, error } from "../diagnostics.js";
import { t } from "../i18n/index.js";

/**
 * The most HTML an email's text part is made from (html-to-text's own default limit, 16 MiB). Past it,
 * html-to-text cut the text part silently and printed "Truncating…" to stderr; now the issue is refused
 * before (`textSourceProblem`), and html-to-text is told no limit, so it never prints. No mail server takes
 * a message that size (10–25 MB is the usual cap), and converting it takes tens of seconds.
 */
export const MAX_TEXT_SOURCE = 1 << 24;
const NO_LIMIT = { maxInputLength: 0 };

/** An error when an issue's HTML is too big to make its text part from (see MAX_TEXT_SOURCE). */
export function textSourceProblem(html: string, file: string, limit = MAX_TEXT_SOURCE): Diagnostic | undefined {
  if (html.length <= limit) return undefined;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return error("issue/too-big", t("issue-text:tooBig", { size: mb(html.length), max: mb(limit) }), {
    file,
    fix: t("issue-text:tooBig.fix"),
  });
}

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
  limits: NO_LIMIT,
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
  limits: NO_LIMIT,
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
  limits: NO_LIMIT,
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
