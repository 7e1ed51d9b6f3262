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
        finding(
          "preheader",
          "warning",
          "the issue has no preheader: inboxes will show the first words of the email (often the greeting) after the subject",
          "add `preheader: …` to the front-matter: one sentence that makes the reader open the email",
          { file: ctx.file, line: frontMatterLine(ctx, "title"), field: "preheader" },
        ),
      ];
    const length = [...p].length;
    if (length > PREHEADER_MAX)
      return [
        finding(
          "preheader",
          "warning",
          `the preheader is ${length} characters long (over ${PREHEADER_MAX}): inboxes cut it`,
          `shorten \`preheader:\` to at most ${PREHEADER_MAX} characters`,
          { file: ctx.file, line, field: "preheader" },
        ),
      ];
    return [];
  },
};
