import { relative } from "node:path";
import type { Command } from "commander";
import { build } from "../site/build.js";
import { formatDiagnostic, type Io } from "./print.js";

export interface BuildFlags {
  root: string;
  out?: string;
  cache: boolean;
  emitMjml?: boolean;
  json?: boolean;
}

/** Exit codes: 0 every issue built; 1 at least one failed (the others are still built). */
export async function runBuild(files: string[], flags: BuildFlags, io: Io): Promise<number> {
  const started = performance.now();
  const result = await build({ root: flags.root, out: flags.out, files, cache: flags.cache, emitMjml: flags.emitMjml });
  // A broken template fails every issue with the same diagnostic: print it once.
  for (const line of new Set(result.diagnostics.map(formatDiagnostic))) io.err(line);
  const ms = Math.round(performance.now() - started);
  const where = relative(process.cwd(), result.outDir) || ".";
  if (flags.json) {
    io.out(
      JSON.stringify(
        { outDir: result.outDir, built: result.built.map((b) => b.entry), failed: result.failed, diagnostics: result.diagnostics },
        null,
        2,
      ),
    );
  } else {
    for (const b of result.built)
      io.out(
        `  ${b.entry.source} → ${where}/${b.entry.html}, ${b.entry.text} (${(b.entry.htmlBytes / 1024).toFixed(1)} KB${b.fromCache ? ", cached" : ""})`,
      );
    io.out(
      `Built ${result.built.length} issue(s) into ${where}/ in ${ms} ms${result.failed.length ? `; ${result.failed.length} failed: ${result.failed.join(", ")}` : ""}.`,
    );
  }
  return result.failed.length ? 1 : 0;
}

export function registerBuild(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("build")
    .description("compile issues into responsive HTML and plain text (dist/<slug>.html, .txt, manifest.json)")
    .argument("[files...]", "issue files or slugs (default: every issues/*.md)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--out <dir>", "output folder, relative to the root", "dist")
    .option("--emit-mjml", "also write dist/<slug>.mjml")
    .option("--no-cache", "ignore and do not write .rassylka/cache")
    .option("--json", "print the result as JSON")
    .action(async (files: string[], flags: BuildFlags) => setCode(await runBuild(files, flags, io)));
}
