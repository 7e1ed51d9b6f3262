import type { Catalogue } from "./types.js";

/** Click tracking (src/render/tracking.ts, docs/report.md): what a send refuses when tracking cannot work. */
export const tracking: Catalogue = {
  en: {
    noUrl: "tracking is on but the newsletter has no url: tracked links lead to <url>/c/…, which `rassylka serve` answers",
    "noUrl.fix": "add url: https://… (where `rassylka serve` answers) to newsletter.yaml, or set tracking: false",
  },
  ru: {
    noUrl: "учёт переходов включён, но у рассылки нет url: ссылки в письмах ведут на <url>/c/…, а там отвечает `rassylka serve`",
    "noUrl.fix": "добавьте в newsletter.yaml url: https://… (адрес, где работает `rassylka serve`) или отключите учёт: tracking: false",
  },
  uk: {
    noUrl: "облік переходів увімкнено, але розсилка не має url: посилання в листах ведуть на <url>/c/…, де відповідає `rassylka serve`",
    "noUrl.fix": "додайте до newsletter.yaml url: https://… (адреса, де працює `rassylka serve`) або вимкніть облік: tracking: false",
  },
};
