import { readFile } from "node:fs/promises";
import type { NewsletterConfig } from "../config/schema.js";
import { t } from "../i18n/index.js";
import { parseIssue } from "../issue/load.js";
import { DEFAULT_TIMEZONE, parseZonedTime, wallTime } from "../util/zoned-time.js";

/**
 * What a pull request does to an issue's scheduled send (docs/schedule.md), for the review page: "will be
 * sent …", "time changed from … to …", "will be cancelled" — or nothing when the issue is not scheduled
 * on either side. Times in the newsletter's timezone, as the editor wrote them.
 */
export async function scheduleNote(
  beforePath: string | undefined,
  afterPath: string | undefined,
  config: NewsletterConfig,
): Promise<string | undefined> {
  const zone = config.timezone ?? DEFAULT_TIMEZONE;
  const at = async (path: string | undefined) => {
    if (!path) return undefined;
    const text = await readFile(path, "utf8").catch(() => undefined);
    const issue = text === undefined ? undefined : parseIssue(text, path, config).issue;
    if (!issue?.sendAt || issue.draft) return undefined;
    const time = parseZonedTime(issue.sendAt, zone);
    return time ? `${wallTime(time, zone, false)} (${zone})` : undefined;
  };
  const [from, to] = await Promise.all([at(beforePath), at(afterPath)]);
  if (from && !to) return t("schedule:review.cancelled", { from });
  if (!to) return undefined;
  if (from && from !== to) return t("schedule:review.moved", { from, at: to });
  return t("schedule:review.at", { at: to });
}
