import type { Catalogue } from "./types.js";

/** `rassylka bounces import|fetch|list` (src/cli/bounces.ts): what was read and what it did. */
export const bounces: Catalogue = {
  en: {
    summary:
      "{{messages}} message(s): hard {{hard}} · soft {{soft}} · complained {{complained}} · not a bounce {{notBounce}} · unattributed {{unattributed}} · unverified {{unverified}} · already imported {{duplicates}}; {{suppressed}} reader(s) suppressed.",
    unverified: "{{what}}: {{email}} (issue {{issue}}, by {{via}}) — unverified, not applied",
    unverifiedHint_one:
      "{{count}} bounce names a reader without proving it came from our message (no valid VERP token, none of our Message-IDs): kept as unverified, nobody suppressed. See them with `rassylka bounces list --unverified`.",
    unverifiedHint_other:
      "{{count}} bounces name a reader without proving they came from our messages (no valid VERP token, none of our Message-IDs): kept as unverified, nobody suppressed. See them with `rassylka bounces list --unverified`.",
    unverifiedFix:
      "if you trust where they came from (your own mail server's bounces, not mail anyone can send you), apply them: rassylka bounces import --trust-unverified FILE…",
    noneUnverified: "No unverified bounces.",
    none: "No bounces recorded.",
  },
  ru: {
    summary:
      "Писем: {{messages}}: жёстких отказов {{hard}} · мягких {{soft}} · жалоб {{complained}} · не отказов {{notBounce}} · без читателя {{unattributed}} · неподтверждённых {{unverified}} · уже загруженных {{duplicates}}; отписано читателей: {{suppressed}}.",
    unverified: "{{what}}: {{email}} (выпуск {{issue}}, по {{via}}) — не подтверждён, не применён",
    unverifiedHint_one:
      "{{count}} отказ называет читателя, но не доказывает, что пришёл на наше письмо (нет верного VERP-токена и нашего Message-ID): сохранён как неподтверждённый, никто не отписан. Посмотреть: `rassylka bounces list --unverified`.",
    unverifiedHint_few:
      "{{count}} отказа называют читателей, но не доказывают, что пришли на наши письма (нет верного VERP-токена и нашего Message-ID): сохранены как неподтверждённые, никто не отписан. Посмотреть: `rassylka bounces list --unverified`.",
    unverifiedHint_many:
      "{{count}} отказов называют читателей, но не доказывают, что пришли на наши письма (нет верного VERP-токена и нашего Message-ID): сохранены как неподтверждённые, никто не отписан. Посмотреть: `rassylka bounces list --unverified`.",
    unverifiedHint_other:
      "{{count}} отказа называют читателей, но не доказывают, что пришли на наши письма (нет верного VERP-токена и нашего Message-ID): сохранены как неподтверждённые, никто не отписан. Посмотреть: `rassylka bounces list --unverified`.",
    unverifiedFix:
      "если вы доверяете их источнику (отказы вашего собственного почтового сервера, а не письма, которые может прислать кто угодно), примените их: rassylka bounces import --trust-unverified ФАЙЛ…",
    noneUnverified: "Неподтверждённых отказов нет.",
    none: "Отказов не записано.",
  },
  uk: {
    summary:
      "Листів: {{messages}}: жорстких відмов {{hard}} · м'яких {{soft}} · скарг {{complained}} · не відмов {{notBounce}} · без читача {{unattributed}} · непідтверджених {{unverified}} · уже завантажених {{duplicates}}; відписано читачів: {{suppressed}}.",
    unverified: "{{what}}: {{email}} (випуск {{issue}}, за {{via}}) — не підтверджено, не застосовано",
    unverifiedHint_one:
      "{{count}} відмова називає читача, але не доводить, що прийшла на наш лист (немає правильного VERP-токена й нашого Message-ID): збережено як непідтверджену, нікого не відписано. Переглянути: `rassylka bounces list --unverified`.",
    unverifiedHint_few:
      "{{count}} відмови називають читачів, але не доводять, що прийшли на наші листи (немає правильного VERP-токена й нашого Message-ID): збережено як непідтверджені, нікого не відписано. Переглянути: `rassylka bounces list --unverified`.",
    unverifiedHint_many:
      "{{count}} відмов називають читачів, але не доводять, що прийшли на наші листи (немає правильного VERP-токена й нашого Message-ID): збережено як непідтверджені, нікого не відписано. Переглянути: `rassylka bounces list --unverified`.",
    unverifiedHint_other:
      "{{count}} відмови називають читачів, але не доводять, що прийшли на наші листи (немає правильного VERP-токена й нашого Message-ID): збережено як непідтверджені, нікого не відписано. Переглянути: `rassylka bounces list --unverified`.",
    unverifiedFix:
      "якщо ви довіряєте їхньому джерелу (відмови вашого власного поштового сервера, а не листи, які може надіслати будь-хто), застосуйте їх: rassylka bounces import --trust-unverified ФАЙЛ…",
    noneUnverified: "Непідтверджених відмов немає.",
    none: "Відмов не записано.",
  },
};
