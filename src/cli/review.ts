import { relative } from "node:path";
import type { Command } from "commander";
import { t } from "../i18n/index.js";
import { review, reviewJson } from "../review/review.js";
import { formatDiagnostic, type Io } from "./print.js";

export interface ReviewFlags {
  base: string;
  root: string;
  out: string;
  json?: boolean;
  cache: boolean;
}

/**
 * `rassylka review --base <ref>`: DIR/index.html and DIR/summary.md, every changed email before and
 * after. Exit 0 when the review is written, whatever changed or fails to build (the lint step is what
 * fails a job); 1 on bad input (a base that is not a commit, no newsletter, no Chromium), from main().
 */
export async function runReview(flags: ReviewFlags, io: Io): Promise<number> {
  const started = performance.now();
  const result = await review({ root: flags.root, base: flags.base, out: flags.out, cache: flags.cache });
  if (flags.json) {
    io.out(JSON.stringify(reviewJson(result), null, 2));
    return 0;
  }
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  const where = (p: string) => relative(process.cwd(), p) || ".";
  for (const i of result.issues) {
    if (i.status === "unchanged") continue;
    const pixels = i.pixelsChanged === null ? "" : `, ${(i.pixelsChanged * 100).toFixed(2)}% of pixels changed`;
    io.out(`  ${i.status.padEnd(8)} ${i.file}${pixels}`);
  }
  const unchanged = result.issues.filter((i) => i.status === "unchanged").length;
  io.out(
    `Reviewed ${result.issues.length} issue(s) against ${result.base.ref} (${result.base.mergeBase.slice(0, 7)}), ${unchanged} unchanged: ${where(result.index)} and ${where(result.summary)} in ${Math.round(performance.now() - started)} ms.`,
  );
  return 0;
}

export function registerReview(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("review")
    .description(t("cli:command.review"))
    .requiredOption("--base <git-ref>", "compare with the merge base of this branch, tag or commit and HEAD, e.g. origin/main")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--out <dir>", "output folder, relative to the root", "review")
    .option("--json", "print the per-issue result as JSON on stdout")
    .option("--no-cache", "ignore and do not write .rassylka/cache")
    .action(async (flags: ReviewFlags) => setCode(await runReview(flags, io)));
}
