import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { issueDate } from "../render/events.js";

import { sha256, writeFileAtomic } from "../util/fs.js";
import { VERSION } from "../version.js";
import { writeSearchAssets } from "./assets.js";
import { indexLanguage, RECORDS_FILE, RUBRIC_FILTER, SEARCH_DIR, type SearchRecord } from "./records.js";

/**
 * The archive's search index: Pagefind (https://pagefind.app) run through its Node API after the site is
 * written. Each published issue is one custom record — its title, preheader, body text and tags, nothing
 * of the page around it (header, nav bar, links to other issues, footer) — with the stemming of the
 * newsletter's language (`forceLanguage`). Drafts and issues no longer in the manifest are never added.
 *
 * Pagefind has no incremental mode: an index is built whole, in one process, in a fraction of a second
 * for hundreds of issues. What we save is the rest: when no record changed since the last build (the
 * fingerprint of the records, our version and Pagefind's), nothing is started and nothing is written.
 * The records are kept beside the site (`.rassylka-search.json`, a dot file `serve` does not answer) so a
 * build of one issue can index the others without compiling them.
 */

/** What the index needs of a manifest entry (structurally `ManifestEntry`). */
export interface SearchEntry {
  slug: string;
  title: string;
  preheader: string;
  date: string;
  draft: boolean;
}

/** What this build compiled: the issue's own text and tags (structurally `CompiledIssue`). */
export interface SearchSource {
  slug: string;
  tags: string[];
  bodyText?: string;
}

export interface SearchIndexResult {
  /** `<out>/pagefind`. */
  dir: string;
  /** The newsletter's language (its words and the index's stemming). */
  language: string;
  /** Issues in the index. */
  records: number;
  /** Files the index and the search script take, and their bytes. */
  files: number;
  bytes: number;
  /** false when nothing changed since the last build and the index was left as it was. */
  rebuilt: boolean;
  /** Time taken by the index, in ms. */
  ms: number;
  /**
   * Rubric filters of the archive page: tag, display name, issues with it; in display order. Sorted by the
   * language's collation when asked for: a build whose archive is unchanged never asks (src/site/cached.ts).
   */
  readonly rubrics: { tag: string; name: string; count: number }[];
  /** A hash of the records (titles, dates, tags, texts): with the config, what the search box is made of. */
  fingerprint: string;
  diagnostics: Diagnostic[];
}

interface Saved {
  fingerprint: string;
  records: SearchRecord[];
}

