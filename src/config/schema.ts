import * as z from "zod";
import { t } from "../i18n/index.js";
import { domainKey } from "../util/domain.js";
import { durationMs, isTimeZone } from "../util/zoned-time.js";

/** `YYYY-MM-DD` that is a real calendar date (2026-02-30 is rejected). */
export const isoDate = z.union([z.string(), z.date()]).transform((v, ctx) => {
  // YAML turns an unquoted 2026-03-01 into a Date; keep the calendar day it names
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  if (!m || !d || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) {
    ctx.addIssue({
      code: "custom",
      message: t("config:schema.date", { value: s }),
      params: { fix: t("config:schema.date.fix") },
    });
    return z.NEVER;
  }
  return s;
});

function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const email = z.email({ error: () => t("config:schema.email") });
const url = z.url({ protocol: /^https?$/, error: () => t("config:schema.url") });

export const eventSchema = z.strictObject({
  date: isoDate,
  title: z.string().min(1),
  url: z.string().optional(),
  place: z.string().optional(),
  time: z.string().optional(),
});

/**
 * What a send measures (docs/report.md): all off unless the newsletter turns it on. `anonymous` keeps
 * counts without tying an event to a reader; `keepDays` folds older events into per-issue totals.
 */
export const trackingSchema = z.strictObject({
  clicks: z.boolean().default(false),
  opens: z.boolean().default(false),
  anonymous: z.boolean().default(false),
  keepDays: z.number().int().positive().optional(),
});

/** The same keys in an issue's front-matter, each optional: what it leaves out comes from newsletter.yaml. */
export const issueTrackingSchema = z.union([
  z.literal(false),
  z.strictObject({
    clicks: z.boolean().optional(),
    opens: z.boolean().optional(),
    anonymous: z.boolean().optional(),
    keepDays: z.number().int().positive().optional(),
  }),
]);

/**
 * Headers rassylka writes itself (src/message/message.ts): `sending.headers` may not set them. Envelope,
 * identity and MIME fields, the List-* family (RFC 2369, 2919, 8058), the postmasters' ones, the
 * signature, and our bounce token.
 */
const OWN_HEADERS = new Set([
  "from",
  "to",
  "cc",
  "bcc",
  "sender",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "return-path",
  "received",
  "mime-version",
  "precedence",
  "feedback-id",
  "x-postmaster-msgtype",
  "dkim-signature",
  "authentication-results",
]);

const OWN_PREFIXES = ["list-", "content-", "resent-", "arc-", "x-rassylka-"];

export function isOwnHeader(name: string): boolean {
  const n = name.toLowerCase();
  return OWN_HEADERS.has(n) || OWN_PREFIXES.some((p) => n.startsWith(p));
}

