import { formatDate } from "../render/events.js";

/**
 * The words of the archive, the web versions' nav bar and the unsubscribe pages, in the newsletter's
 * language (config `language`). Unknown languages fall back to English; dates always go through Intl.
 */
export interface PublishStrings {
  allIssues: string;
  noIssues: string;
  feed: string;
  previous: string;
  next: string;
  draft: string;
  unsubscribeTitle: (name: string) => string;
  unsubscribeQuestion: (email: string, name: string) => string;
  unsubscribeButton: string;
  unsubscribed: (email: string, name: string) => string;
  badLink: string;
  writeTo: string;
  unavailable: string;
}

const ru: PublishStrings = {
  allIssues: "Все выпуски",
  noIssues: "Выпусков пока нет.",
  feed: "Лента (Atom)",
  previous: "Предыдущий выпуск",
  next: "Следующий выпуск",
  draft: "Черновик",
  unsubscribeTitle: (name) => `Отписка от рассылки «${name}»`,
  unsubscribeQuestion: (email, name) => `Отписать адрес ${email} от рассылки «${name}»?`,
  unsubscribeButton: "Отписаться",
  unsubscribed: (email, name) => `Готово: адрес ${email} больше не будет получать рассылку «${name}».`,
  badLink: "Ссылка для отписки повреждена или не от этой рассылки. Ничего не изменилось.",
  writeTo: "Чтобы отписаться, напишите на адрес",
  unavailable: "Отписка по ссылке сейчас недоступна. Попробуйте позже.",
};

const en: PublishStrings = {
  allIssues: "All issues",
  noIssues: "No issues yet.",
  feed: "Feed (Atom)",
  previous: "Previous issue",
  next: "Next issue",
  draft: "Draft",
  unsubscribeTitle: (name) => `Unsubscribe from “${name}”`,
  unsubscribeQuestion: (email, name) => `Unsubscribe ${email} from “${name}”?`,
  unsubscribeButton: "Unsubscribe",
  unsubscribed: (email, name) => `Done: ${email} will no longer receive “${name}”.`,
  badLink: "This unsubscribe link is damaged or belongs to another newsletter. Nothing was changed.",
  writeTo: "To unsubscribe, write to",
  unavailable: "Unsubscribing by link is not available right now. Please try again later.",
};

const uk: PublishStrings = {
  allIssues: "Усі випуски",
  noIssues: "Випусків поки немає.",
  feed: "Стрічка (Atom)",
  previous: "Попередній випуск",
  next: "Наступний випуск",
  draft: "Чернетка",
  unsubscribeTitle: (name) => `Відписка від розсилки «${name}»`,
  unsubscribeQuestion: (email, name) => `Відписати адресу ${email} від розсилки «${name}»?`,
  unsubscribeButton: "Відписатися",
  unsubscribed: (email, name) => `Готово: адреса ${email} більше не отримуватиме розсилку «${name}».`,
  badLink: "Посилання для відписки пошкоджене або не від цієї розсилки. Нічого не змінилося.",
  writeTo: "Щоб відписатися, напишіть на адресу",
  unavailable: "Відписка за посиланням зараз недоступна. Спробуйте пізніше.",
};

const TABLE: Record<string, PublishStrings> = { ru, en, uk };

export function publishStrings(language: string): PublishStrings {
  return TABLE[language.toLowerCase().split(/[-_]/)[0]] ?? en;
}

/** "24 ноября 2026 г." — and never a crash on a language tag Intl does not know. */
export function issueDate(iso: string, language: string): string {
  try {
    return formatDate(iso, language, { withYear: true });
  } catch {
    return iso;
  }
}

/** A valid BCP 47 tag for `lang=` / `xml:lang=`, or "und". */
export function languageTag(language: string): string {
  try {
    return Intl.getCanonicalLocales(language)[0] ?? "und";
  } catch {
    return "und";
  }
}
