import type { Command } from "commander";
import { t } from "../i18n/index.js";
import { searchArchive } from "../search/query.js";
import { positiveInt } from "./arguments.js";
import type { Io } from "./print.js";

export interface SearchFlags {
  root: string;
  out?: string;
  rubric?: string[];
  limit: number;
  json?: boolean;
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
  const result = await searchArchive({ root: flags.root, out: flags.out, query, rubrics: flags.rubric, limit: flags.limit });
  if (flags.json) {
    io.out(JSON.stringify({ query: result.query, rubrics: result.rubrics, total: result.total, results: result.results }, null, 2));
    return 0;
  }
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
    .description(t("cli:command.search"))
    .argument("<query>", t("search:flag.query"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--out <dir>", t("search:flag.out"), "dist")
    .option("--rubric <tag>", t("search:flag.rubric"), collect)
    .option("--limit <n>", t("search:flag.limit"), positiveInt("--limit"), 20)
    .option("--json", t("search:flag.json"))
    .action(async (query: string, flags: SearchFlags) => setCode(await runSearch(query, flags, io)));
}
