import { relative } from "node:path";
import type { Command } from "commander";
import { language, t, tr } from "../i18n/index.js";
import type { SearchIndexResult } from "../search/build.js";
import { build } from "../site/build.js";
import { formatDiagnostic, type Io } from "./print.js";

export interface BuildFlags {
  root: string;
  out?: string;
  cache: boolean;
  emitMjml?: boolean;
  json?: boolean;
  clean?: boolean;
}

/** `search` in `build --json`: where the index is, how many issues, its files and bytes, whether it was rebuilt. */
function searchSummary(s: SearchIndexResult) {
  return { dir: s.dir, records: s.records, files: s.files, bytes: s.bytes, rebuilt: s.rebuilt, ms: s.ms };
}

/** Exit codes: 0 every issue built; 1 at least one failed (the others are still built). */
export async function runBuild(files: string[], flags: BuildFlags, io: Io): Promise<number> {
  const started = performance.now();
  const result = await build({ root: flags.root, out: flags.out, files, cache: flags.cache, emitMjml: flags.emitMjml, clean: flags.clean });
  // A broken template fails every issue with the same diagnostic: print it once.
  for (const line of new Set(result.diagnostics.map(formatDiagnostic))) io.err(line);
  const ms = Math.round(performance.now() - started);
  const where = relative(process.cwd(), result.outDir) || ".";
  if (flags.json) {
    io.out(
      JSON.stringify(
        {
          outDir: result.outDir,
          built: result.built.map((b) => b.entry),
          drafts: result.drafts.map((b) => b.entry.source),
          failed: result.failed,
          diagnostics: result.diagnostics,
          ...(result.search && { search: searchSummary(result.search) }),
        },
        null,
        2,
      ),
    );
  } else {
    const kb = new Intl.NumberFormat(language(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    for (const b of result.built)
      io.out(
        t("build:line", {
          source: b.entry.source,
          html: `${where}/${b.entry.html}`,
          text: b.entry.text,
          size: t("lint:kb", { n: kb.format(b.entry.htmlBytes / 1024) }),
          cached: b.fromCache ? t("build:cached") : "",
        }),
      );
    for (const d of result.drafts) io.out(t("build:draftLine", { source: d.entry.source, dir: where }));
    if (result.search) {
      const s = result.search;
      const line = t("search:indexed", { count: s.records, size: tr().number(Math.round(s.bytes / 102.4) / 10) });
      io.out(`  ${line}${s.rebuilt ? "" : ` (${t("search:unchanged")})`}`);
    }
    const failed = result.failed.length ? t("build:failed", { count: result.failed.length, files: result.failed.join(", ") }) : "";
    io.out(`${t("build:built", { count: result.built.length, dir: where, ms: tr().number(ms) })}${failed}.`);
  }
  return result.failed.length ? 1 : 0;
}

export function registerBuild(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("build")
    .description(t("cli:command.build"))
    .argument("[files...]", t("cli:flag.files"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--out <dir>", t("build:flag.out"), "dist")
    .option("--emit-mjml", t("build:flag.emitMjml"))
    .option("--no-cache", t("cli:flag.noCache"))
    .option("--json", t("build:flag.json"))
    .option("--clean", t("clean:flag"))
    .action(async (files: string[], flags: BuildFlags) => setCode(await runBuild(files, flags, io)));
}
