/**
 * The pull-request summary table (issue, subject, size, lint counts) as Markdown on stdout, for
 * $GITHUB_STEP_SUMMARY; runs the same locally:
 *
 *   node --import tsx scripts/pr-summary.ts [files…] [--root DIR] [--files-from FILE] [--note TEXT]
 *
 * Without files (and without --files-from) every issue is listed; `--files-from` reads one path a line
 * relative to the root (the output of scripts/changed-issues.sh), and an empty list says that nothing needs a preview.
 * Exit 0 whatever the findings (the lint step fails the job); 1 when the newsletter cannot be loaded.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "../src/cli/print.js";
import { isRassylkaError } from "../src/diagnostics.js";
import { summariseIssues, summaryMarkdown } from "../src/preview/summary.js";

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      root: { type: "string", default: "." },
      "files-from": { type: "string" },
      note: { type: "string" },
      title: { type: "string" },
    },
  });
  let files = positionals;
  if (values["files-from"] !== undefined) {
    const listed = (await readFile(values["files-from"], "utf8"))
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      // the list holds paths relative to the newsletter root (what scripts/changed-issues.sh prints)
      .map((f) => resolve(values.root ?? ".", f));
    files = [...files, ...listed];
    if (!files.length) {
      process.stdout.write(summaryMarkdown([], { title: values.title, note: values.note }));
      return 0;
    }
  }
  try {
    const rows = await summariseIssues(values.root ?? ".", files);
    process.stdout.write(summaryMarkdown(rows, { title: values.title, note: values.note }));
    return 0;
  } catch (error) {
    if (!isRassylkaError(error)) throw error;
    for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
