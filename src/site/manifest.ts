import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { slugPattern } from "../issue/slug.js";
import type { CompiledIssue } from "../render/pipeline.js";
import type { Poll } from "../render/polls.js";
import { writeFileIfChanged } from "../util/fs.js";

/** One object of `dist/manifest.json`: what a compiled issue says of itself, and where its files are. */
export interface ManifestEntry extends Pick<CompiledIssue, "slug" | "source" | "title" | "subject" | "preheader" | "date" | "draft"> {
  html: string;
  text: string;
  htmlBytes: number;
  warnings: Diagnostic[];
  /** The issue's pictures as published: names under `<out>/assets/` (render/images.ts). */
  assets?: string[];
  /** The issue's polls (render/polls.ts): the archive's polls page and `serve` read them from here. */
  polls?: Poll[];
}

export const MANIFEST_FILE = "manifest.json";

/**
 * The manifest of an output folder; `[]` when there is none or it is unreadable. Entries whose slug
 * could not name a file (a hand-edited manifest) are left out: their slug becomes a path.
 */
export async function readManifest(outDir: string): Promise<ManifestEntry[]> {
  try {
    const data = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), "utf8")) as unknown;
    return Array.isArray(data) ? (data as ManifestEntry[]).filter((e) => typeof e?.slug === "string" && slugPattern.test(e.slug)) : [];
  } catch {
    return [];
  }
}

/** Newest first, then by slug; written only when it changed. Returns the entries in that order. */
export async function writeManifest(outDir: string, entries: ManifestEntry[]): Promise<ManifestEntry[]> {
  const sorted = [...entries].sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug));
  await writeFileIfChanged(join(outDir, MANIFEST_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
  return sorted;
}
