/**
 * The words of the review page and summary, in the newsletter's language (config `language`): Russian
 * for `ru`, English otherwise. Numbers and dates go through Intl in the same language.
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

const ru: ReviewStrings = {
  lang: "ru",
  title: (name) => `Изменения писем: «${name}»`,
  against: "Сравнение с",
  generated: "Собрано",
  status: { new: "новый", changed: "изменён", unchanged: "без изменений", removed: "удалён" },
  issue: "Выпуск",
  statusHeading: "Статус",
  pixels: "Изменено пикселей",
  size: "Размер",
  lint: "Ошибки / предупреждения",
  errorsWarnings: "ошибок / предупреждений",
  before: "До",
  after: "После",
  difference: "Разница",
  variants: { "600": "600 px", "375": "375 px (телефон)", dark: "Тёмная тема" },
  text: "Текстовая версия",
  textSame: "Текстовая версия не изменилась.",
  noBefore: "В базовой ветке этого выпуска нет.",
  noAfter: "Выпуск удалён в этой ветке.",
  buildError: "Не собирается",
  unchangedList: "Без изменений",
  nothingChanged: "Ни одно письмо не изменилось.",
  draft: "черновик",
  more: (n) => `…и ещё ${n}: см. страницу обзора в артефакте.`,
  unchangedCount: (n) => `Без изменений: ${n}.`,
  footnote: "Размер — закодированное письмо; Gmail обрезает письма больше",
  totals: (c) => `Изменено: ${c.changed}, новых: ${c.new}, удалено: ${c.removed}, без изменений: ${c.unchanged}.`,
};

const en: ReviewStrings = {
  lang: "en",
  title: (name) => `Email changes: “${name}”`,
  against: "Compared with",
  generated: "Generated",
  status: { new: "new", changed: "changed", unchanged: "unchanged", removed: "removed" },
  issue: "Issue",
  statusHeading: "Status",
  pixels: "Pixels changed",
  size: "Size",
  lint: "Errors / warnings",
  errorsWarnings: "errors / warnings",
  before: "Before",
  after: "After",
  difference: "Difference",
  variants: { "600": "600 px", "375": "375 px (phone)", dark: "Dark mode" },
  text: "Text part",
  textSame: "The text part did not change.",
  noBefore: "This issue is not on the base branch.",
  noAfter: "This branch removes the issue.",
  buildError: "Does not build",
  unchangedList: "Unchanged",
  nothingChanged: "No email changed.",
  draft: "draft",
  more: (n) => `…and ${n} more: see the review page in the artifact.`,
  unchangedCount: (n) => `Unchanged: ${n}.`,
  footnote: "Size is the encoded message; Gmail clips messages over",
  totals: (c) => `Changed: ${c.changed}, new: ${c.new}, removed: ${c.removed}, unchanged: ${c.unchanged}.`,
};

export function reviewStrings(language: string): ReviewStrings {
  return language.toLowerCase().startsWith("ru") ? ru : en;
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
