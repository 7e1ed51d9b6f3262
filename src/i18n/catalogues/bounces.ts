import type { Catalogue } from "./types.js";

/** `rassylka bounces import|fetch|list`: flags, the report and unverified bounces (src/cli/bounces.ts). Kinds (hard, soft, ARF, DSN) stay as mail people say them. */
export const bounces: Catalogue = {
  en: {
    "flag.trustUnverified":
      "also apply bounces that name a reader without a VERP token or one of our Message-IDs (see bounces list --unverified)",
    "list.description": "list the bounces and complaints recorded (tab-separated: date, issue, reader, kind, status)",
    "flag.unverified": "list the bounces kept as unverified instead (VERP on, no proof they came from our messages)",
    "flag.issue": "of one issue only",
    noSecret: "{{env}} is not set: VERP tokens cannot be read; bounces are matched by Message-ID and recipient only",
    "noSecret.fix": "export the same {{env}} the send used",
    "why.unknown": "not recognised as a bounce",
    "why.autoReply": "auto-reply ({{why}})",
    "import.description": "read bounce messages from .eml files, mbox files or Maildir folders (nothing is moved or deleted)",
    "fetch.description": "read the bounce mailbox over IMAP ({{env}}); bounces are moved to --move-to, other mail is left alone",
    "flag.json":
      "print as JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, unverified, duplicates, suppressed }, messages, problems }",
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
      "{{count}} message: hard {{hard}} · soft {{soft}} · complained {{complained}} · not a bounce {{notBounce}} · unattributed {{unattributed}} · unverified {{unverified}} · already imported {{duplicates}}; {{suppressed}} suppressed.",
    counts_other:
      "{{count}} messages: hard {{hard}} · soft {{soft}} · complained {{complained}} · not a bounce {{notBounce}} · unattributed {{unattributed}} · unverified {{unverified}} · already imported {{duplicates}}; {{suppressed}} suppressed.",
    readers_one: "{{count}} reader",
    readers_other: "{{count}} readers",
    mailbox: '{{url}}: {{moved}} moved to "{{folder}}", {{left}} left in place.',
    unverified: "{{what}}: {{email}} (issue {{issue}}, by {{via}}) — unverified, not applied",
    unverifiedHint_one:
      "{{count}} bounce names a reader without proving it came from our message (no valid VERP token, none of our Message-IDs): kept as unverified, nobody suppressed. See them with `rassylka bounces list --unverified`.",
    unverifiedHint_other:
      "{{count}} bounces name a reader without proving they came from our messages (no valid VERP token, none of our Message-IDs): kept as unverified, nobody suppressed. See them with `rassylka bounces list --unverified`.",
    unverifiedFix:
      "if you trust where they came from (your own mail server's bounces, not mail anyone can send you), apply them: rassylka bounces import --trust-unverified FILE…",
    noneUnverified: "No unverified bounces.",
    none: "No bounces recorded.",
    "imap.badUrl": "{{env}} ({{url}}) {{why}}",
    "imap.badUrl.fix": "set it to imaps://user:password@imap.example.ru/INBOX (percent-encode @, : and / inside the password)",
    "imap.notUrl": "is not a valid URL",
    "imap.scheme": "must start with imaps:// or imap://",
    "imap.userHost": "needs a user and a host",
    "imap.noUrl": "{{env}} is not set",
    "imap.noUrl.fix": "export {{env}}=imaps://user:password@imap.example.ru/INBOX (the mailbox returnPath delivers to)",
    "imap.connect": "cannot connect to {{where}}: {{error}}",
    "imap.open": 'cannot open the mailbox "{{mailbox}}" at {{where}}: {{error}}',
    "imap.read": "cannot read {{where}}: {{error}}",
    "imap.auth.fix": "check the user and password in {{env}}",
    "imap.connect.fix": "check the host and port in {{env}} (imaps:// is port 993, imap:// 143) and that the server is up",
    "imap.open.fix": "name an existing mailbox in the path of {{env}} (e.g. /INBOX)",
    "imap.read.fix": 'check that the user of {{env}} may read the mailbox and create "{{folder}}"',
  },
  ru: {
    "flag.trustUnverified":
      "применить и отказы, которые называют читателя без VERP-токена и без нашего Message-ID (см. bounces list --unverified)",
    "list.description": "показать записанные отказы и жалобы (через табуляцию: дата, выпуск, читатель, вид, статус)",
    "flag.unverified":
      "показать вместо них отказы, сохранённые как неподтверждённые (VERP включён, нет доказательства, что они пришли на наши письма)",
    "flag.issue": "только одного выпуска",
    noSecret: "{{env}} не задан: токены VERP не прочитать; возвраты сопоставляются только по Message-ID и получателю",
    "noSecret.fix": "задайте тот же {{env}}, что был при рассылке",
    "why.unknown": "не похоже на возврат",
    "why.autoReply": "автоответ ({{why}})",
    "import.description": "прочитать возвраты из файлов .eml, mbox или папок Maildir (ничего не перемещается и не удаляется)",
    "fetch.description": "прочитать ящик для возвратов по IMAP ({{env}}); возвраты переносятся в --move-to, остальные письма не трогаются",
    "flag.json":
      "вывести в JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, unverified, duplicates, suppressed }, messages, problems }",
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
      "{{count}} письмо: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · неподтверждённых {{unverified}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_few:
      "{{count}} письма: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · неподтверждённых {{unverified}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_many:
      "{{count}} писем: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · неподтверждённых {{unverified}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    counts_other:
      "{{count}} письма: постоянных возвратов {{hard}} · временных {{soft}} · жалоб {{complained}} · не возвратов {{notBounce}} · без читателя {{unattributed}} · неподтверждённых {{unverified}} · уже загружено {{duplicates}}; в стоп-лист: {{suppressed}}.",
    readers_one: "{{count}} читатель",
    readers_few: "{{count}} читателя",
    readers_many: "{{count}} читателей",
    readers_other: "{{count}} читателя",
    mailbox: "{{url}}: перенесено в «{{folder}}»: {{moved}}, оставлено на месте: {{left}}.",
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
    "imap.badUrl": "{{env}} ({{url}}): {{why}}",
    "imap.badUrl.fix": "укажите imaps://user:password@imap.example.ru/INBOX (символы @, : и / в пароле — в %-кодировке)",
    "imap.notUrl": "это не адрес (URL)",
    "imap.scheme": "адрес должен начинаться с imaps:// или imap://",
    "imap.userHost": "в адресе нужны пользователь и хост",
    "imap.noUrl": "не задан {{env}}",
    "imap.noUrl.fix": "выполните export {{env}}=imaps://user:password@imap.example.ru/INBOX (ящик, куда приходят письма на returnPath)",
    "imap.connect": "не удалось подключиться к {{where}}: {{error}}",
    "imap.open": "не удалось открыть ящик «{{mailbox}}» на {{where}}: {{error}}",
    "imap.read": "не удалось прочитать {{where}}: {{error}}",
    "imap.auth.fix": "проверьте пользователя и пароль в {{env}}",
    "imap.connect.fix": "проверьте хост и порт в {{env}} (imaps:// — порт 993, imap:// — 143) и что сервер работает",
    "imap.open.fix": "укажите в пути {{env}} существующий ящик (например, /INBOX)",
    "imap.read.fix": "проверьте, что пользователю из {{env}} можно читать ящик и создать «{{folder}}»",
  },
  uk: {
    "flag.trustUnverified":
      "застосувати й відмови, що називають читача без VERP-токена і без нашого Message-ID (див. bounces list --unverified)",
    "list.description": "показати записані відмови та скарги (через табуляцію: дата, випуск, читач, вид, статус)",
    "flag.unverified":
      "показати натомість відмови, збережені як непідтверджені (VERP увімкнено, немає доказу, що вони прийшли на наші листи)",
    "flag.issue": "лише одного випуску",
    noSecret: "{{env}} не задано: токени VERP не прочитати; повернення зіставляються лише за Message-ID та одержувачем",
    "noSecret.fix": "задайте той самий {{env}}, що був під час розсилки",
    "why.unknown": "не схоже на повернення",
    "why.autoReply": "автовідповідь ({{why}})",
    "import.description": "прочитати повернення з файлів .eml, mbox або тек Maildir (нічого не переноситься й не видаляється)",
    "fetch.description":
      "прочитати скриньку для повернень через IMAP ({{env}}); повернення переносяться в --move-to, інші листи не чіпаються",
    "flag.json":
      "вивести в JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, unverified, duplicates, suppressed }, messages, problems }",
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
      "{{count}} лист: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · непідтверджених {{unverified}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_few:
      "{{count}} листи: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · непідтверджених {{unverified}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_many:
      "{{count}} листів: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · непідтверджених {{unverified}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    counts_other:
      "{{count}} листа: постійних повернень {{hard}} · тимчасових {{soft}} · скарг {{complained}} · не повернень {{notBounce}} · без читача {{unattributed}} · непідтверджених {{unverified}} · уже завантажено {{duplicates}}; до стоп-листа: {{suppressed}}.",
    readers_one: "{{count}} читач",
    readers_few: "{{count}} читачі",
    readers_many: "{{count}} читачів",
    readers_other: "{{count}} читача",
    mailbox: "{{url}}: перенесено до «{{folder}}»: {{moved}}, залишено на місці: {{left}}.",
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
    "imap.badUrl": "{{env}} ({{url}}): {{why}}",
    "imap.badUrl.fix": "вкажіть imaps://user:password@imap.example.ru/INBOX (символи @, : і / у паролі — у %-кодуванні)",
    "imap.notUrl": "це не адреса (URL)",
    "imap.scheme": "адреса має починатися з imaps:// або imap://",
    "imap.userHost": "в адресі потрібні користувач і хост",
    "imap.noUrl": "не задано {{env}}",
    "imap.noUrl.fix": "виконайте export {{env}}=imaps://user:password@imap.example.ru/INBOX (скринька, куди надходять листи на returnPath)",
    "imap.connect": "не вдалося під'єднатися до {{where}}: {{error}}",
    "imap.open": "не вдалося відкрити скриньку «{{mailbox}}» на {{where}}: {{error}}",
    "imap.read": "не вдалося прочитати {{where}}: {{error}}",
    "imap.auth.fix": "перевірте користувача й пароль у {{env}}",
    "imap.connect.fix": "перевірте хост і порт у {{env}} (imaps:// — порт 993, imap:// — 143) і що сервер працює",
    "imap.open.fix": "вкажіть у шляху {{env}} наявну скриньку (наприклад, /INBOX)",
    "imap.read.fix": "перевірте, що користувачеві з {{env}} можна читати скриньку й створити «{{folder}}»",
  },
};
