import { t } from "../i18n/index.js";
import { abAdvice, abProblems } from "../issue/ab-test.js";
import { finding, frontMatterLine, type LintContext, type LintRule } from "./context.js";

/** RFC 5322 recommends header lines of at most 78 characters; inboxes show far fewer of a subject. */
export const SUBJECT_MAX = 78;

/** The subject, or each subject of an A/B test (docs/ab-testing.md) with its own line and field. */
function subjectsOf(ctx: LintContext): { text: string; line?: number; field: string }[] {
  const line = frontMatterLine(ctx, "subject") ?? frontMatterLine(ctx, "title");
  const list = ctx.compiled.subjects;
  if (!list) return [{ text: ctx.compiled.subject, line, field: "subject" }];
  // a block list: `subject:` then one `- …` line per subject
  const lines = ctx.source.split("\n");
  return list.map((text, i) => {
    const at = line === undefined ? -1 : lines.findIndex((l, n) => n >= line && /^\s*-\s/.test(l) && l.includes(text.slice(0, 20)));
    return { text, line: at < 0 ? line : at + 1, field: `subject[${i}]` };
  });
}

export const subject: LintRule = {
  id: "lint/subject",
  check(ctx) {
    const out = subjectsOf(ctx).flatMap(({ text, line, field }) => {
      const s = text.trim();
      if (!s) return [finding("subject", "error", t("lint:subject.none"), t("lint:subject.none.fix"), { file: ctx.file, line, field })];
      const length = [...s].length;
      if (length > SUBJECT_MAX)
        return [
          finding("subject", "warning", t("lint:subject.long", { count: length, max: SUBJECT_MAX }), t("lint:subject.long.fix"), {
            file: ctx.file,
            line,
            field,
          }),
        ];
      return [];
    });
    // an A/B test: its metric must be measured per reader; opens are a poor judge
    const abLine = frontMatterLine(ctx, "abTest") ?? frontMatterLine(ctx, "subject");
    for (const d of [...abProblems(ctx.compiled, ctx.config), ...abAdvice(ctx.compiled)])
      out.push(
        finding("subject", d.severity === "error" ? "error" : "warning", d.message, d.fix ?? "", {
          file: ctx.file,
          line: abLine,
          field: d.field,
        }),
      );
    return out;
  },
};
