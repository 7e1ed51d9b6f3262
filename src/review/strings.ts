import { type Lang, langOf, translator } from "../i18n/index.js";

/**
 * The words of the review page and summary (src/i18n/catalogues/review.ts), in the editor's language
 * (`ReviewResult.language`). Numbers and dates go through Intl in the same language.
 */
export type Status = "new" | "changed" | "unchanged" | "removed";

export interface ReviewStrings {
  lang: string;
  title: (name: string) => string;
  against: string;
  generated: string;
  status: Record<Status, string>;
  issue: string;
  statusHeading: string;
  pixels: string;
  size: string;
  lint: string;
  errorsWarnings: string;
  before: string;
  after: string;
  difference: string;
  variants: Record<string, string>;
  text: string;
  textSame: string;
  noBefore: string;
  noAfter: string;
  buildError: string;
  unchangedList: string;
  nothingChanged: string;
  draft: string;
  more: (n: number) => string;
  unchangedCount: (n: number) => string;
  footnote: string;
  totals: (counts: Record<Status, number>) => string;
}

const cache = new Map<Lang, ReviewStrings>();

/** The words in `language` (the catalogue `review`); English for a language we do not speak. */
export function reviewStrings(language: string): ReviewStrings {
  const lang = langOf(language) ?? "en";
  let strings = cache.get(lang);
  if (!strings) {
    const { t } = translator(lang);
    const w = (key: string) => t(`review:${key}`);
    strings = {
      lang,
      title: (name) => t("review:title", { name }),
      against: w("against"),
      generated: w("generated"),
      status: { new: w("status.new"), changed: w("status.changed"), unchanged: w("status.unchanged"), removed: w("status.removed") },
      issue: w("issue"),
      statusHeading: w("statusHeading"),
      pixels: w("pixels"),
      size: w("size"),
      lint: w("lint"),
      errorsWarnings: w("errorsWarnings"),
      before: w("before"),
      after: w("after"),
      difference: w("difference"),
      variants: { "600": w("variants.600"), "375": w("variants.375"), dark: w("variants.dark") },
      text: w("text"),
      textSame: w("textSame"),
      noBefore: w("noBefore"),
      noAfter: w("noAfter"),
      buildError: w("buildError"),
      unchangedList: w("unchangedList"),
      nothingChanged: w("nothingChanged"),
      draft: w("draft"),
      more: (count) => t("review:more", { count }),
      unchangedCount: (count) => t("review:unchangedCount", { count }),
      footnote: w("footnote"),
      totals: (c) => t("review:totals", { ...c }),
    };
    cache.set(lang, strings);
  }
  return strings;
}

/** A language tag Intl accepts: the newsletter's, or English when Intl does not know it. */
export function intlLanguage(language: string): string {
  try {
    return Intl.getCanonicalLocales(language)[0] ?? "en";
  } catch {
    return "en";
  }
}

/** "3,25 %" / "3.25%": a share of pixels; a share above zero never rounds to zero. */
export function formatShare(share: number, language: string): string {
  const digits = share > 0 && share < 0.0001 ? 4 : 2;
  const shown = share > 0 ? Math.max(share, 10 ** -(digits + 2)) : 0;
  return new Intl.NumberFormat(intlLanguage(language), { style: "percent", maximumFractionDigits: digits }).format(shown);
}

/** "28 ноября 2026 г., 14:05 UTC" */
export function formatTimestamp(date: Date, language: string): string {
  const format = new Intl.DateTimeFormat(intlLanguage(language), { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
  return `${format.format(date)} UTC`;
}

/** An issue's YYYY-MM-DD date, long form. */
export function formatIssueDate(iso: string, language: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLanguage(language), { dateStyle: "long", timeZone: "UTC" }).format(d);
}
