import type { Catalogue } from "./types.js";

/**
 * Click and open tracking (src/render/tracking.ts, src/server/track.ts, docs/report.md): what a send
 * refuses when tracking cannot work, and the page a damaged tracked link gets.
 */
export const tracking: Catalogue = {
  en: {
    noUrl: "tracking is on but the newsletter has no url: tracked links lead to <url>/c/…, which `rassylka serve` answers",
    "noUrl.fix": "add url: https://… (where `rassylka serve` answers) to newsletter.yaml, or set tracking: false",
    "badLink.title": "{{name}}: this link does not work",
    "badLink.text":
      "This link from an email is damaged (perhaps cut short when it was copied) or belongs to another newsletter. Open the link in the email itself, or find the issue in the archive.",
    unavailable: "Links from the emails cannot be followed right now. Please try again in a few minutes.",
  },
  ru: {
    noUrl: "учёт переходов включён, но у рассылки нет url: ссылки в письмах ведут на <url>/c/…, а там отвечает `rassylka serve`",
    "noUrl.fix": "добавьте в newsletter.yaml url: https://… (адрес, где работает `rassylka serve`) или отключите учёт: tracking: false",
    "badLink.title": "{{name}}: ссылка не работает",
    "badLink.text":
      "Ссылка из письма повреждена (возможно, обрезалась при копировании) или относится к другой рассылке. Откройте ссылку прямо из письма или найдите выпуск в архиве.",
    unavailable: "Ссылки из писем сейчас не открываются. Попробуйте ещё раз через несколько минут.",
  },
  uk: {
    noUrl: "облік переходів увімкнено, але розсилка не має url: посилання в листах ведуть на <url>/c/…, де відповідає `rassylka serve`",
    "noUrl.fix": "додайте до newsletter.yaml url: https://… (адреса, де працює `rassylka serve`) або вимкніть облік: tracking: false",
    "badLink.title": "{{name}}: посилання не працює",
    "badLink.text":
      "Посилання з листа пошкоджене (можливо, обрізалося під час копіювання) або належить іншій розсилці. Відкрийте посилання безпосередньо з листа або знайдіть випуск в архіві.",
    unavailable: "Посилання з листів зараз не відкриваються. Спробуйте ще раз за кілька хвилин.",
  },
};
