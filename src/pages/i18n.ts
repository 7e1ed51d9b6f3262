import { formatDate } from "../render/events.js";
import { enSubscribe, ruSubscribe, type SubscribeStrings, ukSubscribe } from "./subscribe.js";

/**
 * The one table of page words: the archive and the web versions' nav bar, the pages `serve` answers
 * (unsubscribe, errors) and the editors' preview, in the newsletter's language (config `language`).
 * Russian first; unknown languages fall back to English. Dates always go through Intl in the same
 * language (`issueDate`). The review page keeps its own words next to it (src/review/strings.ts).
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
  /** serve: the subscribe form, its pages and the confirmation email (src/pages/subscribe.ts). */
  subscribe: SubscribeStrings;
}

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

const ru: PageStrings = {
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
  howTo: (name) =>
    `Чтобы отписаться от рассылки «${name}», откройте любое её письмо и нажмите «Отписаться» внизу: ссылка в письме — личная, она знает ваш адрес. Почтовые программы показывают и свою кнопку «Отписаться» рядом с отправителем.`,
  backToArchive: "← Все выпуски",
  errors: {
    400: "Запрос повреждён: проверьте адрес страницы.",
    403: "Доступ запрещён.",
    404: "Такой страницы нет.",
    405: "Этот адрес так не открывают.",
    413: "Запрос слишком большой.",
    500: "Что-то сломалось на сервере. Попробуйте позже.",
  },
  errorTitle: (status) => `Ошибка ${status}`,
  preview: {
    issues: "Выпуски",
    all: "← Все выпуски",
    draft: "черновик",
    buildFailed: "не собирается",
    errors: "ошибок",
    warnings: "предупреждений",
    date: "Дата",
    subject: "Тема",
    size: "Размер",
    lint: "Проверка",
    email: "Письмо",
    text: "Текст",
    source: "Исходник",
    findings: "Замечания",
    none: "Замечаний нет.",
    reader: "Подписчик",
    noReader: "без подписчика (веб-версия)",
    noIssues: 'В папке issues/ нет выпусков. Создайте первый: rassylka new "Заголовок".',
    buildError: "Ошибка сборки",
    projectError: "Ошибка в настройках или шаблонах",
    lastGood: "Последняя удачная сборка",
    of: "из",
    clipped: "Gmail обрежет письмо",
    close: "близко к пределу Gmail",
    preheader: "Прехедер",
    notFound: "Такого выпуска нет.",
    doesNotBuild: "Выпуск не собирается.",
  },
  subscribe: ruSubscribe,
};

const en: PageStrings = {
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
  howTo: (name) =>
    `To unsubscribe from “${name}”, open any of its emails and click “Unsubscribe” at the bottom: the link in the email is personal, it knows your address. Mail apps also show their own “Unsubscribe” button next to the sender.`,
  backToArchive: "← All issues",
  errors: {
    400: "Bad request: check the page's address.",
    403: "Forbidden.",
    404: "There is no such page.",
    405: "This address is not opened this way.",
    413: "The request is too large.",
    500: "Something broke on the server. Please try again later.",
  },
  errorTitle: (status) => `Error ${status}`,
  preview: {
    issues: "Issues",
    all: "← All issues",
    draft: "draft",
    buildFailed: "does not build",
    errors: "errors",
    warnings: "warnings",
    date: "Date",
    subject: "Subject",
    size: "Size",
    lint: "Lint",
    email: "Email",
    text: "Text",
    source: "Source",
    findings: "Findings",
    none: "No findings.",
    reader: "Subscriber",
    noReader: "no subscriber (web version)",
    noIssues: 'No issues in issues/. Write the first one: rassylka new "Title".',
    buildError: "Build error",
    projectError: "Error in the settings or templates",
    lastGood: "Last good build",
    of: "of",
    clipped: "Gmail will clip this message",
    close: "close to Gmail's limit",
    preheader: "Preheader",
    notFound: "No such issue.",
    doesNotBuild: "The issue does not build.",
  },
  subscribe: enSubscribe,
};

const uk: PageStrings = {
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
  howTo: (name) =>
    `Щоб відписатися від розсилки «${name}», відкрийте будь-який її лист і натисніть «Відписатися» внизу: посилання в листі особисте, воно знає вашу адресу. Поштові програми показують і свою кнопку «Відписатися» поруч із відправником.`,
  backToArchive: "← Усі випуски",
  errors: {
    400: "Запит пошкоджений: перевірте адресу сторінки.",
    403: "Доступ заборонено.",
    404: "Такої сторінки немає.",
    405: "Цю адресу так не відкривають.",
    413: "Запит завеликий.",
    500: "Щось зламалося на сервері. Спробуйте пізніше.",
  },
  errorTitle: (status) => `Помилка ${status}`,
  // the preview is the editors' tool: its labels stay English for a Ukrainian newsletter, as before
  preview: en.preview,
  subscribe: ukSubscribe,
};

const TABLE: Record<string, PageStrings> = { ru, en, uk };

export function pageStrings(language: string): PageStrings {
  return TABLE[language.toLowerCase().split(/[-_]/)[0]] ?? en;
}

/** The error statuses with words of their own; anything else reads as the nearest (4xx → 400, 5xx → 500). */
export function errorStatus(status: number): ErrorStatus {
  return ([400, 403, 404, 405, 413, 500] as const).find((s) => s === status) ?? (status >= 500 ? 500 : 400);
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
