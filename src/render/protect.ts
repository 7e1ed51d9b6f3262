import { PROCESS_NONCE, token, tokenPattern } from "./tokens.js";

/**
 * Stage: protect Handlebars from Markdown and typography.
 * `{{…}}` tags (and `\{{` literals) are swapped for inert word tokens before markdown-it and typograf run,
 * then put back: markdown would read `{{> partial}}` as a block quote, typograf would curl the quotes
 * inside `{{#if (eq a "b")}}`.
 */
const TAG = /\{\{!--[\s\S]*?--\}\}|\\?\{\{\{?[\s\S]*?\}?\}\}|&#123;&#123;/g;

/**
 * A `\{{` with no `}}` after it on its line is a literal `{{` the editor wants; left as it is, Handlebars
 * would take everything up to the next `}}` (a real tag further down, too) as escaped text. As HTML
 * entities nothing reads it as a tag, the HTML shows `{{` and the text part decodes it to `{{`.
 * Run on the body before the checks and before protectHandlebars (which keeps the entities from markdown-it).
 */
export function escapeLoneBraces(source: string): string {
  return source.replace(/\\\{\{(?![^\n]*\}\})/g, "&#123;&#123;");
}

export interface Protected {
  text: string;
  restore(text: string): string;
}

/** `nonce`: the compile's (render/tokens.ts); the tokens are `RSKHB<nonce><n>[l][r]Z`. */
export function protectHandlebars(source: string, nonce = PROCESS_NONCE): Protected {
  const saved: string[] = [];
  const text = source.replace(TAG, (m: string, at: number) => {
    saved.push(m);
    const before = source.slice(Math.max(0, at - 2), at);
    const after = source.slice(at + m.length, at + m.length + 2);
    // `l`/`r`: the tag was glued to the text on its left/right. typograf puts a space after punctuation
    // before a word (`день!{{else}}` → `день! …`), and a token is a word: restore() removes a space
    // that appears on a glued side.
    const l = /\S$/.test(before);
    const r = /^\S/.test(after);
    // A quote between a token and a word is taken the wrong way round (`"так"{{/if}}` → `«так"`):
    // pad the token with a space on that side, for typograf to see the quote close (or open).
    const padL = /\S["']$/.test(before);
    const padR = /^["']\S/.test(after);
    return `${padL ? " " : ""}${token("HB", nonce, saved.length - 1, `${l ? "l" : ""}${r ? "r" : ""}`)}${padR ? " " : ""}`;
  });
  const re = tokenPattern("HB", nonce, true);
  return {
    text,
    restore: (out) =>
      out.replace(re, (_, before: string, i: string, l: string, r: string, after: string) => {
        return `${l ? "" : before}${saved[Number(i)] ?? ""}${r ? "" : after}`;
      }),
  };
}
