import type { Catalogue } from "./types.js";

/** `rassylka send`'s summary and `rassylka status` (src/cli/send.ts, src/cli/status.ts). */
export const send: Catalogue = {
  en: {
    "head.trial": "Trial: «{{subject}}» written to the outbox ({{transport}}) in {{seconds}} s",
    "counts.trial":
      "  readers in the list: {{total}} · written now: {{sent}} · failed: {{failed}} · suppressed: {{suppressed}} · invalid: {{invalid}} · duplicates: {{duplicates}}",
    "counts.dryRun":
      "  readers in the list: {{total}} · would be sent: {{sent}}{{already}} · would fail: {{failed}} · suppressed: {{suppressed}} · invalid: {{invalid}} · duplicates: {{duplicates}}",
    trialNote:
      "This was a trial: nobody received anything, and it does not count as the send. The real send (--transport smtp or sendsay) still goes to every reader.",
    "status.run": "  run {{run}} via {{transport}}: {{state}} · sent {{sent}} · failed {{failed}} · started {{at}}",
    "status.run.sending": "sending now",
    "status.run.finished": "finished",
    "status.run.stopped": "stopped (its process is gone or its lease ran out)",
    "status.worker":
      "    worker {{worker}}: {{state}} · sent {{sent}} · failed {{failed}} · suppressed {{suppressed}} · resent {{resent}} · last seen {{at}}",
    "status.inFlight_one":
      "    {{count}} reader was in flight when it stopped: they may have the issue; the next run sends it again and reports it as resent",
    "status.inFlight_other":
      "    {{count}} readers were in flight when it stopped: they may have the issue; the next run sends them again and reports them as resent",
    "status.noTransport": "a transport not recorded (an older rassylka)",
    "status.trial":
      "  trial to the outbox ({{transport}}), nobody received it: written {{sent}} of {{total}} · last run {{at}} — not counted as the send",
    declined: "Not sent: «{{subject}}» went to nobody. Run the command again and answer y, or add --yes.",
    "head.dryRun": "Dry run (nothing delivered) of «{{subject}}» via {{transport}} in {{seconds}} s",
    "head.test": "Test copies of «{{subject}}» via {{transport}} in {{seconds}} s",
    "head.nothing": "Nothing sent of «{{subject}}» via {{transport}} in {{seconds}} s",
    "head.partly": "Partly sent «{{subject}}» via {{transport}} in {{seconds}} s",
    "head.sent": "Sent «{{subject}}» via {{transport}} in {{seconds}} s",
    counts:
      "  readers in the list: {{total}} · sent now: {{sent}}{{already}} · failed: {{failed}} · suppressed: {{suppressed}} · invalid: {{invalid}} · duplicates: {{duplicates}}",
    already: " · already sent earlier: {{count}}",
    failedHeading: "  failed:",
    moreInStatus: "    … and {{count}} more (rassylka status {{slug}})",
    invalidHeading: "  invalid addresses (skipped):",
    invalidRow: '    line {{line}}: "{{address}}" — {{reason}}',
    pending_one: "{{count}} reader still pending; re-run to resume: {{command}}",
    pending_other: "{{count}} readers still pending; re-run to resume: {{command}}",
    stopped: "Stopped. {{pending}}",
    outbox: "Open the messages in {{dir}}/ (one .eml per reader).",
    "status.nothing": "Nothing sent yet (the ledger is empty).",
    "status.lastRun": " (last run {{at}})",
    "status.notSent": "  not sent yet",
    "status.counts":
      "  total {{total}} · sent {{sent}} · failed {{failed}} · pending {{pending}} · suppressed {{suppressed}} · invalid {{invalid}} · duplicates {{duplicates}}",
    "status.more": "  … and {{count}} more (--json lists all)",
    "status.invalidHeading": "  invalid addresses in the list (skipped):",
    "status.resent": "  resent after a crash: {{count}} (in flight when a process died, sent again: they may have it twice)",
    "status.bounces": "  after the send: bounced {{bounced}} · soft bounces {{soft}} · complained {{complained}} (docs/bounces.md)",
    "status.pending_one": "  {{count}} pending: re-run the same `rassylka send` to resume",
    "status.pending_other": "  {{count}} pending: re-run the same `rassylka send` to resume",
  },
  ru: {
    "head.trial": "Проба: «{{subject}}» записан в папку outbox ({{transport}}) за {{seconds}} с",
    "counts.trial":
      "  читателей в списке: {{total}} · записано писем: {{sent}} · не записано: {{failed}} · в стоп-листе: {{suppressed}} · неверных адресов: {{invalid}} · повторов: {{duplicates}}",
    "counts.dryRun":
      "  читателей в списке: {{total}} · было бы отправлено: {{sent}}{{already}} · не прошло бы: {{failed}} · в стоп-листе: {{suppressed}} · неверных адресов: {{invalid}} · повторов: {{duplicates}}",
    trialNote:
      "Это была проба: никто ничего не получил, и рассылкой она не считается. Настоящая отправка (--transport smtp или sendsay) по-прежнему дойдёт до каждого читателя.",
    "status.run": "  запуск {{run}} через {{transport}}: {{state}} · отправлено {{sent}} · не дошло {{failed}} · начат {{at}}",
    "status.run.sending": "идёт отправка",
    "status.run.finished": "завершён",
    "status.run.stopped": "остановлен (процесс завершился или его аренда истекла)",
    "status.worker":
      "    процесс {{worker}}: {{state}} · отправлено {{sent}} · не дошло {{failed}} · в стоп-листе {{suppressed}} · повторно {{resent}} · последний раз {{at}}",
    "status.inFlight_one":
      "    {{count}} письмо было в пути, когда процесс остановился: читатель мог его получить; следующий запуск отправит его снова и отметит как повторное",
    "status.inFlight_few":
      "    {{count}} письма были в пути, когда процесс остановился: читатели могли их получить; следующий запуск отправит их снова и отметит как повторные",
    "status.inFlight_many":
      "    {{count}} писем были в пути, когда процесс остановился: читатели могли их получить; следующий запуск отправит их снова и отметит как повторные",
    "status.inFlight_other":
      "    {{count}} письма были в пути, когда процесс остановился: читатели могли их получить; следующий запуск отправит их снова и отметит как повторные",
    "status.noTransport": "способ отправки не записан (старая версия rassylka)",
    "status.trial":
      "  проба в папку outbox ({{transport}}), никто не получил: записано {{sent}} из {{total}} · последний запуск {{at}} — рассылкой не считается",
    declined: "Не разослано: «{{subject}}» никому не ушёл. Запустите команду снова и ответьте y или добавьте --yes.",
    "head.dryRun": "Пробный прогон (ничего не доставлено): «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.test": "Тестовые копии: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.nothing": "Ничего не отправлено: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.partly": "Разослано частично: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.sent": "Разослано: «{{subject}}» через {{transport}} за {{seconds}} с",
    counts:
      "  читателей в списке: {{total}} · отправлено сейчас: {{sent}}{{already}} · не дошло: {{failed}} · в стоп-листе: {{suppressed}} · неверных адресов: {{invalid}} · повторов: {{duplicates}}",
    already: " · отправлено раньше: {{count}}",
    failedHeading: "  не дошло:",
    moreInStatus: "    … и ещё {{count}} (rassylka status {{slug}})",
    invalidHeading: "  неверные адреса (пропущены):",
    invalidRow: "    строка {{line}}: «{{address}}» — {{reason}}",
    pending_one: "Ещё {{count}} читатель ждёт отправки; чтобы продолжить, запустите снова: {{command}}",
    pending_few: "Ещё {{count}} читателя ждут отправки; чтобы продолжить, запустите снова: {{command}}",
    pending_many: "Ещё {{count}} читателей ждут отправки; чтобы продолжить, запустите снова: {{command}}",
    pending_other: "Ещё {{count}} читателя ждут отправки; чтобы продолжить, запустите снова: {{command}}",
    stopped: "Остановлено. {{pending}}",
    outbox: "Письма лежат в {{dir}}/ (по одному .eml на читателя).",
    "status.nothing": "Пока ничего не разослано (журнал отправки пуст).",
    "status.lastRun": " (последний запуск {{at}})",
    "status.notSent": "  ещё не разослан",
    "status.counts":
      "  всего {{total}} · отправлено {{sent}} · не дошло {{failed}} · ждут отправки {{pending}} · в стоп-листе {{suppressed}} · неверных адресов {{invalid}} · повторов {{duplicates}}",
    "status.more": "  … и ещё {{count}} (все — в --json)",
    "status.invalidHeading": "  неверные адреса в списке (пропущены):",
    "status.resent":
      "  отправлено повторно после сбоя: {{count}} (письма были в пути, когда процесс упал: эти читатели могли получить выпуск дважды)",
    "status.bounces": "  после рассылки: не доставлено {{bounced}} · временные отказы {{soft}} · жалобы {{complained}} (docs/bounces.md)",
    "status.pending_one": "  {{count}} читатель ещё ждёт отправки: запустите ту же `rassylka send` снова, чтобы продолжить",
    "status.pending_few": "  {{count}} читателя ещё ждут отправки: запустите ту же `rassylka send` снова, чтобы продолжить",
    "status.pending_many": "  {{count}} читателей ещё ждут отправки: запустите ту же `rassylka send` снова, чтобы продолжить",
    "status.pending_other": "  {{count}} читателя ещё ждут отправки: запустите ту же `rassylka send` снова, чтобы продолжить",
  },
  uk: {
    "head.trial": "Проба: «{{subject}}» записано до теки outbox ({{transport}}) за {{seconds}} с",
    "counts.trial":
      "  читачів у списку: {{total}} · записано листів: {{sent}} · не записано: {{failed}} · у стоп-листі: {{suppressed}} · неправильних адрес: {{invalid}} · повторів: {{duplicates}}",
    "counts.dryRun":
      "  читачів у списку: {{total}} · було б надіслано: {{sent}}{{already}} · не пройшло б: {{failed}} · у стоп-листі: {{suppressed}} · неправильних адрес: {{invalid}} · повторів: {{duplicates}}",
    trialNote:
      "Це була проба: ніхто нічого не отримав, і розсилкою вона не вважається. Справжнє надсилання (--transport smtp або sendsay) так само дійде до кожного читача.",
    "status.run": "  запуск {{run}} через {{transport}}: {{state}} · надіслано {{sent}} · не дійшло {{failed}} · почато {{at}}",
    "status.run.sending": "триває надсилання",
    "status.run.finished": "завершено",
    "status.run.stopped": "зупинено (процес завершився або його оренда минула)",
    "status.worker":
      "    процес {{worker}}: {{state}} · надіслано {{sent}} · не дійшло {{failed}} · у стоп-листі {{suppressed}} · повторно {{resent}} · востаннє {{at}}",
    "status.inFlight_one":
      "    {{count}} лист був у дорозі, коли процес зупинився: читач міг його отримати; наступний запуск надішле його знову й позначить як повторний",
    "status.inFlight_few":
      "    {{count}} листи були в дорозі, коли процес зупинився: читачі могли їх отримати; наступний запуск надішле їх знову й позначить як повторні",
    "status.inFlight_many":
      "    {{count}} листів були в дорозі, коли процес зупинився: читачі могли їх отримати; наступний запуск надішле їх знову й позначить як повторні",
    "status.inFlight_other":
      "    {{count}} листа були в дорозі, коли процес зупинився: читачі могли їх отримати; наступний запуск надішле їх знову й позначить як повторні",
    "status.noTransport": "спосіб надсилання не записано (стара версія rassylka)",
    "status.trial":
      "  проба до теки outbox ({{transport}}), ніхто не отримав: записано {{sent}} з {{total}} · останній запуск {{at}} — розсилкою не вважається",
    declined: "Не розіслано: «{{subject}}» нікому не пішов. Запустіть команду знову й відповідайте y або додайте --yes.",
    "head.dryRun": "Пробний прогін (нічого не доставлено): «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.test": "Тестові копії: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.nothing": "Нічого не надіслано: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.partly": "Розіслано частково: «{{subject}}» через {{transport}} за {{seconds}} с",
    "head.sent": "Розіслано: «{{subject}}» через {{transport}} за {{seconds}} с",
    counts:
      "  читачів у списку: {{total}} · надіслано зараз: {{sent}}{{already}} · не дійшло: {{failed}} · у стоп-листі: {{suppressed}} · неправильних адрес: {{invalid}} · повторів: {{duplicates}}",
    already: " · надіслано раніше: {{count}}",
    failedHeading: "  не дійшло:",
    moreInStatus: "    … і ще {{count}} (rassylka status {{slug}})",
    invalidHeading: "  неправильні адреси (пропущено):",
    invalidRow: "    рядок {{line}}: «{{address}}» — {{reason}}",
    pending_one: "Ще {{count}} читач чекає на надсилання; щоб продовжити, запустіть знову: {{command}}",
    pending_few: "Ще {{count}} читачі чекають на надсилання; щоб продовжити, запустіть знову: {{command}}",
    pending_many: "Ще {{count}} читачів чекають на надсилання; щоб продовжити, запустіть знову: {{command}}",
    pending_other: "Ще {{count}} читача чекають на надсилання; щоб продовжити, запустіть знову: {{command}}",
    stopped: "Зупинено. {{pending}}",
    outbox: "Листи лежать у {{dir}}/ (по одному .eml на читача).",
    "status.nothing": "Поки нічого не розіслано (журнал надсилання порожній).",
    "status.lastRun": " (останній запуск {{at}})",
    "status.notSent": "  ще не розіслано",
    "status.counts":
      "  усього {{total}} · надіслано {{sent}} · не дійшло {{failed}} · чекають {{pending}} · у стоп-листі {{suppressed}} · неправильних адрес {{invalid}} · повторів {{duplicates}}",
    "status.more": "  … і ще {{count}} (усі — у --json)",
    "status.invalidHeading": "  неправильні адреси в списку (пропущено):",
    "status.resent":
      "  надіслано повторно після збою: {{count}} (листи були в дорозі, коли процес упав: ці читачі могли отримати випуск двічі)",
    "status.bounces": "  після розсилки: не доставлено {{bounced}} · тимчасові відмови {{soft}} · скарги {{complained}} (docs/bounces.md)",
    "status.pending_one": "  {{count}} читач ще чекає на надсилання: запустіть ту саму `rassylka send` знову, щоб продовжити",
    "status.pending_few": "  {{count}} читачі ще чекають на надсилання: запустіть ту саму `rassylka send` знову, щоб продовжити",
    "status.pending_many": "  {{count}} читачів ще чекають на надсилання: запустіть ту саму `rassylka send` знову, щоб продовжити",
    "status.pending_other": "  {{count}} читача ще чекають на надсилання: запустіть ту саму `rassylka send` знову, щоб продовжити",
  },
};
