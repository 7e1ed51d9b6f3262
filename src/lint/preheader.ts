import { t } from "../i18n/index.js";
import { finding, frontMatterLine, type LintRule } from "./context.js";

/** Inboxes show 40–140 characters of preview text after the subject; more is cut. */
export const PREHEADER_MAX = 140;

export const preheader: LintRule = {
  id: "lint/preheader",
  check(ctx) {
    const p = ctx.compiled.preheader.trim();
    const line = frontMatterLine(ctx, "preheader");
    if (!p)
      return [
        finding("preheader", "warning", t("lint:preheader.none"), t("lint:preheader.none.fix"), {
          file: ctx.file,
          line: frontMatterLine(ctx, "title"),
          field: "preheader",
        }),
      ];
    const length = [...p].length;
    if (length > PREHEADER_MAX)
      return [
        finding(
          "preheader",
          "warning",
          t("lint:preheader.long", { count: length, max: PREHEADER_MAX }),
          t("lint:preheader.long.fix", { max: PREHEADER_MAX }),
          { file: ctx.file, line, field: "preheader" },
        ),
      ];
    return [];
  },
};
