/**
 * Stage: protect Handlebars from Markdown and typography.
 * `{{…}}` tags (and `\{{` literals) are swapped for inert word tokens before markdown-it and typograf run,
 * then put back: markdown would read `{{> partial}}` as a block quote, typograf would curl the quotes
 * inside `{{#if (eq a "b")}}`.
 */
const TAG = /\{\{!--[\s\S]*?--\}\}|\\?\{\{\{?[\s\S]*?\}?\}\}/g;

export interface Protected {
  text: string;
  restore(text: string): string;
}

export function protectHandlebars(source: string, prefix = "RSKHB"): Protected {
  const saved: string[] = [];
  const text = source.replace(TAG, (m) => {
    saved.push(m);
    return `${prefix}${saved.length - 1}Z`;
  });
  const re = new RegExp(`${prefix}(\\d+)Z`, "g");
  return {
    text,
    restore: (out) => out.replace(re, (_, i: string) => saved[Number(i)] ?? ""),
  };
}
