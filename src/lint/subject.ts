import { t } from "../i18n/index.js";
import { finding, frontMatterLine, type LintRule } from "./context.js";

/** RFC 5322 recommends header lines of at most 78 characters; inboxes show far fewer of a subject. */
export const SUBJECT_MAX = 78;

export const subject: LintRule = {
  id: "lint/subject",
  check(ctx) {
    const s = ctx.compiled.subject.trim();
    const line = frontMatterLine(ctx, "subject") ?? frontMatterLine(ctx, "title");
    if (!s)
      return [
        finding("subject", "error", t("lint:subject.none"), t("lint:subject.none.fix"), {
          file: ctx.file,
          line,
          field: "subject",
        }),
      ];
    const length = [...s].length;
    if (length > SUBJECT_MAX)
      return [
        finding("subject", "warning", t("lint:subject.long", { count: length, max: SUBJECT_MAX }), t("lint:subject.long.fix"), {
          file: ctx.file,
          line,
          field: "subject",
        }),
      ];
    return [];
  },
};
