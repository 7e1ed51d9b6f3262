import type { Catalogue } from "./types.js";

/**
 * The words the email templates print around the newsletter's own texts (`newsletter.words.*` in a
 * template), in the newsletter's `language`: a new newsletter reads right in Russian, English or Ukrainian
 * without editing its templates. The events heading is `eventsHeading` in newsletter.yaml, this its default.
 */
export const emailWords: Catalogue = {
  en: {
    viewInBrowser: "View in browser",
    allIssues: "All issues",
    regards: "Best regards,",
    eventsHeading: "Coming up:",
    phone: "Phone: {{phone}}",
    forum: "Forum",
    site: "Website",
    reason: "You are getting this email because you subscribed to “{{name}}”.",
    unsubscribe: "Unsubscribe",
    manageSubscription: "Manage subscription",
    openQuote: "“",
    closeQuote: "”",
  },
  ru: {
    viewInBrowser: "Открыть в браузере",
    allIssues: "Все выпуски",
    regards: "С уважением,",
    eventsHeading: "Ближайшие события:",
    phone: "Телефон: {{phone}}",
    forum: "Форум",
    site: "Сайт",
    reason: "Вы получили это письмо, потому что подписались на рассылку «{{name}}».",
    unsubscribe: "Отписаться",
    manageSubscription: "Настроить подписку",
    openQuote: "«",
    closeQuote: "»",
  },
  uk: {
    viewInBrowser: "Відкрити в браузері",
    allIssues: "Усі випуски",
    regards: "З повагою,",
    eventsHeading: "Найближчі події:",
    phone: "Телефон: {{phone}}",
    forum: "Форум",
    site: "Сайт",
    reason: "Ви отримали цей лист, бо підписалися на розсилку «{{name}}».",
    unsubscribe: "Відписатися",
    manageSubscription: "Налаштувати підписку",
    openQuote: "«",
    closeQuote: "»",
  },
};
