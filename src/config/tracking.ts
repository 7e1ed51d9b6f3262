import type { IssueTracking, Tracking } from "./schema.js";

export const NO_TRACKING: Tracking = { clicks: false, opens: false, anonymous: false };

/** What one issue measures: newsletter.yaml's `tracking:`, overridden by the issue's front-matter. */
export function issueTracking(newsletter: Tracking | undefined, issue: IssueTracking | undefined): Tracking {
  if (issue === false) return NO_TRACKING;
  return { ...NO_TRACKING, ...newsletter, ...issue };
}

/** True when a send of this issue changes its messages (tracked links or an open pixel). */
export function tracksAnything(t: Tracking): boolean {
  return t.clicks || t.opens;
}
