import type { Catalogue } from "./types.js";

/**
 * Hostile or broken input in an issue, each with its line and fix: a file that cannot be read as text,
 * HTML nested too deeply (src/issue/text.ts, src/compile/compile.ts), a formatDate without a date and a
 * partial chosen by an expression that names none (src/render/checks/format-date.ts).
 */
export const issueText: Catalogue = {
  en: {
    tooBig: "the email's HTML is {{size}} MB, more than the {{max}} MB its text part is made from: no mail server takes a message this big",
    "tooBig.fix":
      "shorten the issue: put long material on the web (a link to it) instead of in the email; Gmail shows only the first 102 KB anyway",
    formatDate: "formatDate takes one date (YYYY-MM-DD), not {{got}}",
    "formatDate.fix": "write {{example}}, or a field that holds a date: {{field}}",
    notADate: 'formatDate was given "{{value}}", which is not a date (YYYY-MM-DD)',
    dynamicPartial: "the partial chosen on this line by an expression does not exist: {{error}}",
    "dynamicPartial.fix":
      "name the partial directly ({{example}}), or make sure the expression gives the name of a file in templates/partials/",
    utf16: "the file is UTF-16 text (Windows' “Unicode”), not UTF-8",
    "utf16.fix": "save it as UTF-8 (in the editor: Save with Encoding → UTF-8; or iconv -f UTF-16 -t UTF-8 {{file}})",
    notUtf8: "this line is not UTF-8 (the file looks saved as Latin-1 or windows-1251): its letters would come out as �",
    "notUtf8.fix": "save the file as UTF-8 (in the editor: Save with Encoding → UTF-8; or iconv -f windows-1251 -t UTF-8 {{file}})",
    nul: "this line holds a NUL byte (\\0): the file is binary or was damaged by a copy",
    "nul.fix": "delete the invisible character on this line (or retype the line); if the whole file is garbled, restore it from git",
    crOnly: "the file's lines end in CR alone (old Mac line endings): it reads as one long line",
    "crOnly.fix": "save it with LF (Unix) or CRLF (Windows) line endings, e.g. tr '\\r' '\\n' < {{file}} > fixed.md",
    tooDeep: "the HTML nests {{depth}} tags deep (deepest on this line): more than the build can follow",
    "tooDeep.fix": "flatten the HTML around this line: an email needs a few levels, and mail clients give up long before {{depth}}",
  },
  ru: {
    tooBig:
      "HTML письма весит {{size}} МБ, больше {{max}} МБ, из которых делается его текстовая часть: такое письмо не примет ни один почтовый сервер",
    "tooBig.fix": "сократите выпуск: длинные материалы выложите на сайт и дайте ссылку; Gmail всё равно показывает только первые 102 КБ",
    formatDate: "formatDate принимает одну дату (ГГГГ-ММ-ДД), а не {{got}}",
    "formatDate.fix": "напишите {{example}} или поле, в котором дата: {{field}}",
    notADate: "formatDate получил «{{value}}», а это не дата (ГГГГ-ММ-ДД)",
    dynamicPartial: "фрагмента (partial), выбранного выражением в этой строке, нет: {{error}}",
    "dynamicPartial.fix": "назовите фрагмент прямо ({{example}}) или проверьте, что выражение даёт имя файла из templates/partials/",
    utf16: "файл в кодировке UTF-16 («Юникод» Windows), а не UTF-8",
    "utf16.fix": "сохраните его в UTF-8 (в редакторе: «Сохранить в кодировке» → UTF-8; или iconv -f UTF-16 -t UTF-8 {{file}})",
    notUtf8: "эта строка не в UTF-8 (файл, похоже, сохранён в Latin-1 или windows-1251): буквы превратились бы в �",
    "notUtf8.fix": "сохраните файл в UTF-8 (в редакторе: «Сохранить в кодировке» → UTF-8; или iconv -f windows-1251 -t UTF-8 {{file}})",
    nul: "в этой строке нулевой байт (\\0): файл двоичный или испорчен при копировании",
    "nul.fix": "удалите невидимый символ в этой строке (или наберите строку заново); если испорчен весь файл, восстановите его из git",
    crOnly: "строки файла кончаются одним CR (старые переводы строк Mac): он читается как одна длинная строка",
    "crOnly.fix": "сохраните его с переводами строк LF (Unix) или CRLF (Windows), например tr '\\r' '\\n' < {{file}} > fixed.md",
    tooDeep: "HTML вложен на {{depth}} уровней (глубже всего в этой строке): больше, чем может разобрать сборка",
    "tooDeep.fix": "упростите HTML у этой строки: письму хватает нескольких уровней, почтовые программы сдаются задолго до {{depth}}",
  },
  uk: {
    tooBig:
      "HTML листа важить {{size}} МБ, більше за {{max}} МБ, з яких робиться його текстова частина: такого листа не прийме жоден поштовий сервер",
    "tooBig.fix": "скоротіть випуск: довгі матеріали викладіть на сайт і дайте посилання; Gmail однаково показує лише перші 102 КБ",
    formatDate: "formatDate приймає одну дату (РРРР-ММ-ДД), а не {{got}}",
    "formatDate.fix": "напишіть {{example}} або поле, у якому дата: {{field}}",
    notADate: "formatDate отримав «{{value}}», а це не дата (РРРР-ММ-ДД)",
    dynamicPartial: "фрагмента (partial), вибраного виразом у цьому рядку, немає: {{error}}",
    "dynamicPartial.fix": "назвіть фрагмент прямо ({{example}}) або перевірте, що вираз дає ім'я файлу з templates/partials/",
    utf16: "файл у кодуванні UTF-16 («Юнікод» Windows), а не UTF-8",
    "utf16.fix": "збережіть його в UTF-8 (у редакторі: «Зберегти в кодуванні» → UTF-8; або iconv -f UTF-16 -t UTF-8 {{file}})",
    notUtf8: "цей рядок не в UTF-8 (файл, схоже, збережено в Latin-1 або windows-1251): літери перетворилися б на �",
    "notUtf8.fix": "збережіть файл у UTF-8 (у редакторі: «Зберегти в кодуванні» → UTF-8; або iconv -f windows-1251 -t UTF-8 {{file}})",
    nul: "у цьому рядку нульовий байт (\\0): файл двійковий або зіпсований під час копіювання",
    "nul.fix": "видаліть невидимий символ у цьому рядку (або наберіть рядок наново); якщо зіпсовано весь файл, відновіть його з git",
    crOnly: "рядки файлу закінчуються самим CR (старі переведення рядків Mac): він читається як один довгий рядок",
    "crOnly.fix": "збережіть його з переведеннями рядків LF (Unix) або CRLF (Windows), наприклад tr '\\r' '\\n' < {{file}} > fixed.md",
    tooDeep: "HTML вкладено на {{depth}} рівнів (найглибше в цьому рядку): більше, ніж може розібрати збирання",
    "tooDeep.fix": "спростіть HTML біля цього рядка: листу досить кількох рівнів, поштові програми здаються задовго до {{depth}}",
  },
};
