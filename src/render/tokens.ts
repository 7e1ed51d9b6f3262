import { randomInt } from "node:crypto";

/**
 * Every internal placeholder token of the compile pipeline, in one place.
 *
 *   RSKHB<nonce><n>[l][r]Z   a Handlebars tag hidden from markdown-it and typograf      render/protect.ts
 *   RSKTPL<nonce><n>Z        a subscriber tag of a layout or partial, while it renders  render/pipeline.ts
 *   RSKSUB<nonce><n>Z        a subscriber tag deferred to personalise, in the compiled
 *                            HTML and text (cached, sent)                              render/personalise.ts
 *   RSKMJ<nonce><n>Z         the content of an <mj-text>, while a skeleton compiles     render/mjml.ts
 *   \u0001RSKSEP<nonce>\u0001  between a part's subscriber tags joined into one template,
 *                            split again per reader                          render/personalise.ts
 *
 * Tokens are words (letters and digits) so that Markdown, typography, MJML and html-to-text pass them
 * through. The nonce makes them impossible to type: text an editor writes (a literal `RSKSUB0Z`) is
 * never taken for a token and stays as typed. It is random per process — the same for every issue of a
 * build, so that MJML skeletons are still shared between issues — and a compile whose input happens to
 * contain it takes a fresh one (`nonceFor`). A compiled issue carries the nonce of its tokens
 * (`CompiledIssue.tokens`): output cached by one process is personalised by another.
 */
export type TokenKind = "HB" | "TPL" | "SUB" | "MJ";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Twelve random capital letters: 26^12 ≈ 9.5·10^16 values, from the CSPRNG. */
export function randomNonce(): string {
  let out = "";
  for (let i = 0; i < 12; i++) out += LETTERS[randomInt(LETTERS.length)];
  return out;
}

/** This process's nonce. */
export const PROCESS_NONCE = randomNonce();

/** The process nonce, or a fresh one when any of the texts already contains it (typed or pasted). */
export function nonceFor(texts: readonly string[]): string {
  let nonce = PROCESS_NONCE;
  while (texts.some((t) => t.includes(nonce))) nonce = randomNonce();
  return nonce;
}

/** The start every token of a kind shares: what a text must not contain to be safe. */
export function tokenPrefix(kind: TokenKind, nonce: string): string {
  return `RSK${kind}${nonce}`;
}

/** Token number `n` of a kind; `suffix` is protect's `l`/`r` marks. */
export function token(kind: TokenKind, nonce: string, n: number, suffix = ""): string {
  return `${tokenPrefix(kind, nonce)}${n}${suffix}Z`;
}

/**
 * A global pattern for the tokens of a kind, with the number as group 1. `around` adds the groups protect
 * needs: an optional space before (group 1), the number (2), `l` (3), `r` (4), an optional space after (5).
 */
export function tokenPattern(kind: TokenKind, nonce: string, around = false): RegExp {
  const prefix = tokenPrefix(kind, nonce);
  return around ? new RegExp(`([ \u00a0]?)${prefix}(\\d+)(l?)(r?)Z([ \u00a0]?)`, "g") : new RegExp(`${prefix}(\\d+)Z`, "g");
}
