import { z } from "zod";
import { eventSchema, isoDate, issueTrackingSchema } from "../config/schema.js";
import { t } from "../i18n/index.js";

export const slugPattern = /^[a-z0-9][a-z0-9-]*$/;

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
  tags: z.array(z.string()).default([]),
  /** `false` measures nothing for this issue; keys given override newsletter.yaml's `tracking:`. */
  tracking: issueTrackingSchema.optional(),
});

export type FrontMatter = z.output<typeof frontMatterSchema>;
