import * as z from "zod";
import { eventSchema, isoDate, issueTrackingSchema } from "../config/schema.js";
import { t } from "../i18n/index.js";
import { LOCAL_TIME } from "../util/zoned-time.js";
import { slugPattern } from "./slug.js";

export { slugPattern };

/** A/B tests compare at most this many subjects. */
export const MAX_SUBJECTS = 4;

/** `20%` → 0.2; undefined unless a share above 0 and at most 50 %. */
export function percent(value: string): number | undefined {
  const m = /^\s*(\d{1,2}(?:\.\d+)?)\s*%\s*$/.exec(value);
  const n = m ? Number(m[1]) : Number.NaN;
  return n > 0 && n <= 50 ? n / 100 : undefined;
}

/** `30m`, `4h` → minutes; undefined outside 30 minutes to 48 hours (both included). */
export function waitMinutes(value: string): number | undefined {
  const m = /^\s*(\d{1,4})\s*(m|h)\s*$/.exec(value);
  if (!m) return undefined;
  const minutes = Number(m[1]) * (m[2] === "h" ? 60 : 1);
  return minutes >= 30 && minutes <= 48 * 60 ? minutes : undefined;
}

export const frontMatterSchema = z.strictObject({
  title: z.string().min(1),
  date: isoDate,
  /** One subject, or 2–4 for an A/B test of subjects (docs/ab-testing.md). */
  subject: z.union([z.string().min(1), z.array(z.string().min(1)).min(2).max(MAX_SUBJECTS)]).optional(),
  /** How an A/B test of the subjects runs (docs/ab-testing.md); only with a list of subjects. */
  abTest: z
    .strictObject({
      sample: z
        .string()
        .default("10%")
        .refine((v) => percent(v) !== undefined, { error: () => t("ab:schema.sample"), params: { fixKey: "ab:schema.sample.fix" } }),
      wait: z
        .string()
        .default("4h")
        .refine((v) => waitMinutes(v) !== undefined, { error: () => t("ab:schema.wait"), params: { fixKey: "ab:schema.wait.fix" } }),
      metric: z.enum(["clicks", "opens"]).default("clicks"),
    })
    .optional(),
  preheader: z.string().optional(),
  author: z.string().optional(),
  slug: z
    .string()
    .regex(slugPattern, { error: () => t("config:schema.slug") })
    .optional(),
  template: z.string().min(1).default("default"),
  events: z.union([z.literal(false), z.array(eventSchema)]).optional(),
  draft: z.boolean().default(false),
  /** When a worker sends the issue (docs/schedule.md): an ISO 8601 time, with an offset or in newsletter.yaml's timezone. */
  sendAt: z
    .string()
    .refine((v) => LOCAL_TIME.test(v.trim()), {
      error: () => t("schedule:schema.sendAt"),
      params: { fixKey: "schedule:schema.sendAt.fix" },
    })
    .optional(),
  /** Who a scheduled issue goes to: `subscribers` (the default), an audience file's name, or a Sendsay list. */
  audience: z
    .union([
      z.string().regex(slugPattern, { error: () => t("schedule:schema.audience") }),
      z.strictObject({ sendsay: z.union([z.string().min(1), z.number().int()]).transform(String) }),
    ])
    .optional(),
  /** The topic the issue is about (an id of newsletter.yaml's `topics:`): it goes to the readers who chose it. */
  topic: z
    .string()
    .regex(slugPattern, { error: () => t("topics:schema.id") })
    .optional(),
  tags: z.array(z.string()).default([]),
  /** `false` measures nothing for this issue; keys given override newsletter.yaml's `tracking:`. */
  tracking: issueTrackingSchema.optional(),
});

export type FrontMatter = z.output<typeof frontMatterSchema>;

/** An A/B test of subjects as the send uses it (docs/ab-testing.md). */
export interface AbTest {
  /** Share of the list per variant (0.1 for `10%`). */
  sample: number;
  /** How long after the sample is out the decision is due, minutes. */
  waitMinutes: number;
  metric: "clicks" | "opens";
}

/** Who a scheduled issue goes to (front-matter `audience`). */
export type ScheduleAudience = string | { sendsay: string };

/** An A/B test of subjects as the send uses it (docs/ab-testing.md). */
export interface AbTest {
  /** Share of the list per variant (0.1 for `10%`). */
  sample: number;
  /** How long after the sample is out the decision is due, minutes. */
  waitMinutes: number;
  metric: "clicks" | "opens";
}
