import type { Catalogue } from "./types.js";

/** `rassylka screenshots`: its flags and what it prints (src/cli/screenshots.ts). */
export const screenshots: Catalogue = {
  en: {
    "flag.out": "output folder, relative to the root",
    blocked_one: "    blocked {{count}} network request: remote images show as missing",
    blocked_other: "    blocked {{count}} network requests: remote images show as missing",
    shots_one: "Wrote {{count}} screenshot",
    shots_other: "Wrote {{count}} screenshots",
    issues_one: "of {{count}} issue",
    issues_other: "of {{count}} issues",
    summary: "{{shots}} {{issues}} into {{dir}}/ in {{ms}} ms{{failed}}.",
    failed: "; {{count}} did not build: {{files}}",
    "chromium.install":
      "install one (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome executable, e.g. CHROMIUM_PATH=/usr/bin/chromium",
    "chromium.notExecutable": '{{env}} is set to "{{path}}", which is not an executable file',
    "chromium.notExecutable.fix":
      "point {{env}} at a Chromium or Chrome binary (see `command -v chromium`), or unset it and install one: `sudo apt-get install chromium`",
    "chromium.notFound": "no Chromium found: {{env}} is not set and none of {{names}} is on PATH",
    "chromium.failed": "Chromium at {{path}} did not start: {{error}}",
    "chromium.failed.fix": "check that `{{path}} --headless --no-sandbox --dump-dom about:blank` runs; {{install}}",
  },
  ru: {
    "flag.out": "папка для снимков, от папки рассылки",
    blocked_one: "    заблокирован {{count}} сетевой запрос: внешние картинки не видны",
    blocked_few: "    заблокировано {{count}} сетевых запроса: внешние картинки не видны",
    blocked_many: "    заблокировано {{count}} сетевых запросов: внешние картинки не видны",
    blocked_other: "    заблокировано {{count}} сетевого запроса: внешние картинки не видны",
    shots_one: "Сделан {{count}} снимок",
    shots_few: "Сделано {{count}} снимка",
    shots_many: "Сделано {{count}} снимков",
    shots_other: "Сделано {{count}} снимка",
    issues_one: "{{count}} выпуска",
    issues_few: "{{count}} выпусков",
    issues_many: "{{count}} выпусков",
    issues_other: "{{count}} выпуска",
    summary: "{{shots}} {{issues}} в {{dir}}/ за {{ms}} мс{{failed}}.",
    failed: "; не собрано: {{count}} ({{files}})",
    "chromium.install":
      "установите его (Debian/Ubuntu: `sudo apt-get install chromium`) или укажите в CHROMIUM_PATH исполняемый файл Chromium или Chrome, например CHROMIUM_PATH=/usr/bin/chromium",
    "chromium.notExecutable": "в {{env}} указан «{{path}}», а это не исполняемый файл",
    "chromium.notExecutable.fix":
      "укажите в {{env}} исполняемый файл Chromium или Chrome (см. `command -v chromium`) или уберите переменную и установите его: `sudo apt-get install chromium`",
    "chromium.notFound": "Chromium не найден: {{env}} не задан, и в PATH нет ни одного из {{names}}",
    "chromium.failed": "Chromium ({{path}}) не запустился: {{error}}",
    "chromium.failed.fix": "проверьте, что работает `{{path}} --headless --no-sandbox --dump-dom about:blank`; {{install}}",
  },
  uk: {
    "flag.out": "тека для знімків, від теки розсилки",
    blocked_one: "    заблоковано {{count}} мережевий запит: зовнішні зображення не видно",
    blocked_few: "    заблоковано {{count}} мережеві запити: зовнішні зображення не видно",
    blocked_many: "    заблоковано {{count}} мережевих запитів: зовнішні зображення не видно",
    blocked_other: "    заблоковано {{count}} мережевого запиту: зовнішні зображення не видно",
    shots_one: "Зроблено {{count}} знімок",
    shots_few: "Зроблено {{count}} знімки",
    shots_many: "Зроблено {{count}} знімків",
    shots_other: "Зроблено {{count}} знімка",
    issues_one: "{{count}} випуску",
    issues_few: "{{count}} випусків",
    issues_many: "{{count}} випусків",
    issues_other: "{{count}} випуску",
    summary: "{{shots}} {{issues}} у {{dir}}/ за {{ms}} мс{{failed}}.",
    failed: "; не зібрано: {{count}} ({{files}})",
    "chromium.install":
      "установіть його (Debian/Ubuntu: `sudo apt-get install chromium`) або вкажіть у CHROMIUM_PATH виконуваний файл Chromium чи Chrome, наприклад CHROMIUM_PATH=/usr/bin/chromium",
    "chromium.notExecutable": "у {{env}} вказано «{{path}}», а це не виконуваний файл",
    "chromium.notExecutable.fix":
      "вкажіть у {{env}} виконуваний файл Chromium чи Chrome (див. `command -v chromium`) або приберіть змінну й установіть його: `sudo apt-get install chromium`",
    "chromium.notFound": "Chromium не знайдено: {{env}} не задано, і в PATH немає жодного з {{names}}",
    "chromium.failed": "Chromium ({{path}}) не запустився: {{error}}",
    "chromium.failed.fix": "перевірте, що працює `{{path}} --headless --no-sandbox --dump-dom about:blank`; {{install}}",
  },
};
