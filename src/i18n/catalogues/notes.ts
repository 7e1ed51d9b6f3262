import type { Catalogue } from "./types.js";

/**
 * Sentences kept in the state as data and written out when shown (src/i18n/notes.ts): a reader's last
 * reply in the ledger, a stopped send's reason, a schedule row's note. Keys are the stored codes: they
 * never change; a new sentence gets a new code.
 */
export const notes: Catalogue = {
  en: {
    "duration.s": "{{n}} s",
    "duration.min": "{{n}} min",
    "duration.h": "{{n}} h",
    "send/gave-up_one": "gave up after {{count}} attempt over {{over}}: {{response}}",
    "send/gave-up_other": "gave up after {{count}} attempts over {{over}}: {{response}}",
    "send/render-failed": "could not render the message: {{error}}",
    "send/same-refusal_one": "the same refusal for {{count}} different reader in a row: {{response}}",
    "send/same-refusal_other": "the same refusal for {{count}} different readers in a row: {{response}}",
    "send/same-refusal.fix":
      "a refusal of every reader is about the sender (a relay that does not relay for this account or host, a blocked sender address): fix it with the server's administrator, then run the same command again — nobody was recorded as failed",
    "send/lease-lost_one":
      "this worker lost its lease on {{count}} reader: it stalled longer than the lease and another worker took them over",
    "send/lease-lost_other":
      "this worker lost its lease on {{count}} readers: it stalled longer than the lease and another worker took them over",
    "send/nothing-sent": "{{reason}} — nothing was sent",
    "smtp/server": "the SMTP server",
    "smtp/login-rejected": "{{where}} rejected the login: {{response}}",
    "smtp/login-rejected.fix":
      "check the user name and password in SMTP_URL or --smtp-url (percent-encode @ : / % in the password), then run the same command again",
    "smtp/auth-required": "{{where}} requires authentication: {{response}}",
    "smtp/auth-required.fix": "put the user name and password into the URL: SMTP_URL=smtp://user:password@host:587",
    "smtp/tls-failed": "TLS with {{where}} failed: {{response}}",
    "smtp/tls-failed.fix":
      "if the relay uses a private CA or a self-signed certificate, export SMTP_CA_FILE=/path/to/ca.pem (or NODE_EXTRA_CA_CERTS); for a relay on a trusted network only, SMTP_TLS_INSECURE=1 (or --insecure-tls) skips the check; a wrong-version error usually means smtps:// on a STARTTLS port (587) or the reverse",
    "smtp/greeting-refused": "{{where}} refused the connection at its greeting: {{response}}",
    "smtp/greeting-refused.fix":
      "the relay does not accept mail from this machine: ask its administrator to allow this host, or use the submission port (587) with a login",
    "smtp/cannot-connect": "cannot connect to {{where}}: {{response}}",
    "smtp/cannot-connect.fix":
      "check the host and port in SMTP_URL or --smtp-url (587 for STARTTLS, 465 with smtps://) and that the server is running, then run the same command again",
    "smtp/sender-refused": "{{where}} refused the sender address: {{response}}",
    "smtp/sender-refused.fix":
      "check from.email (and returnPath) in newsletter.yaml: the relay must allow this account to send as that address",
    "schedule/late_one": "late by {{count}} min",
    "schedule/late_other": "late by {{count}} min",
    "suppress/complaint": "complaint {{status}} {{day}}, issue {{issue}}",
    "suppress/bounce": "bounce {{status}} {{day}}, issue {{issue}}",
    "suppress/soft-bounces_one": "soft bounces in {{count}} issue in a row, last {{status}} {{day}}, issue {{issue}}",
    "suppress/soft-bounces_other": "soft bounces in {{count}} issues in a row, last {{status}} {{day}}, issue {{issue}}",
  },
  ru: {
    "duration.s": "{{n}} с",
    "duration.min": "{{n}} мин",
    "duration.h": "{{n}} ч",
    "send/gave-up_one": "не доставлено за {{count}} попытку в течение {{over}}: {{response}}",
    "send/gave-up_few": "не доставлено за {{count}} попытки в течение {{over}}: {{response}}",
    "send/gave-up_many": "не доставлено за {{count}} попыток в течение {{over}}: {{response}}",
    "send/gave-up_other": "не доставлено за {{count}} попытки в течение {{over}}: {{response}}",
    "send/render-failed": "не удалось собрать письмо: {{error}}",
    "send/same-refusal_one": "один и тот же отказ {{count}} читателю подряд: {{response}}",
    "send/same-refusal_few": "один и тот же отказ {{count}} разным читателям подряд: {{response}}",
    "send/same-refusal_many": "один и тот же отказ {{count}} разным читателям подряд: {{response}}",
    "send/same-refusal_other": "один и тот же отказ {{count}} разным читателям подряд: {{response}}",
    "send/same-refusal.fix":
      "если сервер отказывает всем читателям, дело в отправителе (сервер не пересылает почту этой учётной записи или с этой машины, адрес отправителя заблокирован): решите это с администратором сервера и запустите ту же команду снова — неудачной не записана ни одна доставка",
    "send/lease-lost_one":
      "этот обработчик потерял аренду {{count}} читателя: он простоял дольше срока аренды, и читателя забрал другой обработчик",
    "send/lease-lost_few":
      "этот обработчик потерял аренду {{count}} читателей: он простоял дольше срока аренды, и читателей забрал другой обработчик",
    "send/lease-lost_many":
      "этот обработчик потерял аренду {{count}} читателей: он простоял дольше срока аренды, и читателей забрал другой обработчик",
    "send/lease-lost_other":
      "этот обработчик потерял аренду {{count}} читателя: он простоял дольше срока аренды, и читателей забрал другой обработчик",
    "send/nothing-sent": "{{reason}} — ничего не отправлено",
    "smtp/server": "SMTP",
    "smtp/login-rejected": "сервер {{where}} не принял логин: {{response}}",
    "smtp/login-rejected.fix":
      "проверьте имя пользователя и пароль в SMTP_URL или --smtp-url (символы @ : / % в пароле закодируйте через %), затем запустите ту же команду снова",
    "smtp/auth-required": "сервер {{where}} требует вход по логину: {{response}}",
    "smtp/auth-required.fix": "впишите имя пользователя и пароль в адрес: SMTP_URL=smtp://user:password@host:587",
    "smtp/tls-failed": "не удалось установить TLS с сервером {{where}}: {{response}}",
    "smtp/tls-failed.fix":
      "если у сервера свой удостоверяющий центр или самоподписанный сертификат, укажите export SMTP_CA_FILE=/path/to/ca.pem (или NODE_EXTRA_CA_CERTS); только для сервера в доверенной сети проверку можно отключить: SMTP_TLS_INSECURE=1 (или --insecure-tls); ошибка версии (wrong version number) обычно значит smtps:// на порту STARTTLS (587) или наоборот",
    "smtp/greeting-refused": "сервер {{where}} отказал в соединении сразу при приветствии: {{response}}",
    "smtp/greeting-refused.fix":
      "сервер не принимает почту с этой машины: попросите администратора разрешить её или отправляйте через порт 587 с логином",
    "smtp/cannot-connect": "не удалось подключиться к серверу {{where}}: {{response}}",
    "smtp/cannot-connect.fix":
      "проверьте адрес и порт в SMTP_URL или --smtp-url (587 для STARTTLS, 465 для smtps://) и что сервер запущен, затем запустите ту же команду снова",
    "smtp/sender-refused": "сервер {{where}} не принял адрес отправителя: {{response}}",
    "smtp/sender-refused.fix":
      "проверьте from.email (и returnPath) в newsletter.yaml: сервер должен разрешать этой учётной записи отправлять с этого адреса",
    "schedule/late_one": "опоздание на {{count}} минуту",
    "schedule/late_few": "опоздание на {{count}} минуты",
    "schedule/late_many": "опоздание на {{count}} минут",
    "schedule/late_other": "опоздание на {{count}} минуты",
    "suppress/complaint": "жалоба ({{status}}) {{day}}, выпуск {{issue}}",
    "suppress/bounce": "письмо вернулось ({{status}}) {{day}}, выпуск {{issue}}",
    "suppress/soft-bounces_one": "временные отказы в {{count}} выпуске подряд, последний ({{status}}) {{day}}, выпуск {{issue}}",
    "suppress/soft-bounces_few": "временные отказы в {{count}} выпусках подряд, последний ({{status}}) {{day}}, выпуск {{issue}}",
    "suppress/soft-bounces_many": "временные отказы в {{count}} выпусках подряд, последний ({{status}}) {{day}}, выпуск {{issue}}",
    "suppress/soft-bounces_other": "временные отказы в {{count}} выпуска подряд, последний ({{status}}) {{day}}, выпуск {{issue}}",
  },
  uk: {
    "duration.s": "{{n}} с",
    "duration.min": "{{n}} хв",
    "duration.h": "{{n}} год",
    "send/gave-up_one": "не доставлено за {{count}} спробу протягом {{over}}: {{response}}",
    "send/gave-up_few": "не доставлено за {{count}} спроби протягом {{over}}: {{response}}",
    "send/gave-up_many": "не доставлено за {{count}} спроб протягом {{over}}: {{response}}",
    "send/gave-up_other": "не доставлено за {{count}} спроби протягом {{over}}: {{response}}",
    "send/render-failed": "не вдалося зібрати лист: {{error}}",
    "send/same-refusal_one": "та сама відмова {{count}} читачеві поспіль: {{response}}",
    "send/same-refusal_few": "та сама відмова {{count}} різним читачам поспіль: {{response}}",
    "send/same-refusal_many": "та сама відмова {{count}} різним читачам поспіль: {{response}}",
    "send/same-refusal_other": "та сама відмова {{count}} різним читачам поспіль: {{response}}",
    "send/same-refusal.fix":
      "якщо сервер відмовляє всім читачам, річ у відправникові (сервер не пересилає пошту цього облікового запису чи з цієї машини, адресу відправника заблоковано): розв'яжіть це з адміністратором сервера й запустіть ту саму команду знову — жодну доставку не записано як невдалу",
    "send/lease-lost_one":
      "цей обробник втратив оренду {{count}} читача: він простояв довше за строк оренди, і читача забрав інший обробник",
    "send/lease-lost_few":
      "цей обробник втратив оренду {{count}} читачів: він простояв довше за строк оренди, і читачів забрав інший обробник",
    "send/lease-lost_many":
      "цей обробник втратив оренду {{count}} читачів: він простояв довше за строк оренди, і читачів забрав інший обробник",
    "send/lease-lost_other":
      "цей обробник втратив оренду {{count}} читача: він простояв довше за строк оренди, і читачів забрав інший обробник",
    "send/nothing-sent": "{{reason}} — нічого не надіслано",
    "smtp/server": "SMTP",
    "smtp/login-rejected": "сервер {{where}} не прийняв логін: {{response}}",
    "smtp/login-rejected.fix":
      "перевірте ім'я користувача й пароль у SMTP_URL або --smtp-url (символи @ : / % у паролі закодуйте через %), потім запустіть ту саму команду знову",
    "smtp/auth-required": "сервер {{where}} вимагає входу за логіном: {{response}}",
    "smtp/auth-required.fix": "впишіть ім'я користувача й пароль в адресу: SMTP_URL=smtp://user:password@host:587",
    "smtp/tls-failed": "не вдалося встановити TLS із сервером {{where}}: {{response}}",
    "smtp/tls-failed.fix":
      "якщо в сервера свій центр сертифікації або самопідписаний сертифікат, вкажіть export SMTP_CA_FILE=/path/to/ca.pem (або NODE_EXTRA_CA_CERTS); лише для сервера в довіреній мережі перевірку можна вимкнути: SMTP_TLS_INSECURE=1 (або --insecure-tls); помилка версії (wrong version number) зазвичай означає smtps:// на порту STARTTLS (587) або навпаки",
    "smtp/greeting-refused": "сервер {{where}} відмовив у з'єднанні одразу під час привітання: {{response}}",
    "smtp/greeting-refused.fix":
      "сервер не приймає пошту з цієї машини: попросіть адміністратора дозволити її або надсилайте через порт 587 з логіном",
    "smtp/cannot-connect": "не вдалося під'єднатися до сервера {{where}}: {{response}}",
    "smtp/cannot-connect.fix":
      "перевірте адресу й порт у SMTP_URL або --smtp-url (587 для STARTTLS, 465 для smtps://) і чи запущено сервер, потім запустіть ту саму команду знову",
    "smtp/sender-refused": "сервер {{where}} не прийняв адресу відправника: {{response}}",
    "smtp/sender-refused.fix":
      "перевірте from.email (і returnPath) у newsletter.yaml: сервер має дозволяти цьому обліковому запису надсилати з цієї адреси",
    "schedule/late_one": "запізнення на {{count}} хвилину",
    "schedule/late_few": "запізнення на {{count}} хвилини",
    "schedule/late_many": "запізнення на {{count}} хвилин",
    "schedule/late_other": "запізнення на {{count}} хвилини",
    "suppress/complaint": "скарга ({{status}}) {{day}}, випуск {{issue}}",
    "suppress/bounce": "лист повернувся ({{status}}) {{day}}, випуск {{issue}}",
    "suppress/soft-bounces_one": "тимчасові відмови в {{count}} випуску поспіль, остання ({{status}}) {{day}}, випуск {{issue}}",
    "suppress/soft-bounces_few": "тимчасові відмови в {{count}} випусках поспіль, остання ({{status}}) {{day}}, випуск {{issue}}",
    "suppress/soft-bounces_many": "тимчасові відмови в {{count}} випусках поспіль, остання ({{status}}) {{day}}, випуск {{issue}}",
    "suppress/soft-bounces_other": "тимчасові відмови в {{count}} випуску поспіль, остання ({{status}}) {{day}}, випуск {{issue}}",
  },
};
