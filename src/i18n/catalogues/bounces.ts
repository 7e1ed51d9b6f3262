import type { Catalogue } from "./types.js";

/** `rassylka bounces import|fetch`: flags and the report (src/cli/bounces.ts). Kinds (hard, soft, ARF, DSN) stay as mail people say them. */
export const bounces: Catalogue = {
  en: {
    noSecret: "{{env}} is not set: VERP tokens cannot be read; bounces are matched by Message-ID and recipient only",
    "noSecret.fix": "export the same {{env}} the send used",
    "why.unknown": "not recognised as a bounce",
    "why.autoReply": "auto-reply ({{why}})",
    "import.description": "read bounce messages from .eml files, mbox files or Maildir folders (nothing is moved or deleted)",
    "fetch.description": "read the bounce mailbox over IMAP ({{env}}); bounces are moved to --move-to, other mail is left alone",
    "flag.json":
      "print as JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, duplicates, suppressed }, messages, problems }",
    "flag.moveTo": "where processed bounces go (created when missing)",
    "flag.insecureTls": "do not verify the IMAP server's certificate (trusted networks only)",
    duplicate: "{{label}}: already imported",
    notBounce: "{{label}}: not a bounce ({{why}})",
    complaint: "complaint",
    "kind.hard": "hard bounce",
    "kind.soft": "soft bounce",
    unattributed: "{{kind}}{{code}}, not attributed to a reader",
    recipient: "{{kind}}{{code}}: {{email}} (issue {{issue}}, by {{via}}){{suppressed}}",
    suppressed: " → suppressed",
    nonStandard: "non-standard",
    noRecipient: "no recipient",
    cannotRead: "error: cannot read {{label}}: {{problem}}",
    counts_one:
      "{{count}} message: hard {{hard}} · soft {{soft}} · complained {{complained}} · not a bounce {{notBounce}} · unattributed {{unattributed}} · already imported {{duplicates}}; {{suppressed}} suppressed.",
    counts_other:
      "{{count}} messages: hard {{hard}} · soft {{soft}} · complained {{complained}} · not a bounce {{notBounce}} · unattributed {{unattributed}} · already imported {{duplicates}}; {{suppressed}} suppressed.",
    readers_one: "{{count}} reader",
    readers_other: "{{count}} readers",
    mailbox: '{{url}}: {{moved}} moved to "{{folder}}", {{left}} left in place.',
  },
  ru: {
    noSecret: "{{env}} не задан: токены VERP не прочитать; возвраты сопоставляются только по Message-ID и получателю",
    "noSecret.fix": "задайте тот же {{env}}, что был при рассылке",
    "why.unknown": "не похоже на возврат",
    "why.autoReply": "автоответ ({{why}})",
    "import.description": "прочитать возвраты из файлов .eml, mbox или папок Maildir (ничего не перемещается и не удаляется)",
    "fetch.description": "прочитать ящик для возвратов по IMAP ({{env}}); возвраты переносятся в --move-to, остальные письма не трогаются",
    "flag.json":
      "вывести в JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, duplicates, suppressed }, messages, problems }",
    "flag.moveTo": "куда переносить разобранные возвраты (папка создаётся, если её нет)",
    "flag.insecureTls": "не проверять сертификат IMAP-сервера (только в доверенной сети)",
    duplicate: "{{label}}: уже загружено",
    notBounce: "{{label}}: не возврат ({{why}})",
    complaint: "жалоба",
    "kind.hard": "постоянный возврат",
    "kind.soft": "временный возврат",
    unattributed: "{{kind}}{{code}}, читатель не определён",
    recipient: "{{kind}}{{code}}: {{email}} (выпуск {{issue}}, по {{via}}){{suppressed}}",
    suppressed: " → в стоп-лист",
    nonStandard: "нестандартный",
    noRecipient: "получателя нет",
    cannotRead: "ошибка: не удалось прочитать {{label}}: {{problem}}",
    counts_one:
      "{{count}} письмо: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_few:
      "{{count}} письма: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_many:
      "{{count}} писем: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_other:
      "{{count}} письма: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    readers_one: "{{count}} читатель",
    readers_few: "{{count}} читателя",
    readers_many: "{{count}} читателей",
    readers_other: "{{count}} читателя",
    mailbox: "{{url}}: перенесено в «{{folder}}»: {{moved}}, оставлено на месте: {{left}}.",
  },
  uk: {
    noSecret: "{{env}} не задано: токени VERP не прочитати; повернення зіставляються лише за Message-ID та одержувачем",
    "noSecret.fix": "задайте той самий {{env}}, що був під час розсилки",
    "why.unknown": "не схоже на повернення",
    "why.autoReply": "автовідповідь ({{why}})",
    "import.description": "прочитати повернення з файлів .eml, mbox або тек Maildir (нічого не переноситься й не видаляється)",
    "fetch.description":
      "прочитати скриньку для повернень через IMAP ({{env}}); повернення переносяться в --move-to, інші листи не чіпаються",
    "flag.json":
      "вивести в JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, duplicates, suppressed }, messages, problems }",
    "flag.moveTo": "куди переносити розібрані повернення (теку буде створено, якщо її немає)",
    "flag.insecureTls": "не перевіряти сертифікат IMAP-сервера (лише в довіреній мережі)",
    duplicate: "{{label}}: уже завантажено",
    notBounce: "{{label}}: не повернення ({{why}})",
    complaint: "скарга",
    "kind.hard": "постійне повернення",
    "kind.soft": "тимчасове повернення",
    unattributed: "{{kind}}{{code}}, читача не визначено",
    recipient: "{{kind}}{{code}}: {{email}} (випуск {{issue}}, за {{via}}){{suppressed}}",
    suppressed: " → до стоп-листа",
    nonStandard: "нестандартний",
    noRecipient: "одержувача немає",
    cannotRead: "помилка: не вдалося прочитати {{label}}: {{problem}}",
    counts_one:
      "{{count}} лист: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_few:
      "{{count}} листи: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_many:
      "{{count}} листів: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_other:
      "{{count}} листа: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    readers_one: "{{count}} читач",
    readers_few: "{{count}} читачі",
    readers_many: "{{count}} читачів",
    readers_other: "{{count}} читача",
    mailbox: "{{url}}: перенесено до «{{folder}}»: {{moved}}, залишено на місці: {{left}}.",
  },
};
