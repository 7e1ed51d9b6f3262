import { type Command, Option } from "commander";
import { type Diagnostic, isRassylkaError } from "../diagnostics.js";
import { type LintFileResult, lintProject } from "../lint/index.js";
import { type Format, formatDiagnostic, formatGithub, type Io } from "./print.js";

export interface LintFlags {
  root: string;
  format: Format;
  cache: boolean;
}

/**
 * `rassylka lint`: findings on stdout (text, JSON, or GitHub workflow annotations).
 * Exit codes: 0 no errors (warnings allowed); 1 at least one error, or the project could not be loaded.
 */
export async function runLint(files: string[], flags: LintFlags, io: Io): Promise<number> {
  let results: LintFileResult[];
  try {
    ({ results } = await lintProject(flags.root, files, { cache: flags.cache }));
  } catch (error) {
    // newsletter.yaml or the templates are unusable: report in the asked-for format, so CI annotates it
    if (!isRassylkaError(error)) throw error;
    const file = error.diagnostics[0]?.file ?? "newsletter.yaml";
    print(error.diagnostics, flags.format, io, [{ file, slug: "", diagnostics: error.diagnostics }], 0);
    return 1;
  }
  const all = results.flatMap((r) => r.diagnostics);
  print(all, flags.format, io, results, results.length);
  return all.some((d) => d.severity === "error") ? 1 : 0;
}

function print(all: Diagnostic[], format: Format, io: Io, results: LintFileResult[], issues: number): void {
  // a finding in a template or the config repeats for every issue that uses it: count and print it once
  const seen = new Set<string>();
  const distinct = all.filter((d) => {
    const key = JSON.stringify([d.ruleId, d.file, d.line, d.column, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const errors = distinct.filter((d) => d.severity === "error").length;
  const warnings = distinct.filter((d) => d.severity === "warning").length;
  if (format === "json") {
    io.out(JSON.stringify({ results, errors, warnings }, null, 2));
    return;
  }
  for (const d of distinct) io.out(format === "github" ? formatGithub(d) : formatDiagnostic(d));
  io.out(`Checked ${issues} issue(s): ${errors} error(s), ${warnings} warning(s).`);
}

export function registerLint(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("lint")
    .description(
      "check issues as readers will get them: size, subject, preheader, alt text, links, unsubscribe, merge fields, events, drafts, client support",
    )
    .argument("[files...]", "issue files or slugs (default: every issues/*.md)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .addOption(
      new Option("--format <format>", "output: text for people, json for tools, github for workflow annotations")
        .choices(["text", "json", "github"])
        .default("text"),
    )
    .option("--no-cache", "ignore and do not write .rassylka/cache")
    .action(async (files: string[], flags: LintFlags) => setCode(await runLint(files, flags, io)));
}
