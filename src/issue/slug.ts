import { createRequire } from "node:module";
import { basename, extname } from "node:path";

// transliteration builds its character tables when loaded (70–190 ms, the most of any module a cached
// `build` loaded): loaded on the first title that needs it, not by every command that imports this file.
let slugify: typeof import("transliteration").slugify | undefined;

/** What a slug may hold: a-z, 0-9 and hyphens (here, not in ./schema.ts, so that a cached build's manifest check loads no schema). */
export const slugPattern = /^[a-z0-9][a-z0-9-]*$/;

/** The longest slug made from a title: a file name far below the 255 bytes a file system allows. */
export const MAX_TITLE_SLUG = 80;

/**
 * A Latin, URL-safe slug from any title: "Дебиторка: текущая" → "debitorka-tekushchaya". Only what
 * build accepts (`slugPattern`: a-z, 0-9, hyphens) is kept — transliteration leaves dots ("Итоги 2.0…"
 * gave `itogi-2.0-chto-dalshe...`, refused as issue/bad-slug) — and it is cut at a word to MAX_TITLE_SLUG
 * (a 5,000-character title gave ENAMETOOLONG).
 */
export function slugFromTitle(title: string): string {
  slugify ??= (createRequire(import.meta.url)("transliteration") as typeof import("transliteration")).slugify;
  const slug = slugify(title, { lowercase: true, separator: "-", trim: true })
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  const cut =
    slug.length > MAX_TITLE_SLUG ? slug.slice(0, MAX_TITLE_SLUG + 1).replace(/-[^-]*$/, "") || slug.slice(0, MAX_TITLE_SLUG) : slug;
  return cut.replace(/-$/, "") || "issue";
}

/** The default slug of an issue: its file name without `.md`. */
export function slugFromFile(file: string): string {
  return basename(file, extname(file));
}
