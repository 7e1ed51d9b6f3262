/**
 * What the search index holds and where it lives, shared by the build (build.ts), the archive page's
 * search box (box.ts, assets.ts) and `rassylka search` (query.ts).
 */

/** One published issue in the index: only its own words, never the page's navigation. */
export interface SearchRecord {
  slug: string;
  title: string;
  preheader: string;
  /** YYYY-MM-DD */
  date: string;
  /** The date as the archive writes it (`10 ноября 2026 г.`). */
  day: string;
  tags: string[];
  /** The body as plain text (CompiledIssue.bodyText). */
  text: string;
}

/** The Pagefind bundle under the output folder: `<out>/pagefind/`. */
export const SEARCH_DIR = "pagefind";
/** The records of the last index, beside the site (a dot file: `serve` does not answer it). */
export const RECORDS_FILE = ".rassylka-search.json";
/** The archive page's script and, for languages that need one, the query stemmer it imports. */
export const SCRIPT_FILE = "search.js";
export const STEMMER_FILE = "search-stem.js";
/** The Pagefind filter the issues' tags go into. */
export const RUBRIC_FILTER = "rubric";

/** Pagefind's `forceLanguage`: the primary subtag (`ru-RU` → `ru`). */
export function indexLanguage(language: string): string {
  return language.split(/[-_]/)[0].toLowerCase();
}

/**
 * Languages whose queries we stem before Pagefind sees them, with @orama/stemmers' module for each.
 * Pagefind stems what it indexes and prefix-matches the query's words against that, but its Russian
 * stemmer keeps the «о» of «-ой» in the query (Pagefind 1.6: «дебиторкой» → «дебиторко», which is no prefix of
 * «дебиторк», the stem of «дебиторка»), so the instrumental case found only itself. A Snowball stem of the
 * query («дебиторк») is a prefix of every form's index entry. Ukrainian has no Pagefind stemmer at all:
 * the stem's prefix match is what finds its other forms.
 */
export const QUERY_STEMMERS: Record<string, string> = { ru: "russian", uk: "ukrainian" };