export async function readSaved(outDir: string): Promise<Saved | undefined> {
  try {
    const saved = JSON.parse(await readFile(join(outDir, RECORDS_FILE), "utf8")) as Saved;
    return typeof saved?.fingerprint === "string" && Array.isArray(saved.records) ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** Pagefind's own files the archive never loads (its prebuilt UIs, the playground's language-less wasm). */
const UNUSED = /^(pagefind-(component-ui|modular-ui|ui|highlight)\.(js|css)|wasm\.unknown\.pagefind)$/;

/** The files under `dir` and their bytes: every file's stat asked for at once (an index of 500 issues has ~560). */
async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  const files = (await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])).filter((e) => e.isFile());
  const sizes = await Promise.all(files.map(async (e) => (await stat(join(e.parentPath, e.name))).size));
  return { files: files.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

/** The rubric filters: `rubrics:` in its order, else every tag alphabetically; only those some issue has. */
export function rubricsOf(records: readonly Pick<SearchRecord, "tags">[], config: Pick<NewsletterConfig, "rubrics" | "language">) {
  const counts = new Map<string, number>();
  for (const r of records) for (const t of new Set(r.tags)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const named = config.rubrics
    ? Object.entries(config.rubrics)
    : [...counts.keys()].sort((a, b) => a.localeCompare(b, config.language)).map((t) => [t, t] as const);
  return named.filter(([tag]) => counts.has(tag)).map(([tag, name]) => ({ tag, name, count: counts.get(tag) ?? 0 }));
}

/**
 * Build `<out>/pagefind/` (and the archive's `search.js`) from every published issue of `entries` (the
 * whole manifest). `sources` are the issues compiled by this build; the others' records come from the
 * previous build's records file. Never throws for the index's sake: a failure is a warning, the site
 * stays as it is.
 */
export async function buildSearchIndex(
  outDir: string,
  config: NewsletterConfig,
  entries: readonly SearchEntry[],
  sources: readonly SearchSource[],
): Promise<SearchIndexResult> {
  const started = performance.now();
  const dir = join(outDir, SEARCH_DIR);
  const diagnostics: Diagnostic[] = [];
  const saved = await readSaved(outDir);
  const previous = new Map(saved?.records.map((r) => [r.slug, r]));
  const compiled = new Map(sources.map((s) => [s.slug, s]));
  const records: Omit<SearchRecord, "day">[] = [];
  for (const e of entries) {
    if (e.draft) continue;
    const now = compiled.get(e.slug);
    const before = previous.get(e.slug);
    const text = now?.bodyText ?? before?.text;
    if (text === undefined) {
      diagnostics.push(warning("search/not-indexed", t("search:notIndexed", { slug: e.slug }), { fix: t("search:notIndexedFix") }));
      continue;
    }
    records.push({
      slug: e.slug,
      title: e.title,
      preheader: e.preheader,
      date: e.date,
      tags: now?.tags ?? before?.tags ?? [],
      text,
    });
  }
  const language = indexLanguage(config.language);
  // each record's `day` (its date as the archive writes it) follows from the date and `language:`, whole
  // (`en-GB` and `en-US` index alike but write dates apart): made only for an index that is written, as
  // the first Intl.DateTimeFormat of a language is a good part of a cached build's start-up
  const fingerprint = sha256(VERSION, language, config.language, JSON.stringify(records));
  const unchanged =
    saved?.fingerprint === fingerprint && (await stat(join(dir, "pagefind-entry.json")).catch(() => undefined)) !== undefined;
  let rubrics: SearchIndexResult["rubrics"] | undefined;
  const result = (rebuilt: boolean, size: { files: number; bytes: number }): SearchIndexResult => ({
    dir,
    language: config.language,
    records: records.length,
    ...size,
    rebuilt,
    ms: Math.round(performance.now() - started),
    get rubrics() {
      rubrics ??= rubricsOf(records, config);
      return rubrics;
    },
    fingerprint,
    diagnostics,
  });
  const assets = await writeSearchAssets(outDir, language);
  const withAssets = async () => {
    const index = await sizeOf(dir);
    return { files: index.files + assets.files, bytes: index.bytes + assets.bytes };
  };
  if (unchanged) return result(false, await withAssets());
  const dated: SearchRecord[] = records.map((r) => ({ ...r, day: issueDate(r.date, config.language) }));
  try {
    await writeIndex(outDir, dir, language, dated);
  } catch (error) {
    diagnostics.push(
      warning("search/index-failed", t("search:indexFailed", { reason: (error as Error).message.split("\n")[0] }), {
        fix: t("search:indexFailedFix"),
      }),
    );
    return result(false, await withAssets());
  }
  await writeFileAtomic(join(outDir, RECORDS_FILE), JSON.stringify({ fingerprint, records: dated } satisfies Saved));
  return result(true, await withAssets());
}

/** Pagefind writes into a fresh folder beside the old one, which is swapped out only when it is complete. */
async function writeIndex(outDir: string, dir: string, language: string, records: readonly SearchRecord[]): Promise<void> {
  // loaded here: a build without `url` (or with an unchanged index) never starts Pagefind's binary
  const pagefind = await import("pagefind");
  const fresh = join(outDir, `.${SEARCH_DIR}-new-${process.pid}`);
  const old = join(outDir, `.${SEARCH_DIR}-old-${process.pid}`);
  await Promise.all([rm(fresh, { recursive: true, force: true }), rm(old, { recursive: true, force: true })]);
  try {
    const { index, errors } = await pagefind.createIndex({ forceLanguage: language, writePlayground: false });
    if (!index) throw new Error(errors.join("; ") || "Pagefind did not start");
    for (const r of records) {
      const added = await index.addCustomRecord({
        url: `${r.slug}.html`,
        // the title and preheader first: they weigh as much as the body, and an excerpt may start there
        content: [r.title, r.preheader, r.text, r.tags.join(", ")].filter(Boolean).join("\n"),
        language,
        meta: { title: r.title, date: r.date, day: r.day, slug: r.slug },
        filters: r.tags.length ? { [RUBRIC_FILTER]: r.tags } : {},
        // a rubric ticked with no words lists its issues newest first
        sort: { date: r.date },
      });
      if (added.errors.length) throw new Error(added.errors.join("; "));
    }
    const written = await index.writeFiles({ outputPath: fresh });
    if (written.errors.length) throw new Error(written.errors.join("; "));
    for (const name of await readdir(fresh)) if (UNUSED.test(name)) await rm(join(fresh, name), { force: true });
    await mkdir(dir, { recursive: true });
    await rename(dir, old);
    await rename(fresh, dir);
  } finally {
    await pagefind.close();
    await Promise.all([rm(fresh, { recursive: true, force: true }), rm(old, { recursive: true, force: true })]);
  }
}
