import type { Catalogue } from "./types.js";

/**
 * The subscribe flow readers see, in the newsletter's language: the form, the pages `serve` answers and
 * the confirmation email. Read through `pageStrings(language).subscribe` (src/i18n/pages.ts).
 */
export const subscribe: Catalogue = {
  en: {
    formTitle: "Subscribe to the newsletter",
    emailLabel: "Email address",
    nameLabel: "Name (optional)",
    subscribeButton: "Subscribe",
    honeypotLabel: "Leave this field empty",
    "errors.email": "Please check the email address: it has a mistake.",
    "errors.consent": "To subscribe, please tick the consent box.",
    "errors.tooLong": "This value is too long.",
    "errors.tooFast": "The form was sent too quickly. Please check it and press “Subscribe” again.",
    "errors.stale": "This page is out of date. Please check the form and press “Subscribe” again.",
    checkMailTitle: "Check your inbox",
    checkMail_one:
      "If the address is right, it will get an email with a link to confirm your subscription to “{{name}}”. The link works for {{count}} day. Nothing is sent until you confirm.",
    checkMail_other:
      "If the address is right, it will get an email with a link to confirm your subscription to “{{name}}”. The link works for {{count}} days. Nothing is sent until you confirm.",
    limited: "Too many subscription requests. Please try again later.",
    unavailable: "Subscribing is not available right now. Please try again later.",
    confirmTitle: "Subscribe to “{{name}}”",
    confirmQuestion: "Confirm the subscription of {{email}} to “{{name}}”.",
    confirmButton: "Confirm subscription",
    confirmed: "Done: you are subscribed to “{{name}}”. The next issue will come to your inbox.",
    expired: "This link has expired. Please subscribe again and we will send a new one.",
    invalidLink: "This confirmation link is damaged or no longer valid. Nothing was changed.",
    subscribeAgain: "Subscribe again",
    emailSubject: "Confirm your subscription to “{{name}}”",
    emailBody:
      "Hello! Someone — we hope it was you — asked to subscribe {{email}} to “{{name}}”. To confirm, open the link and press “Confirm subscription”:",
    emailLinkText: "Confirm subscription",
    emailFooter_one: "The link works for {{count}} day. If you did not ask for this, do nothing: without confirmation we send you nothing.",
    emailFooter_other:
      "The link works for {{count}} days. If you did not ask for this, do nothing: without confirmation we send you nothing.",
  },
  ru: {
    formTitle: "Подписаться на рассылку",
    emailLabel: "Адрес электронной почты",
    nameLabel: "Имя (необязательно)",
    subscribeButton: "Подписаться",
    honeypotLabel: "Не заполняйте это поле",
    "errors.email": "Проверьте адрес электронной почты: в нём ошибка.",
    "errors.consent": "Чтобы подписаться, поставьте отметку о согласии.",
    "errors.tooLong": "Слишком длинное значение.",
    "errors.tooFast": "Форма отправлена слишком быстро. Проверьте данные и нажмите «Подписаться» ещё раз.",
    "errors.stale": "Страница устарела. Проверьте данные и нажмите «Подписаться» ещё раз.",
    checkMailTitle: "Проверьте почту",
    checkMail_one:
      "Если адрес указан верно, на него придёт письмо со ссылкой для подтверждения подписки на рассылку «{{name}}». Ссылка действует {{count}} день. Без подтверждения выпуски не приходят.",
    checkMail_few:
      "Если адрес указан верно, на него придёт письмо со ссылкой для подтверждения подписки на рассылку «{{name}}». Ссылка действует {{count}} дня. Без подтверждения выпуски не приходят.",
    checkMail_many:
      "Если адрес указан верно, на него придёт письмо со ссылкой для подтверждения подписки на рассылку «{{name}}». Ссылка действует {{count}} дней. Без подтверждения выпуски не приходят.",
    checkMail_other:
      "Если адрес указан верно, на него придёт письмо со ссылкой для подтверждения подписки на рассылку «{{name}}». Ссылка действует {{count}} дня. Без подтверждения выпуски не приходят.",
    limited: "Слишком много запросов на подписку. Попробуйте позже.",
    unavailable: "Подписка сейчас недоступна. Попробуйте позже.",
    confirmTitle: "Подписка на рассылку «{{name}}»",
    confirmQuestion: "Подтвердите подписку адреса {{email}} на рассылку «{{name}}».",
    confirmButton: "Подтвердить подписку",
    confirmed: "Готово: вы подписаны на рассылку «{{name}}». Следующий выпуск придёт на ваш адрес.",
    expired: "Срок действия ссылки истёк. Подпишитесь ещё раз — мы пришлём новую.",
    invalidLink: "Ссылка для подтверждения повреждена или уже не действует. Ничего не изменилось.",
    subscribeAgain: "Подписаться ещё раз",
    emailSubject: "Подтвердите подписку на рассылку «{{name}}»",
    emailBody:
      "Здравствуйте! Кто-то — надеемся, вы — попросил подписать адрес {{email}} на рассылку «{{name}}». Чтобы подтвердить подписку, откройте ссылку и нажмите кнопку «Подтвердить подписку»:",
    emailLinkText: "Подтвердить подписку",
    emailFooter_one:
      "Ссылка действует {{count}} день. Если вы не подписывались, ничего не делайте: без подтверждения мы не пришлём вам ни одного выпуска.",
    emailFooter_few:
      "Ссылка действует {{count}} дня. Если вы не подписывались, ничего не делайте: без подтверждения мы не пришлём вам ни одного выпуска.",
    emailFooter_many:
      "Ссылка действует {{count}} дней. Если вы не подписывались, ничего не делайте: без подтверждения мы не пришлём вам ни одного выпуска.",
    emailFooter_other:
      "Ссылка действует {{count}} дня. Если вы не подписывались, ничего не делайте: без подтверждения мы не пришлём вам ни одного выпуска.",
  },
  uk: {
    formTitle: "Підписатися на розсилку",
    emailLabel: "Адреса електронної пошти",
    nameLabel: "Ім'я (необов'язково)",
    subscribeButton: "Підписатися",
    honeypotLabel: "Не заповнюйте це поле",
    "errors.email": "Перевірте адресу електронної пошти: у ній помилка.",
    "errors.consent": "Щоб підписатися, поставте позначку про згоду.",
    "errors.tooLong": "Занадто довге значення.",
    "errors.tooFast": "Форму надіслано занадто швидко. Перевірте дані й натисніть «Підписатися» ще раз.",
    "errors.stale": "Сторінка застаріла. Перевірте дані й натисніть «Підписатися» ще раз.",
    checkMailTitle: "Перевірте пошту",
    checkMail_one:
      "Якщо адресу вказано правильно, на неї надійде лист із посиланням для підтвердження підписки на розсилку «{{name}}». Посилання діє {{count}} день. Без підтвердження випуски не надходять.",
    checkMail_few:
      "Якщо адресу вказано правильно, на неї надійде лист із посиланням для підтвердження підписки на розсилку «{{name}}». Посилання діє {{count}} дні. Без підтвердження випуски не надходять.",
    checkMail_many:
      "Якщо адресу вказано правильно, на неї надійде лист із посиланням для підтвердження підписки на розсилку «{{name}}». Посилання діє {{count}} днів. Без підтвердження випуски не надходять.",
    checkMail_other:
      "Якщо адресу вказано правильно, на неї надійде лист із посиланням для підтвердження підписки на розсилку «{{name}}». Посилання діє {{count}} дня. Без підтвердження випуски не надходять.",
    limited: "Забагато запитів на підписку. Спробуйте пізніше.",
    unavailable: "Підписка зараз недоступна. Спробуйте пізніше.",
    confirmTitle: "Підписка на розсилку «{{name}}»",
    confirmQuestion: "Підтвердьте підписку адреси {{email}} на розсилку «{{name}}».",
    confirmButton: "Підтвердити підписку",
    confirmed: "Готово: ви підписані на розсилку «{{name}}». Наступний випуск надійде на вашу адресу.",
    expired: "Термін дії посилання минув. Підпишіться ще раз — ми надішлемо нове.",
    invalidLink: "Посилання для підтвердження пошкоджене або вже не діє. Нічого не змінилося.",
    subscribeAgain: "Підписатися ще раз",
    emailSubject: "Підтвердьте підписку на розсилку «{{name}}»",
    emailBody:
      "Вітаємо! Хтось — сподіваємося, ви — попросив підписати адресу {{email}} на розсилку «{{name}}». Щоб підтвердити підписку, відкрийте посилання й натисніть «Підтвердити підписку»:",
    emailLinkText: "Підтвердити підписку",
    emailFooter_one:
      "Посилання діє {{count}} день. Якщо ви не підписувалися, нічого не робіть: без підтвердження ми не надішлемо жодного випуску.",
    emailFooter_few:
      "Посилання діє {{count}} дні. Якщо ви не підписувалися, нічого не робіть: без підтвердження ми не надішлемо жодного випуску.",
    emailFooter_many:
      "Посилання діє {{count}} днів. Якщо ви не підписувалися, нічого не робіть: без підтвердження ми не надішлемо жодного випуску.",
    emailFooter_other:
      "Посилання діє {{count}} дня. Якщо ви не підписувалися, нічого не робіть: без підтвердження ми не надішлемо жодного випуску.",
  },
};
