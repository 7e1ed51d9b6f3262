import { type Diagnostic, error } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { firstInvalidUtf8, lineAt, sniffUtf16 } from "../util/encoding.js";

/**
 * An issue file's bytes → its text, or the one error that says what is wrong with them and how to fix
 * it, at the line where it is: UTF-16 (Windows' "Unicode"), bytes that are not UTF-8 (Latin-1,
 * windows-1251: they built with U+FFFD in place of every letter), a NUL byte (Handlebars said only
 * "-----^"), and lines that end in CR alone (classic Mac: "no front-matter"). Before anything parses it.
 */
export function decodeIssueText(bytes: Uint8Array, file: string): { text: string } | { error: Diagnostic } {
  const fail = (ruleId: string, key: string, line: number) =>
    ({ error: error(ruleId, t(`issue-text:${key}`), { file, line, fix: t(`issue-text:${key}.fix`, { file }) }) }) as const;
  if (sniffUtf16(bytes)) return fail("issue/encoding", "utf16", 1);
  const { text, at } = firstInvalidUtf8(bytes);
  if (at >= 0) return fail("issue/encoding", "notUtf8", lineAt(text, at));
  const nul = text.indexOf("\0");
  if (nul >= 0) return fail("issue/nul-byte", "nul", lineAt(text, nul));
  if (text.includes("\r") && !text.includes("\n")) return fail("issue/line-endings", "crOnly", 1);
  return { text };
}

/** Elements that never nest (no closing tag). */
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

/**
 * How deep the raw HTML of a text nests, and the line where it is deepest: what to name when the
 * pipeline's parsers run out of stack (2,000 nested tables or lists did).
 */
export function htmlNesting(text: string): { depth: number; line: number } {
  let depth = 0;
  let max = 0;
  let at = 0;
  for (const m of text.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^<>]*?(\/?)>/g)) {
    const name = m[2].toLowerCase();
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID.has(name) && ++depth > max) {
      max = depth;
      at = m.index;
    }
  }
  return { depth: max, line: lineAt(text, at) };
}
