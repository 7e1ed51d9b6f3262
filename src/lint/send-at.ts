import { t } from "../i18n/index.js";
import { parseIssue } from "../issue/load.js";
import { DEFAULT_TIMEZONE, hasOffset, parseZonedTime } from "../util/zoned-time.js";
import { finding, frontMatterLine, type LintRule } from "./context.js";

/**
 * A scheduled issue (front-matter `sendAt`, docs/schedule.md) must name one instant: with an offset, or
 * read in newsletter.yaml's `timezone`; and that instant must be ahead unless the issue went out already
 * (`ctx.sent`, read from the state when there is one) — a worker would call a past time missed.
 */
export const sendAt: LintRule = {
  id: "lint/send-at",
  check(ctx) {
    const { issue } = parseIssue(ctx.source, ctx.file, ctx.config);
    if (!issue?.sendAt || issue.draft) return [];
    const place = { file: ctx.file, line: frontMatterLine(ctx, "sendAt"), field: "sendAt" };
    const out = [];
    if (!hasOffset(issue.sendAt) && !ctx.config.timezone)
      out.push(
        finding(
          "send-at",
          "error",
          t("schedule:lint.noZone", { value: issue.sendAt }),
          t("schedule:lint.noZone.fix", { zone: DEFAULT_TIMEZONE }),
          place,
        ),
      );
    const at = parseZonedTime(issue.sendAt, ctx.config.timezone ?? DEFAULT_TIMEZONE);
    if (at && at.getTime() < Date.now() && !ctx.sent?.has(issue.slug))
      out.push(finding("send-at", "error", t("schedule:lint.past", { value: issue.sendAt }), t("schedule:lint.past.fix"), place));
    return out;
  },
};
