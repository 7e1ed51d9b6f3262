import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { lintIssue } from "../lint/index.js";
import type { Project } from "../project/project.js";
import type { CompiledIssue } from "../render/pipeline.js";

/**
 * The lint findings of one compiled issue (src/lint), for the preview's pages and the PR summary.
 * A crash in a rule must not take the preview down: it becomes one finding.
 */
export async function lintCompiled(project: Project, compiled: CompiledIssue, source?: string): Promise<Diagnostic[]> {
  try {
    return await lintIssue(project, compiled, { source });
  } catch (error) {
    return [
      {
        ruleId: "lint/internal",
        severity: "warning",
        message: t("preview:internal.lint", { detail: (error as Error).message }),
        file: compiled.source,
        fix: t("preview:internal.lint.fix"),
      },
    ];
  }
}
