import { createRequire } from "node:module";
import { basename, extname } from "node:path";

// transliteration builds its character tables when loaded (70–190 ms, the most of any module a cached
// `build` loaded): loaded on the first title that needs it, not by every command that imports this file.
let slugify: typeof import("transliteration").slugify | undefined;

/** A Latin, URL-safe slug from any title: "Дебиторка: текущая" → "debitorka-tekushchaya". */
export function slugFromTitle(title: string): string {
  slugify ??= (createRequire(import.meta.url)("transliteration") as typeof import("transliteration")).slugify;
  return slugify(title, { lowercase: true, separator: "-", trim: true }).replace(/-+/g, "-").replace(/^-|-$/g, "") || "issue";
}

/** The default slug of an issue: its file name without `.md`. */
export function slugFromFile(file: string): string {
  return basename(file, extname(file));
}