export const configSchema = z
  .strictObject({
    name: z.string().min(1),
    from: z.strictObject({ name: z.string().min(1), email }),
    // a BCP 47 tag: Intl (dates) throws on `ru_RU`
    language: z
      .string()
      .refine(isLanguageTag, { error: () => t("config:schema.language"), params: { fixKey: "config:schema.language.fix" } })
      .default("ru"),
    url: url.optional(),
    replyTo: email.optional(),
    /** The SMTP envelope sender (MAIL FROM) and the outbox's Return-Path: where bounces go. Default: from.email. */
    returnPath: email.optional(),
    /** A send adds readers whose mailbox does not exist (5.1.1, 5.1.10, 5.2.1) to the suppression list. */
    suppressBounces: z.boolean().default(true),
    /** Bounces and complaints that arrive after the send (docs/bounces.md). */
    bounces: z
      .strictObject({
        /** With returnPath: each reader's envelope sender is returnPath+<token> (VERP); false: returnPath as it is. */
        verp: z.boolean().default(true),
        /** Soft bounces (4.x.x, mailbox full) in this many issues in a row suppress the reader. */
        softLimit: z.number().int().positive().default(3),
      })
      .default({ verp: true, softLimit: 3 }),
    author: z.string().optional(),
    description: z.string().optional(),
    nav: z.array(z.strictObject({ title: z.string().min(1), url: z.string().min(1) })).default([]),
    /**
     * The archive search's rubric filters: issue tag → the name readers see, in the order written
     * (docs/search.md). Without it every tag is a filter, in alphabetical order.
     */
    rubrics: z.record(z.string().min(1), z.string().trim().min(1)).optional(),
    /**
     * What readers may choose to get (docs/audiences.md): each topic's `id` (front-matter `topic:`, audience
     * files), its `title` in the newsletter's language (the subscribe form and the preference page show it),
     * and `default`, whether a new subscriber gets it ticked.
     */
    topics: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: () => t("topics:schema.id") }),
          title: z.string().trim().min(1),
          default: z.boolean().default(true),
        }),
      )
      .refine((list) => new Set(list.map((x) => x.id)).size === list.length, {
        error: () => t("topics:schema.sameId"),
        params: { fixKey: "topics:schema.sameId.fix" },
      })
      .default([]),
    contacts: z
      .strictObject({
        phone: z.string().optional(),
        email: email.optional(),
        forum: z.string().optional(),
        site: z.string().optional(),
        address: z.string().optional(),
      })
      .optional(),
    footer: z.string().optional(),
    events: z.array(eventSchema).default([]),
    eventsWindowDays: z.number().int().positive().default(60),
    eventsSignup: z.string().optional(),
    /** The heading over the events in the email; default: "Ближайшие события:" in the newsletter's language. */
    eventsHeading: z.string().min(1).optional(),
    unsubscribe: z
      .strictObject({
        url: url.optional(),
        mailto: email.optional(),
        /**
         * What a one-click unsubscribe from an issue with a `topic:` does (docs/audiences.md): `all` (the
         * default) takes the reader off the whole newsletter; `topic` only off that issue's topic.
         */
        // no default written in: the config is part of a send's content hash, which must not move for it
        scope: z.enum(["all", "topic"]).optional(),
      })
      .refine((u) => u.url || u.mailto, { error: () => t("config:schema.unsubscribe") })
      .optional(),
    /**
     * The subscribe form on the archive and the web versions, answered by `serve` (docs/subscribe.md):
     * double opt-in with a consent record. `consent` is the text beside the checkbox, in the newsletter's
     * language, recorded whole with every subscription; `welcome` the slug of an issue a confirmed reader gets.
     */
    subscribe: z
      .strictObject({
        consent: z
          .string()
          .trim()
          .min(1, { error: () => t("config:schema.consent") }),
        welcome: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, { error: () => t("config:schema.welcome") })
          .optional(),
        limits: z
          .strictObject({
            /** A form sent sooner than this after the page was served is a bot's (people need more than 3 s). */
            minFillSeconds: z.number().min(0).max(3).default(3),
            perAddressPerHour: z.number().int().positive().default(1),
            perAddressPerDay: z.number().int().positive().default(3),
            perIpPerHour: z.number().int().positive().default(10),
            perIpPerDay: z.number().int().positive().default(50),
            /** Confirmation emails per hour from this newsletter, whoever asks. */
            emailsPerHour: z.number().int().positive().default(200),
          })
          .prefault({}),
      })
      .optional(),
    /** Sendsay account settings (no secrets: the API key comes from SENDSAY_APIKEY). */
    sendsay: z
      .strictObject({
        login: z.string().min(1).optional(),
        /**
         * Subscriber field → Sendsay questionnaire field (`anketa id.question id`, e.g. name: base.firstName),
         * for campaigns: `{{subscriber.name}}` becomes `[% anketa.base.firstName %]` (docs/sendsay.md).
         */
        fields: z
          .record(
            z.string().regex(/^[A-Za-z_][\w-]*$/, { error: () => t("config:schema.fieldName") }),
            z.string().refine((v) => /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(v), {
              error: () => t("config:schema.anketa"),
              params: { fixKey: "config:schema.anketa.fix" },
            }),
          )
          .refine((f) => !("email" in f) && !("unsubscribeUrl" in f), {
            error: () => t("config:schema.sendsayOwn"),
            params: { fixKey: "config:schema.sendsayOwn.fix" },
          })
          .optional(),
        /** Topic id → the Sendsay list (group id) its readers are kept in (docs/audiences.md). */
        topics: z.record(z.string().min(1), z.union([z.string().min(1), z.number().int()]).transform(String)).optional(),
      })
      .optional(),
    /**
     * The IANA time zone a front-matter `sendAt` without an offset is read in (docs/schedule.md). Left out,
     * such a time is read in Europe/Moscow and `rassylka lint` asks for an offset or this key.
     */
    timezone: z
      .string()
      .refine(isTimeZone, {
        message: "expected an IANA time zone such as Europe/Moscow or Asia/Yekaterinburg",
        params: { fix: "write e.g. timezone: Europe/Moscow" },
      })
      .optional(),
    /** How late after its `sendAt` a worker still sends a scheduled issue (`6h`, `90m`, `1d`); later it is missed. */
    scheduleLateLimit: z
      .union([z.string(), z.number()])
      .transform((v, ctx) => {
        const ms = durationMs(v);
        if (ms === undefined || ms <= 0) {
          ctx.addIssue({
            code: "custom",
            message: t("config:schema.duration", { value: String(v) }),
            params: { fix: t("config:schema.duration.fix") },
          });
          return z.NEVER;
        }
        return ms;
      })
      .prefault("6h"),
    /** How a send delivers (docs/sending.md). */
    sending: z
      .strictObject({
        /** Gmail's Feedback-ID sender part (docs/deliverability.md): letters, digits, dot, dash, underscore. */
        feedbackId: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: () => t("config:schema.feedbackId") })
          .optional(),
        /**
         * The editor's own headers on every message (docs/deliverability.md), DKIM-signed with the rest: a
         * field name (RFC 5322 §2.2: printable ASCII, no colon) not among the ones rassylka writes, and a
         * one-line value (a CR or LF in it would start a header of its own).
         */
        headers: z
          .record(
            z.string().superRefine((name, ctx) => {
              if (!/^[!-9;-~]{1,76}$/.test(name)) {
                ctx.addIssue({
                  code: "custom",
                  message: t("config:schema.headerName"),
                  params: { fix: t("config:schema.headerName.fix") },
                });
              } else if (isOwnHeader(name)) {
                ctx.addIssue({
                  code: "custom",
                  message: t("config:schema.ownHeader", { name }),
                  params: {
                    fix: t("config:schema.ownHeader.fix"),
                  },
                });
              }
            }),
            z
              .union([z.string(), z.number()])
              .transform(String)
              .superRefine((value, ctx) => {
                // CR and LF above all (header injection), and every other control character with them
                if (/[\u0000-\u001f\u007f]/.test(value)) {
                  ctx.addIssue({
                    code: "custom",
                    message: t("config:schema.headerLines"),
                    params: { fix: t("config:schema.headerLines.fix") },
                  });
                } else if (!value.trim() || value.length > 900) {
                  ctx.addIssue({
                    code: "custom",
                    message: t(value.trim() ? "config:schema.headerLong" : "config:schema.headerEmpty"),
                    params: { fix: t("config:schema.headerValue.fix") },
                  });
                }
              }),
          )
          .refine((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length, {
            error: () => t("config:schema.sameHeader"),
            params: { fixKey: "config:schema.sameHeader.fix" },
          })
          .default({}),
        /** The name said in EHLO (SMTP_EHLO_NAME overrides); default this host's FQDN, else the From domain. */
        ehlo: z
          .string()
          .refine((h) => domainKey(h) !== undefined, {
            error: () => t("config:schema.ehlo"),
            params: { fixKey: "config:schema.ehlo.fix" },
          })
          .optional(),
        /**
         * Receiving domain → messages per second from one worker (`mail.ru: 10`); a key covers its
         * subdomains. `--domain-rate DOMAIN=N` overrides one domain for a run (src/send/pacing.ts).
         */
        domainRates: z
          .record(
            z.string().refine((d) => domainKey(d) !== undefined, {
              error: () => t("config:schema.domain"),
              params: { fixKey: "config:schema.domain.fix" },
            }),
            z.number({ error: () => t("config:schema.rate") }).refine((n) => n > 0, {
              error: () => t("config:schema.rate"),
              params: { fixKey: "config:schema.rate.fix" },
            }),
          )
          .refine((r) => new Set(Object.keys(r).map(domainKey)).size === Object.keys(r).length, {
            error: () => t("config:schema.sameDomain"),
            params: { fixKey: "config:schema.sameDomain.fix" },
          })
          .default({}),
      })
      .optional(),
    tracking: trackingSchema.prefault({}),
    preview: z.strictObject({ subscribers: z.array(z.record(z.string(), z.string())).default([]) }).default({ subscribers: [] }),
    lint: z
      .strictObject({
        clients: z.array(z.string()).default(["gmail", "outlook", "apple-mail", "yandex", "mail-ru"]),
      })
      .default({ clients: ["gmail", "outlook", "apple-mail", "yandex", "mail-ru"] }),
  })
  .superRefine((config, ctx) => {
    // a Sendsay list for a topic readers cannot choose: a misspelt id, or a topic removed from `topics:`
    const known = config.topics.map((x) => x.id);
    for (const topic of Object.keys(config.sendsay?.topics ?? {}))
      if (!known.includes(topic))
        ctx.addIssue({
          code: "custom",
          path: ["sendsay", "topics", topic],
          message: t("topics:sendsayUnknown", { topic }),
          params: {
            fix: known.length
              ? t("topics:sendsayUnknown.fix", { topic, known: known.join(", ") })
              : t("topics:sendsayNoTopics.fix", { topic }),
          },
        });
  });

export type NewsletterConfig = z.output<typeof configSchema>;
export type Tracking = z.output<typeof trackingSchema>;
export type IssueTracking = z.output<typeof issueTrackingSchema>;
export type NewsletterEvent = z.output<typeof eventSchema>;
