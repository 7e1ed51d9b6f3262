import { t } from "../i18n/index.js";
import { finding, frontMatterLine, type LintRule } from "./context.js";

/** A draft is built and previewed like any issue: a reminder that this one is not final yet. */
export const draft: LintRule = {
  id: "lint/draft",
  check(ctx) {
    if (!ctx.compiled.draft) return [];
    return [
      finding("draft", "warning", t("lint:draft.message"), t("lint:draft.fix"), {
        file: ctx.file,
        line: frontMatterLine(ctx, "draft"),
        field: "draft",
      }),
    ];
  },
};
