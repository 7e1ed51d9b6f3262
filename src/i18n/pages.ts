import { translator } from "./index.js";
import { type Lang, langOf } from "./lang.js";

/**
 * The page words as the templates read them (src/site, src/server, src/preview): the catalogues
 * `pages`, `subscribe` and `preview` of one language. Pages readers see are in the newsletter's
 * language (config `language`); the preview is the editors' tool and speaks the editor's language.
 * Unknown languages fall back to English.
 */
export interface PageStrings {
  // the archive and the web versions (dist/)
  allIssues: string;
  noIssues: string;
  feed: string;
  previous: string;
  next: string;
  draft: string;
  // serve: unsubscribe
  unsubscribeTitle: (name: string) => string;
  unsubscribeQuestion: (email: string, name: string) => string;
  unsubscribeButton: string;
  unsubscribed: (email: string, name: string) => string;
  badLink: string;
  writeTo: string;
  unavailable: string;
  /** The bare unsubscribe URL (no token), as the web version and the feed link it: how to unsubscribe. */
  howTo: (name: string) => string;
  backToArchive: string;
  // serve and preview: answers to requests that went wrong
  errors: Record<ErrorStatus, string>;
  errorTitle: (status: number) => string;
  preview: PreviewStrings;
  /** serve: the subscribe form, its pages and the confirmation email. */
  subscribe: SubscribeStrings;
}

/** The error statuses with words of their own (src/site/templates.ts `errorStatus`). */
export type ErrorStatus = 400 | 403 | 404 | 405 | 413 | 500;

export interface PreviewStrings {
  issues: string;
  all: string;
  draft: string;
  buildFailed: string;
  errors: string;
  warnings: string;
  date: string;
  subject: string;
  size: string;
  lint: string;
  email: string;
  text: string;
  source: string;
  findings: string;
  none: string;
  reader: string;
  noReader: string;
  noIssues: string;
  buildError: string;
  projectError: string;
  lastGood: string;
  of: string;
  clipped: string;
  close: string;
  preheader: string;
  notFound: string;
  doesNotBuild: string;
}

export interface SubscribeStrings {
  formTitle: string;
  emailLabel: string;
  nameLabel: string;
  subscribeButton: string;
  /** Hidden from people (the honeypot); a screen reader is told to leave it empty. */
  honeypotLabel: string;
  errors: { email: string; consent: string; tooLong: string; tooFast: string; stale: string };
  checkMailTitle: string;
  /** The same answer whether or not the address was subscribed already (no enumeration). */
  checkMail: (name: string, days: number) => string;
  limited: string;
  unavailable: string;
  confirmTitle: (name: string) => string;
  confirmQuestion: (email: string, name: string) => string;
  confirmButton: string;
  confirmed: (name: string) => string;
  expired: string;
  invalidLink: string;
  subscribeAgain: string;
  emailSubject: (name: string) => string;
  emailBody: (email: string, name: string) => string;
  emailLinkText: string;
  emailFooter: (days: number) => string;
}

const cache = new Map<Lang, PageStrings>();

export function pageStrings(language: string): PageStrings {
  const lang = langOf(language) ?? "en";
  let strings = cache.get(lang);
  if (!strings) {
    strings = build(lang);
    cache.set(lang, strings);
  }
  return strings;
}

function build(lang: Lang): PageStrings {
  const { t } = translator(lang);
  const p = (key: string) => t(`pages:${key}`);
  const s = (key: string) => t(`subscribe:${key}`);
  const errors = Object.fromEntries(([400, 403, 404, 405, 413, 500] as const).map((status) => [status, p(`errors.${status}`)]));
  return {
    allIssues: p("allIssues"),
    noIssues: p("noIssues"),
    feed: p("feed"),
    previous: p("previous"),
    next: p("next"),
    draft: p("draft"),
    unsubscribeTitle: (name) => t("pages:unsubscribeTitle", { name }),
    unsubscribeQuestion: (email, name) => t("pages:unsubscribeQuestion", { email, name }),
    unsubscribeButton: p("unsubscribeButton"),
    unsubscribed: (email, name) => t("pages:unsubscribed", { email, name }),
    badLink: p("badLink"),
    writeTo: p("writeTo"),
    unavailable: p("unavailable"),
    howTo: (name) => t("pages:howTo", { name }),
    backToArchive: p("backToArchive"),
    errors: errors as Record<ErrorStatus, string>,
    errorTitle: (status) => t("pages:errorTitle", { status }),
    preview: Object.fromEntries(PREVIEW_KEYS.map((k) => [k, t(`preview:${k}`)])) as unknown as PreviewStrings,
    subscribe: {
      formTitle: s("formTitle"),
      emailLabel: s("emailLabel"),
      nameLabel: s("nameLabel"),
      subscribeButton: s("subscribeButton"),
      honeypotLabel: s("honeypotLabel"),
      errors: {
        email: s("errors.email"),
        consent: s("errors.consent"),
        tooLong: s("errors.tooLong"),
        tooFast: s("errors.tooFast"),
        stale: s("errors.stale"),
      },
      checkMailTitle: s("checkMailTitle"),
      checkMail: (name, days) => t("subscribe:checkMail", { name, count: days }),
      limited: s("limited"),
      unavailable: s("unavailable"),
      confirmTitle: (name) => t("subscribe:confirmTitle", { name }),
      confirmQuestion: (email, name) => t("subscribe:confirmQuestion", { email, name }),
      confirmButton: s("confirmButton"),
      confirmed: (name) => t("subscribe:confirmed", { name }),
      expired: s("expired"),
      invalidLink: s("invalidLink"),
      subscribeAgain: s("subscribeAgain"),
      emailSubject: (name) => t("subscribe:emailSubject", { name }),
      emailBody: (email, name) => t("subscribe:emailBody", { email, name }),
      emailLinkText: s("emailLinkText"),
      emailFooter: (days) => t("subscribe:emailFooter", { count: days }),
    },
  };
}

const PREVIEW_KEYS: readonly (keyof PreviewStrings)[] = [
  "issues",
  "all",
  "draft",
  "buildFailed",
  "errors",
  "warnings",
  "date",
  "subject",
  "size",
  "lint",
  "email",
  "text",
  "source",
  "findings",
  "none",
  "reader",
  "noReader",
  "noIssues",
  "buildError",
  "projectError",
  "lastGood",
  "of",
  "clipped",
  "close",
  "preheader",
  "notFound",
  "doesNotBuild",
];
