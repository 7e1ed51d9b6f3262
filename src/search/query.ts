import { readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "../config/load.js";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { toPosix } from "../util/fs.js";
import { stemmerFile } from "./assets.js";
import { indexLanguage, RUBRIC_FILTER, SEARCH_DIR } from "./records.js";

/**
 * `rassylka search`: the archive's own index, searched from the terminal the way the archive page does.
 * Pagefind's search runs in its browser script (pagefind.js with its WebAssembly), and that script runs in
 * Node as it is, on the main thread (Node has no web Worker), given a `fetch` that can read `file:` URLs:
 * Node's own cannot. So the editor's terminal and the reader's browser search the same files with the same
 * code, and nothing but Node is needed — no browser, no server.
 */
export interface SearchOptions {
  root: string;
  /** Output folder, relative to root unless absolute. Default `dist`. */
  out?: string;
  query: string;
  /** Tags: only issues with one of them. */
  rubrics?: string[];
  /** At most this many results (default 20). */
  limit?: number;
}

export interface SearchHit {
  slug: string;
  title: string;
  /** YYYY-MM-DD */
  date: string;
  /** The date as the archive writes it. */
  day: string;
  /** The web version: under the newsletter's `url`, else the file in the output folder. */
  url: string;
  /** A passage around the words found, HTML-escaped, the words in `<mark>`. */
  excerpt: string;
  rubrics: string[];
}

export interface SearchResult {
  query: string;
  rubrics: string[];
  /** Issues found (results holds at most `limit` of them, best first). */
  total: number;
  results: SearchHit[];
}

/** The query as the archive's script sends it (assets/search.js does the same): lower case, each word stemmed. */
export function stemQuery(text: string, stem: (word: string) => string): string {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => stem(w))
    .join(" ");
}

/** A word as the check below compares it: lower case, without accents (ё → е, as Pagefind folds them), in its parts. */
function wordParts(word: string): string[] {
  const parts = word
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return [...parts, parts.join("")];
}

/**
 * Whether a result holds every query word for real. When no indexed word starts with a query word,
 * Pagefind 1.6 falls back to the longest indexed word the query word starts with (find_word_extensions in
 * its pagefind_web/src/search.rs) — in Russian that is a one-letter «в», «а» or «с», so «вонючка» found
 * every issue. The fallback is the same for every page, so the best result tells: a query word none of its
 * matched words starts with was matched that way, and the query finds nothing.
 */
export function matchesEveryTerm(data: { raw_content?: string; content: string; locations: number[] }, terms: readonly string[]): boolean {
  const words = (data.raw_content ?? data.content).split(/\s+/);
  const matched = data.locations.flatMap((i) => wordParts(words[i] ?? ""));
  return terms.every((t) => {
    const term = wordParts(t).at(-1) ?? "";
    return matched.some((w) => w.startsWith(term));
  });
}

interface PagefindData {
  url: string;
  content: string;
  raw_content?: string;
  locations: number[];
  excerpt: string;
  meta: Record<string, string>;
  filters: Record<string, string[]>;
}
interface PagefindModule {
  options(o: Record<string, unknown>): Promise<void>;
  search(term: string | null, o?: Record<string, unknown>): Promise<{ results: { data(): Promise<PagefindData> }[] } | null>;
  filters(): Promise<Record<string, Record<string, number>>>;
}

/** Node's fetch, with `file:` URLs read from disk, while `run` runs (Pagefind fetches every file it loads). */
async function withFileFetch<T>(run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "file:") return original(input, init);
    try {
      return new Response(await readFile(fileURLToPath(url)));
    } catch {
      return new Response(null, { status: 404 });
    }
  };
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}

export async function searchArchive(options: SearchOptions): Promise<SearchResult> {
  const root = resolve(options.root);
  const { config } = await loadConfig(root);
  const outDir = resolve(root, options.out ?? "dist");
  const script = join(outDir, SEARCH_DIR, "pagefind.js");
  const entry = await stat(join(outDir, SEARCH_DIR, "pagefind-entry.json")).catch(() => undefined);
  if (!entry) {
    const dir = toPosix(relative(process.cwd(), join(outDir, SEARCH_DIR))) || SEARCH_DIR;
    throw new RassylkaError({
      ruleId: "search/no-index",
      severity: "error",
      message: t("search:noIndex", { dir }),
      fix: t("search:noIndexFix"),
    });
  }
  const language = indexLanguage(config.language);
  const file = stemmerFile(language);
  const stem: (w: string) => string = file
    ? ((await import(pathToFileURL(file).href)) as { stemmer: (w: string) => string }).stemmer
    : (w) => w;
  const rubrics = options.rubrics ?? [];
  const limit = options.limit ?? 20;
  const base = config.url ? `${config.url.replace(/\/+$/, "")}/` : undefined;
  return withFileFetch(async () => {
    // a module per index version: a rebuilt index in the same process (tests) is read afresh
    const pagefind = (await import(`${pathToFileURL(script).href}?v=${entry.mtimeMs}`)) as PagefindModule;
    await pagefind.options({ excerptLength: 24 });
    if (rubrics.length) {
      const known = Object.keys((await pagefind.filters())[RUBRIC_FILTER] ?? {});
      const unknown = rubrics.find((r) => !known.includes(r));
      if (unknown !== undefined)
        throw new RassylkaError({
          ruleId: "search/unknown-rubric",
          severity: "error",
          message: t("search:unknownRubric", { rubric: unknown }),
          field: "--rubric",
          fix: t("search:unknownRubricFix", { known: known.join(", ") }),
        });
    }
    const query = stemQuery(options.query, stem);
    const filters = rubrics.length ? { [RUBRIC_FILTER]: { any: rubrics } } : {};
    const found = await pagefind.search(query || null, query ? { filters } : { filters, sort: { date: "desc" } });
    let results = found?.results ?? [];
    let data = await Promise.all(results.slice(0, limit).map((r) => r.data()));
    if (query && data[0] && !matchesEveryTerm(data[0], query.split(" "))) {
      results = [];
      data = [];
    }
    return {
      query: options.query,
      rubrics,
      total: results.length,
      results: data.map((d) => ({
        slug: d.meta.slug,
        title: d.meta.title,
        date: d.meta.date,
        day: d.meta.day,
        url: base ? `${base}${d.meta.slug}.html` : toPosix(relative(process.cwd(), join(outDir, `${d.meta.slug}.html`))),
        excerpt: d.excerpt,
        rubrics: d.filters[RUBRIC_FILTER] ?? [],
      })),
    };
  });
}
