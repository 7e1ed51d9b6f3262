import { t } from "../i18n/index.js";
import { finding, type LintRule, locate } from "./context.js";

/**
 * The footer invites readers to events. Those from newsletter.yaml are picked after the issue's date;
 * a front-matter `events:` list is shown as written, so an event from that list that is already over on
 * the issue's date is an invitation to the past.
 */
export const pastEvents: LintRule = {
  id: "lint/past-events",
  check(ctx) {
    const events = (ctx.compiled.context as { events?: unknown }).events;
    if (!Array.isArray(events)) return [];
    return events
      .filter((e): e is { date: string; title: string } => typeof e?.date === "string" && e.date < ctx.compiled.date)
      .map((e) => {
        const at = locate(ctx, new RegExp(`date:\\s*["']?${e.date}`), ["issue"]) ?? locate(ctx, e.title, ["issue", "config"]);
        return finding(
          "past-events",
          "error",
          t("lint:pastEvents.message", { title: e.title, date: e.date, issueDate: ctx.compiled.date }),
          t("lint:pastEvents.fix"),
          at ?? { file: ctx.file },
        );
      });
  },
};
