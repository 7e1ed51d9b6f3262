import { type Command, Option } from "commander";
import { type Diagnostic, isRassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
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
  io.out(
    t("lint:summary", {
      checked: t("lint:checked", { count: issues }),
      errors: t("common:errors", { count: errors }),
      warnings: t("common:warnings", { count: warnings }),
    }),
  );
}

export function registerLint(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("lint")
    .description(t("cli:command.lint"))
    .argument("[files...]", t("cli:flag.files"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .addOption(new Option("--format <format>", t("cli:flag.format")).choices(["text", "json", "github"]).default("text"))
    .option("--no-cache", t("cli:flag.noCache"))
    .action(async (files: string[], flags: LintFlags) => setCode(await runLint(files, flags, io)));
}
