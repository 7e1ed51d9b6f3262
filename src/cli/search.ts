import type { Command } from "commander";
import { langOf, resolveLang, translator } from "../i18n/index.js";
import { searchArchive } from "../search/query.js";
import type { Io } from "./print.js";

export interface SearchFlags {
  root: string;
  out?: string;
  rubric?: string[];
  limit: string;
  json?: boolean;
  lang?: string;
}

/** `<mark>word</mark>` → `*word*`, and Pagefind's escapes back to text: an excerpt for a terminal. */
function plainExcerpt(html: string): string {
  return html
    .replace(/<\/?mark>/g, "*")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Exit codes: 0 the search ran (found or not); 1 no index, an unknown rubric, a bad newsletter.yaml. */
export async function runSearch(query: string, flags: SearchFlags, io: Io): Promise<number> {
  const limit = Number(flags.limit);
  const lang = langOf(flags.lang);
  const result = await searchArchive({ root: flags.root, out: flags.out, query, rubrics: flags.rubric, limit, lang });
  if (flags.json) {
    io.out(JSON.stringify({ query: result.query, rubrics: result.rubrics, total: result.total, results: result.results }, null, 2));
    return 0;
  }
  const { t } = translator(lang ?? resolveLang({ env: process.env, config: result.language }));
  if (!result.total) {
    io.out(t("search:nothing"));
    return 0;
  }
  io.out(`${t("search:found", { count: result.total })}:`);
  for (const hit of result.results) {
    io.out("");
    io.out(`${hit.day} · ${hit.title}`);
    io.out(`  ${hit.url}`);
    io.out(`  ${plainExcerpt(hit.excerpt)}`);
  }
  return 0;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSearch(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("search")
    .description("search the archive's index (built by `build` when newsletter.yaml has url) from the terminal")
    .argument("<query>", "words to find, in any form («дебиторку» finds «дебиторка»)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--out <dir>", "the built site, relative to the root", "dist")
    .option("--rubric <tag>", "only issues with this tag (repeat for several)", collect)
    .option("--limit <n>", "at most this many results", "20")
    .option("--lang <lang>", "language of the messages (en, ru, uk)")
    .option("--json", "print the result as JSON")
    .action(async (query: string, flags: SearchFlags) => setCode(await runSearch(query, flags, io)));
}
