import type { NewsletterConfig } from "../config/schema.js";
import { issueTracking } from "../config/tracking.js";
import { type Diagnostic, error, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { CompiledIssue } from "../render/pipeline.js";
import type { AbTest } from "./schema.js";

/** An issue's A/B test of subjects (docs/ab-testing.md): what lint and send both check. */

/** The test of a compiled issue, if it has one. */
export function abTestOf(compiled: Pick<CompiledIssue, "subjects" | "abTest">): (AbTest & { subjects: string[] }) | undefined {
  return compiled.subjects && compiled.subjects.length > 1 && compiled.abTest
    ? { ...compiled.abTest, subjects: compiled.subjects }
    : undefined;
}

/**
 * What an A/B test needs of the newsletter before anything goes out: its metric measured per reader
 * (tracking on, not anonymous) — otherwise nothing could tell the subjects apart.
 */
export function abProblems(compiled: CompiledIssue, config: NewsletterConfig): Diagnostic[] {
  const test = abTestOf(compiled);
  if (!test) return [];
  const tracking = issueTracking(config.tracking, compiled.tracking);
  const measured = test.metric === "opens" ? tracking.opens : tracking.clicks;
  if (!measured || tracking.anonymous)
    return [
      error("ab/not-measured", t("ab:notMeasured", { metric: test.metric }), {
        file: compiled.source,
        field: "abTest.metric",
        fix: t("ab:notMeasured.fix", { metric: test.metric }),
      }),
    ];
  return [];
}

/** Lint's advice on a test: opens are inflated (Apple Mail Privacy Protection fetches every pixel on delivery). */
export function abAdvice(compiled: CompiledIssue): Diagnostic[] {
  const test = abTestOf(compiled);
  if (test?.metric !== "opens") return [];
  return [warning("lint/ab-opens", t("ab:lint.opens"), { file: compiled.source, field: "abTest.metric", fix: t("ab:lint.opens.fix") })];
}
