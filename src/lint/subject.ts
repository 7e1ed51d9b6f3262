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
        finding("subject", "error", "the issue has no subject", "add `subject: …` (or a `title:`) to the front-matter", {
          file: ctx.file,
          line,
          field: "subject",
        }),
      ];
    const length = [...s].length;
    if (length > SUBJECT_MAX)
      return [
        finding(
          "subject",
          "warning",
          `the subject is ${length} characters long (over ${SUBJECT_MAX}): inboxes cut it, phones after about 40`,
          "shorten `subject:` in the front-matter; put the detail in the preheader",
          { file: ctx.file, line, field: "subject" },
        ),
      ];
    return [];
  },
};
