import type { Catalogue } from "./types.js";

/** `serve`'s connection limits (src/http/server.ts): the keep-alive flag's error. */
export const serveLimits: Catalogue = {
  en: {
    keepAliveBad: "--keep-alive {{value}} is not a number of seconds above 0",
    keepAliveFix: "give the seconds an idle connection stays open, e.g. --keep-alive 60 (it cannot be turned off)",
  },
  ru: {
    keepAliveBad: "--keep-alive {{value}}: нужно число секунд больше нуля",
    keepAliveFix: "укажите, сколько секунд держать открытым простаивающее соединение, например --keep-alive 60 (отключить нельзя)",
  },
  uk: {
    keepAliveBad: "--keep-alive {{value}}: потрібне число секунд, більше за нуль",
    keepAliveFix: "вкажіть, скільки секунд тримати відкритим з'єднання без запитів, наприклад --keep-alive 60 (вимкнути не можна)",
  },
};
