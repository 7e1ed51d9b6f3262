import * as z from "zod";
import { eventSchema, isoDate, issueTrackingSchema } from "../config/schema.js";
import { t } from "../i18n/index.js";
import { LOCAL_TIME } from "../util/zoned-time.js";
import { slugPattern } from "./slug.js";

export { slugPattern };

export const frontMatterSchema = z.strictObject({
  title: z.string().min(1),
  date: isoDate,
  subject: z.string().min(1).optional(),
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
      message: "expected a time written YYYY-MM-DDTHH:MM with an offset, e.g. 2026-12-08T10:00+03:00",
      params: { fix: 'write sendAt: "2026-12-08T10:00+03:00" (or without +03:00 to read it in newsletter.yaml\'s timezone)' },
    })
    .optional(),
  /** Who a scheduled issue goes to: `subscribers` (the default), an audience file's name, or a Sendsay list. */
  audience: z
    .union([
      z.string().regex(slugPattern, { message: "expected subscribers or the name of an audience file" }),
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

/** Who a scheduled issue goes to (front-matter `audience`). */
export type ScheduleAudience = string | { sendsay: string };
