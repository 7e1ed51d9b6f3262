import type { Catalogue } from "./types.js";

/**
 * `rassylka init`: the new newsletter's own words (its config, its example issue) in the language chosen
 * with `--language`, and what the command prints. The example is nobody's newsletter in particular.
 */
export const init: Catalogue = {
  en: {
    configHeader: "Settings of the newsletter. Secrets (SMTP password, RASSYLKA_SECRET) live in .env, never here.",
    placeholder: "CHANGE ME: a placeholder; `rassylka lint` warns until it is replaced",
    urlComment: "the public address of the web archive; the unsubscribe endpoint is under it",
    name: "Our newsletter",
    description: "Short letters about what is new with us.",
    fromName: "The editors",
    author: "The editors",
    eventsComment: "events to announce under an issue: a list of date, title, optional url, place, time",
    issueTitle: "Our first issue",
    issuePreheader: "What this newsletter is about and how often it comes.",
    greetingNamed: "Hello, {{name}}!",
    greeting: "Hello!",
    body1:
      "This is the first issue of our newsletter. We will write when there is something worth your time: news, notes and the occasional longer story.",
    body2: "A few things to know:",
    item1: "each issue is short enough to read over a cup of tea;",
    item2: "every email has a link to its web version and a one-click unsubscribe;",
    item3: "a reply to this email reaches the editors.",
    body3: "Thank you for reading.",
    listsReadme:
      "Readers' lists (CSV files for `send --to` and `subscribers import`) go in this folder. They hold personal data: .gitignore keeps everything here except this note out of git, and nothing here is ever published.",
    created: "Created in {{dir}}: {{files}}",
    secret:
      "A fresh RASSYLKA_SECRET is in {{file}}: back it up (without it every unsubscribe link already sent stops working); never commit it.",
    next: "Next: cd {{dir}} && npx rassylka build",
    kept: "Kept the existing {{files}}",
  },
  ru: {
    configHeader: "Настройки рассылки. Секреты (пароль SMTP, RASSYLKA_SECRET) хранятся в .env, а не здесь.",
    placeholder: "ЗАМЕНИТЕ: это заглушка, `rassylka lint` предупреждает, пока она здесь",
    urlComment: "публичный адрес веб-архива; адрес отписки находится под ним",
    name: "Наша рассылка",
    description: "Короткие письма о том, что у нас нового.",
    fromName: "Редакция",
    author: "Редакция",
    eventsComment: "события для анонса под выпуском: список из date, title и необязательных url, place, time",
    issueTitle: "Первый выпуск",
    issuePreheader: "О чём эта рассылка и как часто она выходит.",
    greetingNamed: "{{name}}, здравствуйте!",
    greeting: "Здравствуйте!",
    body1: "Это первый выпуск нашей рассылки. Мы будем писать, когда есть что сказать: новости, заметки и иногда истории подлиннее.",
    body2: "Коротко о главном:",
    item1: "каждый выпуск можно прочитать за чашкой чая;",
    item2: "в каждом письме есть ссылка на веб-версию и отписка в один клик;",
    item3: "ответ на это письмо придёт в редакцию.",
    body3: "Спасибо, что читаете.",
    listsReadme:
      "Сюда кладите списки читателей (CSV-файлы для `send --to` и `subscribers import`). В них персональные данные: .gitignore не пускает в git ничего из этой папки, кроме этой заметки, и ничего отсюда не публикуется.",
    created: "Создано в {{dir}}: {{files}}",
    secret:
      "Новый RASSYLKA_SECRET записан в {{file}}: сохраните его копию (без него перестанут работать ссылки отписки во всех отправленных письмах) и никогда не добавляйте в git.",
    next: "Дальше: cd {{dir}} && npx rassylka build",
    kept: "Оставлены как были: {{files}}",
  },
  uk: {
    configHeader: "Налаштування розсилки. Секрети (пароль SMTP, RASSYLKA_SECRET) зберігаються в .env, а не тут.",
    placeholder: "ЗАМІНІТЬ: це заглушка, `rassylka lint` попереджає, доки вона тут",
    urlComment: "публічна адреса веб-архіву; адреса відписки розташована під нею",
    name: "Наша розсилка",
    description: "Короткі листи про те, що в нас нового.",
    fromName: "Редакція",
    author: "Редакція",
    eventsComment: "події для анонсу під випуском: список із date, title та необов'язкових url, place, time",
    issueTitle: "Перший випуск",
    issuePreheader: "Про що ця розсилка і як часто вона виходить.",
    greetingNamed: "{{name}}, вітаємо!",
    greeting: "Вітаємо!",
    body1: "Це перший випуск нашої розсилки. Ми писатимемо, коли є що сказати: новини, нотатки й часом довші історії.",
    body2: "Коротко про головне:",
    item1: "кожен випуск можна прочитати за чашкою чаю;",
    item2: "у кожному листі є посилання на веб-версію та відписка в один клік;",
    item3: "відповідь на цей лист надійде до редакції.",
    body3: "Дякуємо, що читаєте.",
    listsReadme:
      "Сюди кладіть списки читачів (CSV-файли для `send --to` і `subscribers import`). У них персональні дані: .gitignore не пускає в git нічого з цієї теки, крім цієї нотатки, і нічого звідси не публікується.",
    created: "Створено в {{dir}}: {{files}}",
    secret:
      "Новий RASSYLKA_SECRET записано в {{file}}: збережіть його копію (без нього перестануть працювати посилання відписки в усіх надісланих листах) і ніколи не додавайте в git.",
    next: "Далі: cd {{dir}} && npx rassylka build",
    kept: "Залишено як було: {{files}}",
  },
};
