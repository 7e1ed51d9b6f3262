import { basename, extname } from "node:path";
import { slugify } from "transliteration";

/** A Latin, URL-safe slug from any title: "Дебиторка: текущая" → "debitorka-tekushchaya". */
export function slugFromTitle(title: string): string {
  return slugify(title, { lowercase: true, separator: "-", trim: true }).replace(/-+/g, "-").replace(/^-|-$/g, "") || "issue";
}

/** The default slug of an issue: its file name without `.md`. */
export function slugFromFile(file: string): string {
  return basename(file, extname(file));
}
