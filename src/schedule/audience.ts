import type { ScheduleAudience } from "../issue/schema.js";
import type { PreparedIssue } from "../send/send-issue.js";

/** How an audience is kept in the state (`scheduled_issues.audience`): its JSON, the same text for the same audience. */
export function audienceKey(audience: ScheduleAudience): string {
  return JSON.stringify(typeof audience === "string" ? audience : { sendsay: audience.sendsay });
}

/** The Sendsay group of a recorded audience, or undefined for the subscriber list. */
export function sendsayGroupOf(key: string): string | undefined {
  const a = JSON.parse(key) as ScheduleAudience;
  return typeof a === "object" && a ? a.sendsay : undefined;
}

/**
 * A `{sendsay: group}` audience hands the campaign to Sendsay at push time (src/schedule/sendsay.ts):
 * Sendsay sends it at the time, so no worker does.
 */
export interface SendsayScheduler {
  /** `issue.send` with `sendwhen: "later"`: the id Sendsay gives the scheduled campaign. */
  schedule(issue: PreparedIssue, group: string, sendAt: string): Promise<string>;
  /** `issue.later.set`: a new time. */
  move(id: string, sendAt: string): Promise<void>;
  /** `issue.later.delete`. */
  cancel(id: string): Promise<void>;
}
