import type { Catalogue } from "./types.js";

/** A send tied to its list (src/state/ledger.ts `beginRun`): a second send of the issue to another list while it runs. */
export const sendAudience: Catalogue = {
  en: {
    otherList:
      'issue "{{issue}}" is being sent right now to another list: {{running}} (started {{started}}); this send\'s list is {{mine}}, so it was not started',
    otherListFix:
      "wait until the send to {{running}} ends (or stop it), then send to {{mine}}: readers who already got the issue are skipped; to share the running send, start it with the same list {{running}}",
    encoding: 'unknown encoding "{{encoding}}"',
    "encoding.fix": "use --encoding utf-8 (the default) or --encoding windows-1251 (Excel's Cyrillic CSV)",
    unreadable: "cannot read the recipient list: {{reason}}",
    "unreadable.fix": "check the path given to --to",
    noEmail: 'the recipient list has no "email" column (header: {{header}})',
    "noEmail.fix": 'make the first row a header with a column named "email" (any case), e.g. `email,name`',
    badCsv: "the recipient list is not valid CSV: {{detail}}",
    "badCsv.fix":
      "check the quotes on that line: a field with a delimiter, quote or line break must be in double quotes, with inner quotes doubled",
  },
  ru: {
    otherList:
      "выпуск «{{issue}}» прямо сейчас рассылается по другому списку: {{running}} (начато {{started}}); у этой рассылки список {{mine}}, поэтому она не начата",
    otherListFix:
      "дождитесь конца рассылки по {{running}} (или остановите её) и запустите рассылку по {{mine}}: читатели, уже получившие выпуск, будут пропущены; чтобы помочь идущей рассылке, запустите её с тем же списком {{running}}",
    encoding: "неизвестная кодировка «{{encoding}}»",
    "encoding.fix": "укажите --encoding utf-8 (по умолчанию) или --encoding windows-1251 (CSV из Excel с кириллицей)",
    unreadable: "не удалось прочитать список получателей: {{reason}}",
    "unreadable.fix": "проверьте путь, указанный в --to",
    noEmail: "в списке получателей нет столбца «email» (заголовок: {{header}})",
    "noEmail.fix": "сделайте первую строку заголовком со столбцом «email» (регистр не важен), например `email,name`",
    badCsv: "список получателей — не правильный CSV: {{detail}}",
    "badCsv.fix":
      "проверьте кавычки в этой строке: поле с разделителем, кавычкой или переносом строки пишется в двойных кавычках, а кавычки внутри удваиваются",
  },
  uk: {
    otherList:
      "випуск «{{issue}}» просто зараз розсилається за іншим списком: {{running}} (почато {{started}}); у цієї розсилки список {{mine}}, тож її не почато",
    otherListFix:
      "дочекайтеся кінця розсилки за {{running}} (або зупиніть її) і запустіть розсилку за {{mine}}: читачів, які вже отримали випуск, буде пропущено; щоб допомогти розсилці, що йде, запустіть її з тим самим списком {{running}}",
    encoding: "невідоме кодування «{{encoding}}»",
    "encoding.fix": "вкажіть --encoding utf-8 (типово) або --encoding windows-1251 (CSV з Excel із кирилицею)",
    unreadable: "не вдалося прочитати список одержувачів: {{reason}}",
    "unreadable.fix": "перевірте шлях, указаний у --to",
    noEmail: "у списку одержувачів немає стовпця «email» (заголовок: {{header}})",
    "noEmail.fix": "зробіть перший рядок заголовком зі стовпцем «email» (регістр не важливий), наприклад `email,name`",
    badCsv: "список одержувачів — не правильний CSV: {{detail}}",
    "badCsv.fix":
      "перевірте лапки в цьому рядку: поле з роздільником, лапкою чи переносом рядка пишеться в подвійних лапках, а лапки всередині подвоюються",
  },
};
