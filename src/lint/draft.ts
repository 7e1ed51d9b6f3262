import { finding, frontMatterLine, type LintRule } from "./context.js";

/** A draft is built and previewed like any issue: a reminder that this one is not final yet. */
export const draft: LintRule = {
  id: "lint/draft",
  check(ctx) {
    if (!ctx.compiled.draft) return [];
    return [
      finding(
        "draft",
        "warning",
        "the issue is marked `draft: true`: it is not ready to go out",
        "remove `draft: true` (or set it to false) when the issue is ready to send",
        {
          file: ctx.file,
          line: frontMatterLine(ctx, "draft"),
          field: "draft",
        },
      ),
    ];
  },
};
