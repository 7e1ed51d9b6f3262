/**
 * Part of the one table of page words (src/pages/i18n.ts `pageStrings(language).subscribe`): the words of the subscribe flow — the form, the pages `serve` answers and the confirmation email — in
 * the newsletter's language (config `language`), Russian first; unknown languages fall back to English.
 */
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

export const ruSubscribe: SubscribeStrings = {
  formTitle: "Подписаться на рассылку",
  emailLabel: "Адрес электронной почты",
  nameLabel: "Имя (необязательно)",
  subscribeButton: "Подписаться",
  honeypotLabel: "Не заполняйте это поле",
  errors: {
    email: "Проверьте адрес электронной почты: в нём ошибка.",
    consent: "Чтобы подписаться, поставьте отметку о согласии.",
    tooLong: "Слишком длинное значение.",
    tooFast: "Форма отправлена слишком быстро. Проверьте данные и нажмите «Подписаться» ещё раз.",
    stale: "Страница устарела. Проверьте данные и нажмите «Подписаться» ещё раз.",
  },
  checkMailTitle: "Проверьте почту",
  checkMail: (name, days) =>
    `Если адрес указан верно, на него придёт письмо со ссылкой для подтверждения подписки на рассылку «${name}». Ссылка действует ${days} дня. Без подтверждения выпуски не приходят.`,
  limited: "Слишком много запросов на подписку. Попробуйте позже.",
  unavailable: "Подписка сейчас недоступна. Попробуйте позже.",
  confirmTitle: (name) => `Подписка на рассылку «${name}»`,
  confirmQuestion: (email, name) => `Подтвердите подписку адреса ${email} на рассылку «${name}».`,
  confirmButton: "Подтвердить подписку",
  confirmed: (name) => `Готово: вы подписаны на рассылку «${name}». Следующий выпуск придёт на ваш адрес.`,
  expired: "Срок действия ссылки истёк. Подпишитесь ещё раз — мы пришлём новую.",
  invalidLink: "Ссылка для подтверждения повреждена или уже не действует. Ничего не изменилось.",
  subscribeAgain: "Подписаться ещё раз",
  emailSubject: (name) => `Подтвердите подписку на рассылку «${name}»`,
  emailBody: (email, name) =>
    `Здравствуйте! Кто-то — надеемся, вы — попросил подписать адрес ${email} на рассылку «${name}». Чтобы подтвердить подписку, откройте ссылку и нажмите кнопку «Подтвердить подписку»:`,
  emailLinkText: "Подтвердить подписку",
  emailFooter: (days) =>
    `Ссылка действует ${days} дня. Если вы не подписывались, ничего не делайте: без подтверждения мы не пришлём вам ни одного выпуска.`,
};

export const enSubscribe: SubscribeStrings = {
  formTitle: "Subscribe to the newsletter",
  emailLabel: "Email address",
  nameLabel: "Name (optional)",
  subscribeButton: "Subscribe",
  honeypotLabel: "Leave this field empty",
  errors: {
    email: "Please check the email address: it has a mistake.",
    consent: "To subscribe, please tick the consent box.",
    tooLong: "This value is too long.",
    tooFast: "The form was sent too quickly. Please check it and press “Subscribe” again.",
    stale: "This page is out of date. Please check the form and press “Subscribe” again.",
  },
  checkMailTitle: "Check your inbox",
  checkMail: (name, days) =>
    `If the address is right, it will get an email with a link to confirm your subscription to “${name}”. The link works for ${days} days. Nothing is sent until you confirm.`,
  limited: "Too many subscription requests. Please try again later.",
  unavailable: "Subscribing is not available right now. Please try again later.",
  confirmTitle: (name) => `Subscribe to “${name}”`,
  confirmQuestion: (email, name) => `Confirm the subscription of ${email} to “${name}”.`,
  confirmButton: "Confirm subscription",
  confirmed: (name) => `Done: you are subscribed to “${name}”. The next issue will come to your inbox.`,
  expired: "This link has expired. Please subscribe again and we will send a new one.",
  invalidLink: "This confirmation link is damaged or no longer valid. Nothing was changed.",
  subscribeAgain: "Subscribe again",
  emailSubject: (name) => `Confirm your subscription to “${name}”`,
  emailBody: (email, name) =>
    `Hello! Someone — we hope it was you — asked to subscribe ${email} to “${name}”. To confirm, open the link and press “Confirm subscription”:`,
  emailLinkText: "Confirm subscription",
  emailFooter: (days) =>
    `The link works for ${days} days. If you did not ask for this, do nothing: without confirmation we send you nothing.`,
};

export const ukSubscribe: SubscribeStrings = {
  formTitle: "Підписатися на розсилку",
  emailLabel: "Адреса електронної пошти",
  nameLabel: "Ім'я (необов'язково)",
  subscribeButton: "Підписатися",
  honeypotLabel: "Не заповнюйте це поле",
  errors: {
    email: "Перевірте адресу електронної пошти: у ній помилка.",
    consent: "Щоб підписатися, поставте позначку про згоду.",
    tooLong: "Занадто довге значення.",
    tooFast: "Форму надіслано занадто швидко. Перевірте дані й натисніть «Підписатися» ще раз.",
    stale: "Сторінка застаріла. Перевірте дані й натисніть «Підписатися» ще раз.",
  },
  checkMailTitle: "Перевірте пошту",
  checkMail: (name, days) =>
    `Якщо адресу вказано правильно, на неї надійде лист із посиланням для підтвердження підписки на розсилку «${name}». Посилання діє ${days} дні. Без підтвердження випуски не надходять.`,
  limited: "Забагато запитів на підписку. Спробуйте пізніше.",
  unavailable: "Підписка зараз недоступна. Спробуйте пізніше.",
  confirmTitle: (name) => `Підписка на розсилку «${name}»`,
  confirmQuestion: (email, name) => `Підтвердьте підписку адреси ${email} на розсилку «${name}».`,
  confirmButton: "Підтвердити підписку",
  confirmed: (name) => `Готово: ви підписані на розсилку «${name}». Наступний випуск надійде на вашу адресу.`,
  expired: "Термін дії посилання минув. Підпишіться ще раз — ми надішлемо нове.",
  invalidLink: "Посилання для підтвердження пошкоджене або вже не діє. Нічого не змінилося.",
  subscribeAgain: "Підписатися ще раз",
  emailSubject: (name) => `Підтвердьте підписку на розсилку «${name}»`,
  emailBody: (email, name) =>
    `Вітаємо! Хтось — сподіваємося, ви — попросив підписати адресу ${email} на розсилку «${name}». Щоб підтвердити підписку, відкрийте посилання й натисніть «Підтвердити підписку»:`,
  emailLinkText: "Підтвердити підписку",
  emailFooter: (days) =>
    `Посилання діє ${days} дні. Якщо ви не підписувалися, нічого не робіть: без підтвердження ми не надішлемо жодного випуску.`,
};
