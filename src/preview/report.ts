import { basename, relative } from "node:path";
import type { BuildCache } from "../compile/cache.js";
import { compileIssueFile } from "../compile/compile.js";
import { type Diagnostic, hasErrors } from "../diagnostics.js";
import { encodedMessageSize } from "../message/size.js";
import type { Project } from "../project/project.js";
import { renderWebVersion } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { toPosix } from "../util/fs.js";
import { lintCompiled } from "./lint.js";

/**
 * What the preview, the screenshots and the pull-request summary know of one issue file: the compiled
 * issue (or why it failed), its encoded size and its lint findings. One bad issue stops only itself.
 */
export interface IssueReport {
  /** Stable id in URLs: the file name without `.md` (there even when the front-matter is broken). */
  key: string;
  /** Relative to the root, POSIX separators. */
  file: string;
  absPath: string;
  compiled?: CompiledIssue;
  /** Build errors and warnings (each names its file and line where known). */
  diagnostics: Diagnostic[];
  /** Lint findings; empty while the issue does not build. */
  lint: Diagnostic[];
  /** Encoded size of the web version (no subscriber), in bytes. */
  bytes?: number;
  fromCache: boolean;
}

export function issueKey(absPath: string): string {
  return basename(absPath).replace(/\.md$/, "");
}

export function failed(report: IssueReport): boolean {
  return !report.compiled || hasErrors(report.diagnostics);
}

export function counts(report: IssueReport): { errors: number; warnings: number } {
  const all = [...report.lint, ...report.diagnostics];
  // the build's warnings come back from lint too when lint re-reports them; count each finding once
  const seen = new Set<string>();
  let errors = 0;
  let warnings = 0;
  for (const d of all) {
    const id = `${d.ruleId}\0${d.file}\0${d.line}\0${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  }
  return { errors, warnings };
}

export async function reportIssue(project: Project, absPath: string, cache: BuildCache): Promise<IssueReport> {
  const file = toPosix(relative(project.root, absPath));
  const r = await compileIssueFile(project, absPath, cache);
  const report: IssueReport = { key: issueKey(absPath), file, absPath, diagnostics: r.diagnostics, lint: [], fromCache: r.fromCache };
  if (!r.compiled || hasErrors(r.diagnostics)) return report;
  report.compiled = r.compiled;
  const web = renderWebVersion(r.compiled);
  report.bytes = await encodedMessageSize(project.config.config, { subject: r.compiled.subject, ...web });
  report.lint = await lintCompiled(project, r.compiled, r.issue?.text);
  return report;
}

/** Newest first; issues that do not build first of all, so the editor sees them. */
export function sortReports(reports: IssueReport[]): IssueReport[] {
  return [...reports].sort((a, b) => {
    const fa = failed(a) ? 1 : 0;
    const fb = failed(b) ? 1 : 0;
    if (fa !== fb) return fb - fa;
    const da = a.compiled?.date ?? "";
    const db = b.compiled?.date ?? "";
    return db.localeCompare(da) || b.key.localeCompare(a.key);
  });
}
