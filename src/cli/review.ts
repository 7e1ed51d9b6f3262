import { relative } from "node:path";
import type { Command } from "commander";
import { language, t, tr } from "../i18n/index.js";
import { review, reviewJson } from "../review/review.js";
import { formatDiagnostic, type Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

export interface ReviewFlags {
  base: string;
  root: string;
  out: string;
  json?: boolean;
  cache: boolean;
  state?: string;
}

/**
 * `rassylka review --base <ref>`: DIR/index.html and DIR/summary.md, every changed email before and
 * after. Exit 0 when the review is written, whatever changed or fails to build (the lint step is what
 * fails a job); 1 on bad input (a base that is not a commit, no newsletter, no Chromium), from main().
 */
export async function runReview(flags: ReviewFlags, io: Io): Promise<number> {
  const started = performance.now();
  const result = await review({ root: flags.root, base: flags.base, out: flags.out, cache: flags.cache, state: stateFromFlags(flags) });
  if (flags.json) {
    io.out(JSON.stringify(reviewJson(result), null, 2));
    return 0;
  }
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  const where = (p: string) => relative(process.cwd(), p) || ".";
  const percent = new Intl.NumberFormat(language(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  for (const i of result.issues) {
    if (i.status === "unchanged") continue;
    const pixels = i.pixelsChanged === null ? "" : t("review:cli.pixels", { percent: percent.format(i.pixelsChanged * 100) });
    io.out(t("review:cli.line", { status: t(`review:status.${i.status}`).padEnd(10), file: i.file, pixels }));
  }
  const unchanged = result.issues.filter((i) => i.status === "unchanged").length;
  io.out(
    t("review:cli.summary", {
      count: result.issues.length,
      base: result.base.ref,
      commit: result.base.mergeBase.slice(0, 7),
      unchanged,
      index: where(result.index),
      md: where(result.summary),
      ms: tr().number(Math.round(performance.now() - started)),
    }),
  );
  return 0;
}

export function registerReview(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("review")
    .description(t("cli:command.review"))
    .requiredOption("--base <git-ref>", t("review:cli.flag.base"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--out <dir>", t("review:cli.flag.out"), "review")
    .option("--json", t("review:cli.flag.json"))
    .option("--no-cache", t("cli:flag.noCache"))
    .option("--state <file|url>", t("topics:review.stateFlag"))
    .action(async (flags: ReviewFlags) => setCode(await runReview(flags, io)));
}
