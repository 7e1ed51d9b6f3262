import type { Catalogue } from "./types.js";

/** A/B tests of subjects (src/send/ab-test.ts, src/state/ab.ts, docs/ab-testing.md). */
export const ab: Catalogue = {
  en: {
    sendsayCampaign:
      "an issue with an A/B test of subjects cannot be handed to Sendsay for a later time: Sendsay's split test starts when it is created",
    "sendsayCampaign.fix":
      "send it to the list at its time with `rassylka send <issue> --transport sendsay --group <list>` (Sendsay's split test), or through the ledger, or write one subject",
    splitRefused:
      'Sendsay refused the split test of the subjects for list "{{group}}": {{id}}{{explain}}. Nothing was sent: the list did not get the issue',
    "splitRefused.fix":
      "turn on A/B tests (split tests) for the account in Sendsay (plan or API rights), then run the send again; or send through the ledger (--to or --subscribers), which runs the test itself; or write one subject",
    splitRunning:
      'Sendsay\'s split test {{id}} for list "{{group}}" is running ({{status}}): run the same command or `rassylka status` later to read its decision.',
    splitDecided:
      'Sendsay\'s split test {{id}} for list "{{group}}" is decided: subject {{n}} won; Sendsay sends it to the rest of the list.',
    "flag.decide": "decide the issue's A/B test of subjects now, then send the winner to the readers waiting (docs/ab-testing.md)",
    "flag.winner": "make subject N (1–4, as the front-matter lists them) the A/B winner, then send it to the readers waiting",
    "schema.sample": "expected a share of the list per subject written as a percentage above 0 and at most 50%, e.g. 20%",
    "schema.sample.fix": "write abTest: sample: 10% (each subject goes to this share of the list; the rest get the winner)",
    "schema.wait": "expected a wait from 30 minutes to 48 hours written in minutes or hours, e.g. 30m or 4h",
    "schema.wait.fix": "write abTest: wait: 4h (30m at least, 48h at most)",
    "schema.oneSubject": "abTest needs two to four subjects, and subject: is a single one",
    "schema.oneSubject.fix": "write subject: as a list (- First subject, - Second subject), or remove abTest:",
    "schema.noneLeft": "{{count}} subjects with a sample of {{sample}}% each leave nobody for the winner",
    "schema.noneLeft.fix": "make abTest: sample: at most {{max}}%",
    notMeasured: "an A/B test by {{metric}} needs {{metric}} tracked per reader, and this issue does not track them",
    "notMeasured.fix":
      "turn on tracking: {{metric}}: true (not anonymous) in newsletter.yaml or the issue's front-matter, or write one subject",
    already: "the A/B test is decided already: subject {{n}} («{{subject}}») won at {{at}}",
    "already.fix": "run the send without --ab-decide or --ab-winner: it sends the winner to the readers still waiting",
    badWinner: "--ab-winner {{n}}: the issue has subjects 1 to {{count}}",
    "badWinner.fix": "give the number of a subject as the front-matter lists them, 1 to {{count}}",
    noTest: "{{flag}}: this issue has one subject, so there is no A/B test to decide",
    "noTest.fix": "write subject: as a list of 2–4 subjects to test them, or leave out the flag",
    notASend: "{{flag}} decides a real send's test; test copies and dry runs have none",
    "notASend.fix": "leave out --test and --dry-run, or leave out the flag",
    heading: "A/B test of subjects by {{metric}}, {{sample}}% of the list per subject:",
    variant: "  {{n}}. «{{subject}}»: delivered {{delivered}}, {{metric}} {{unique}}, rate {{rate}}",
    "metric.clicks": "clicked",
    "metric.opens": "opened",
    waitingSample: "  the rest ({{held}}) wait until the sample is out and {{wait}} have passed",
    waitingDecision:
      "  the rest ({{held}}) wait for the decision, due {{at}} (the worker decides then; `rassylka send {{slug}} --ab-decide` decides now)",
    "decision.significant": "  decision: subject {{n}} wins: chi-square {{chi}}, p = {{p}} < 0.05 ({{by}})",
    "decision.no-difference":
      "  decision: no significant difference (chi-square {{chi}}, p = {{p}}): the first subject goes to the rest ({{by}})",
    "decision.too-small":
      "  decision: a subject reached fewer than {{min}} readers ({{least}}), too few to compare: the first subject goes to the rest ({{by}})",
    "decision.chosen": "  decision: subject {{n}}, chosen by the editor",
    "by.worker": "by the worker after the wait",
    "by.hand": "decided by hand",
    "by.winner": "chosen by the editor",
    rest: "  the rest get subject {{n}}: delivered {{delivered}}, still to go {{waiting}}",
    inboxRows: "Subjects under test (A/B): each reaches {{sample}}% of the list first; the winner goes to the rest",
    "lint.opens": "the A/B test judges by opens, which are inflated: Apple Mail opens every message on delivery",
    "lint.opens.fix": "write abTest: metric: clicks (the default): a click is a reader's choice",
  },
  ru: {
    sendsayCampaign:
      "выпуск с A/B-тестом тем нельзя передать Sendsay на отложенную отправку: сплит-тест Sendsay начинается сразу при создании",
    "sendsayCampaign.fix":
      "разошлите его по списку в нужное время командой `rassylka send <выпуск> --transport sendsay --group <список>` (сплит-тест Sendsay), либо через журнал отправки, либо оставьте одну тему",
    splitRefused:
      "Sendsay отказал в сплит-тесте тем для списка «{{group}}»: {{id}}{{explain}}. Ничего не отправлено: список выпуск не получил",
    "splitRefused.fix":
      "включите A/B-тесты (сплит-тесты) для аккаунта в Sendsay (тариф или права API) и запустите отправку снова; либо отправьте через журнал отправки (--to или --subscribers), где тест проводит сам rassylka; либо оставьте одну тему",
    splitRunning:
      "Сплит-тест Sendsay {{id}} для списка «{{group}}» идёт ({{status}}): повторите ту же команду или `rassylka status` позже, чтобы узнать решение.",
    splitDecided:
      "Сплит-тест Sendsay {{id}} для списка «{{group}}» завершён: победила тема {{n}}; Sendsay рассылает её остальным читателям списка.",
    "flag.decide": "решить A/B-тест тем выпуска сейчас и отправить победителя ожидающим читателям (docs/ab-testing.md)",
    "flag.winner": "сделать тему N (1–4, по порядку во front-matter) победителем A/B-теста и отправить её ожидающим читателям",
    "schema.sample": "нужна доля списка на каждую тему в процентах, больше 0 и не больше 50%, например 20%",
    "schema.sample.fix": "напишите abTest: sample: 10% (каждая тема уходит такой доле списка; остальным — победитель)",
    "schema.wait": "нужно ожидание от 30 минут до 48 часов в минутах или часах, например 30m или 4h",
    "schema.wait.fix": "напишите abTest: wait: 4h (не меньше 30m, не больше 48h)",
    "schema.oneSubject": "abTest нужны от двух до четырёх тем, а в subject: одна",
    "schema.oneSubject.fix": "запишите subject: списком (- Первая тема, - Вторая тема) или уберите abTest:",
    "schema.noneLeft": "{{count}} темы по {{sample}}% списка не оставляют читателей для победителя",
    "schema.noneLeft.fix": "сделайте abTest: sample: не больше {{max}}%",
    notMeasured: "A/B-тесту по {{metric}} нужен подсчёт {{metric}} по читателям, а в этом выпуске он выключен",
    "notMeasured.fix":
      "включите tracking: {{metric}}: true (не anonymous) в newsletter.yaml или во front-matter выпуска, либо оставьте одну тему",
    already: "A/B-тест уже решён: победила тема {{n}} («{{subject}}»), {{at}}",
    "already.fix": "запустите отправку без --ab-decide и --ab-winner: она отправит победителя читателям, которые ещё ждут",
    badWinner: "--ab-winner {{n}}: у выпуска темы с 1 по {{count}}",
    "badWinner.fix": "укажите номер темы по порядку во front-matter, от 1 до {{count}}",
    noTest: "{{flag}}: у выпуска одна тема, решать нечего",
    "noTest.fix": "запишите subject: списком из 2–4 тем, чтобы их сравнить, или уберите флаг",
    notASend: "{{flag}} решает тест настоящей отправки; у тестовых копий и пробного прогона его нет",
    "notASend.fix": "уберите --test и --dry-run или уберите флаг",
    heading: "A/B-тест тем по {{metric}}, {{sample}}% списка на каждую тему:",
    variant: "  {{n}}. «{{subject}}»: доставлено {{delivered}}, {{metric}} {{unique}}, доля {{rate}}",
    "metric.clicks": "кликнули",
    "metric.opens": "открыли",
    waitingSample: "  остальные ({{held}}) ждут, пока уйдёт выборка и пройдёт {{wait}}",
    waitingDecision:
      "  остальные ({{held}}) ждут решения, срок {{at}} (тогда решит worker; `rassylka send {{slug}} --ab-decide` решит сейчас)",
    "decision.significant": "  решение: побеждает тема {{n}}: хи-квадрат {{chi}}, p = {{p}} < 0,05 ({{by}})",
    "decision.no-difference": "  решение: значимой разницы нет (хи-квадрат {{chi}}, p = {{p}}): остальным уходит первая тема ({{by}})",
    "decision.too-small":
      "  решение: какая-то тема дошла меньше чем до {{min}} читателей ({{least}}), сравнивать рано: остальным уходит первая тема ({{by}})",
    "decision.chosen": "  решение: тема {{n}}, выбрал редактор",
    "by.worker": "решил worker после ожидания",
    "by.hand": "решено вручную",
    "by.winner": "выбрал редактор",
    rest: "  остальные получают тему {{n}}: доставлено {{delivered}}, осталось {{waiting}}",
    inboxRows: "Темы в A/B-тесте: каждая сначала уходит {{sample}}% списка, победитель — остальным",
    "lint.opens": "A/B-тест судит по открытиям, а они завышены: Apple Mail открывает каждое письмо при доставке",
    "lint.opens.fix": "напишите abTest: metric: clicks (по умолчанию): клик — выбор читателя",
  },
  uk: {
    sendsayCampaign:
      "випуск з A/B-тестом тем не можна передати Sendsay на відкладене надсилання: спліт-тест Sendsay починається одразу під час створення",
    "sendsayCampaign.fix":
      "розішліть його за списком у потрібний час командою `rassylka send <випуск> --transport sendsay --group <список>` (спліт-тест Sendsay), або через журнал надсилання, або залиште одну тему",
    splitRefused:
      "Sendsay відмовив у спліт-тесті тем для списку «{{group}}»: {{id}}{{explain}}. Нічого не надіслано: список випуску не отримав",
    "splitRefused.fix":
      "увімкніть A/B-тести (спліт-тести) для акаунта в Sendsay (тариф або права API) і запустіть надсилання знову; або надішліть через журнал надсилання (--to або --subscribers), де тест проводить сам rassylka; або залиште одну тему",
    splitRunning:
      "Спліт-тест Sendsay {{id}} для списку «{{group}}» триває ({{status}}): повторіть ту саму команду або `rassylka status` пізніше, щоб дізнатися рішення.",
    splitDecided:
      "Спліт-тест Sendsay {{id}} для списку «{{group}}» завершено: перемогла тема {{n}}; Sendsay розсилає її іншим читачам списку.",
    "flag.decide": "вирішити A/B-тест тем випуску зараз і надіслати переможця читачам, які чекають (docs/ab-testing.md)",
    "flag.winner": "зробити тему N (1–4, за порядком у front-matter) переможцем A/B-тесту і надіслати її читачам, які чекають",
    "schema.sample": "потрібна частка списку на кожну тему у відсотках, більше 0 і не більше 50%, наприклад 20%",
    "schema.sample.fix": "напишіть abTest: sample: 10% (кожна тема йде такій частці списку; решті — переможець)",
    "schema.wait": "потрібне очікування від 30 хвилин до 48 годин у хвилинах або годинах, наприклад 30m або 4h",
    "schema.wait.fix": "напишіть abTest: wait: 4h (не менше 30m, не більше 48h)",
    "schema.oneSubject": "abTest потрібні від двох до чотирьох тем, а в subject: одна",
    "schema.oneSubject.fix": "запишіть subject: списком (- Перша тема, - Друга тема) або приберіть abTest:",
    "schema.noneLeft": "{{count}} теми по {{sample}}% списку не лишають читачів для переможця",
    "schema.noneLeft.fix": "зробіть abTest: sample: не більше {{max}}%",
    notMeasured: "A/B-тесту за {{metric}} потрібен підрахунок {{metric}} за читачами, а в цьому випуску його вимкнено",
    "notMeasured.fix":
      "увімкніть tracking: {{metric}}: true (не anonymous) у newsletter.yaml або у front-matter випуску, або лишіть одну тему",
    already: "A/B-тест уже вирішено: перемогла тема {{n}} («{{subject}}»), {{at}}",
    "already.fix": "запустіть надсилання без --ab-decide і --ab-winner: воно надішле переможця читачам, які ще чекають",
    badWinner: "--ab-winner {{n}}: у випуску теми з 1 по {{count}}",
    "badWinner.fix": "вкажіть номер теми за порядком у front-matter, від 1 до {{count}}",
    noTest: "{{flag}}: у випуску одна тема, вирішувати нічого",
    "noTest.fix": "запишіть subject: списком із 2–4 тем, щоб їх порівняти, або приберіть прапорець",
    notASend: "{{flag}} вирішує тест справжнього надсилання; у тестових копій і пробного прогону його немає",
    "notASend.fix": "приберіть --test і --dry-run або приберіть прапорець",
    heading: "A/B-тест тем за {{metric}}, {{sample}}% списку на кожну тему:",
    variant: "  {{n}}. «{{subject}}»: доставлено {{delivered}}, {{metric}} {{unique}}, частка {{rate}}",
    "metric.clicks": "клікнули",
    "metric.opens": "відкрили",
    waitingSample: "  решта ({{held}}) чекає, доки піде вибірка і мине {{wait}}",
    waitingDecision:
      "  решта ({{held}}) чекає рішення, строк {{at}} (тоді вирішить worker; `rassylka send {{slug}} --ab-decide` вирішить зараз)",
    "decision.significant": "  рішення: перемагає тема {{n}}: хі-квадрат {{chi}}, p = {{p}} < 0,05 ({{by}})",
    "decision.no-difference": "  рішення: значущої різниці немає (хі-квадрат {{chi}}, p = {{p}}): решті йде перша тема ({{by}})",
    "decision.too-small":
      "  рішення: якась тема дійшла менше ніж до {{min}} читачів ({{least}}), порівнювати зарано: решті йде перша тема ({{by}})",
    "decision.chosen": "  рішення: тема {{n}}, обрав редактор",
    "by.worker": "вирішив worker після очікування",
    "by.hand": "вирішено вручну",
    "by.winner": "обрав редактор",
    rest: "  решта отримує тему {{n}}: доставлено {{delivered}}, лишилося {{waiting}}",
    inboxRows: "Теми в A/B-тесті: кожна спершу йде {{sample}}% списку, переможець — решті",
    "lint.opens": "A/B-тест судить за відкриттями, а вони завищені: Apple Mail відкриває кожен лист під час доставки",
    "lint.opens.fix": "напишіть abTest: metric: clicks (за замовчуванням): клік — вибір читача",
  },
};
