import type { Catalogue } from "./types.js";

/** `rassylka new`: its flags, what it prints and its errors (src/cli/new.ts). */
export const newIssue: Catalogue = {
  en: {
    "flag.title": "the issue's title (any language; the file name is transliterated)",
    "flag.date": "the issue's date (default: today)",
    created: "Created {{file}}",
    badDate: '--date "{{date}}" is not a real date written YYYY-MM-DD',
    "badDate.fix": "write it as YYYY-MM-DD, e.g. --date 2026-03-15, or leave it out for today",
    exists: "{{file}} already exists",
    "exists.fix": "pick another title or --date, or edit the existing issue",
  },
  ru: {
    "flag.title": "заголовок выпуска (на любом языке; имя файла пишется латиницей)",
    "flag.date": "дата выпуска (по умолчанию: сегодня)",
    created: "Создан {{file}}",
    badDate: "--date «{{date}}» — не дата в виде ГГГГ-ММ-ДД",
    "badDate.fix": "напишите дату в виде ГГГГ-ММ-ДД, например --date 2026-03-15, или не указывайте её: будет сегодняшняя",
    exists: "{{file}} уже есть",
    "exists.fix": "выберите другой заголовок или --date либо правьте уже созданный выпуск",
  },
  uk: {
    "flag.title": "заголовок випуску (будь-якою мовою; назва файлу пишеться латиницею)",
    "flag.date": "дата випуску (типово: сьогодні)",
    created: "Створено {{file}}",
    badDate: "--date «{{date}}» — не дата у вигляді РРРР-ММ-ДД",
    "badDate.fix": "напишіть дату у вигляді РРРР-ММ-ДД, наприклад --date 2026-03-15, або не вказуйте її: буде сьогоднішня",
    exists: "{{file}} уже існує",
    "exists.fix": "виберіть інший заголовок або --date чи правте вже створений випуск",
  },
};
