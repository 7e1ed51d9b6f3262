import type { Catalogue } from "./types.js";

/** `serve`'s connection limits (src/server/http.ts): the errors of its keep-alive and timeout flags. */
export const serveLimits: Catalogue = {
  en: {
    keepAliveBad: "--keep-alive {{value}} is not a number of seconds above 0",
    keepAliveFix: "give the seconds an idle connection stays open, e.g. --keep-alive 60 (it cannot be turned off)",
    timeoutBad: "{{flag}} {{value}} is not a number of seconds above 0",
    timeoutFix: "give the seconds a client may take, e.g. --headers-timeout 10 --request-timeout 30 (the defaults)",
    headersOverRequest: "--headers-timeout {{headers}} is longer than --request-timeout {{request}}: the headers are part of the request",
  },
  ru: {
    keepAliveBad: "--keep-alive {{value}}: нужно число секунд больше нуля",
    keepAliveFix: "укажите, сколько секунд держать открытым простаивающее соединение, например --keep-alive 60 (отключить нельзя)",
    timeoutBad: "{{flag}} {{value}}: нужно число секунд больше нуля",
    timeoutFix:
      "укажите, сколько секунд может занять запрос клиента, например --headers-timeout 10 --request-timeout 30 (так по умолчанию)",
    headersOverRequest: "--headers-timeout {{headers}} больше, чем --request-timeout {{request}}: заголовки входят в запрос",
  },
  uk: {
    keepAliveBad: "--keep-alive {{value}}: потрібне число секунд, більше за нуль",
    keepAliveFix: "вкажіть, скільки секунд тримати відкритим з'єднання без запитів, наприклад --keep-alive 60 (вимкнути не можна)",
    timeoutBad: "{{flag}} {{value}}: потрібне число секунд, більше за нуль",
    timeoutFix: "вкажіть, скільки секунд може тривати запит клієнта, наприклад --headers-timeout 10 --request-timeout 30 (типові значення)",
    headersOverRequest: "--headers-timeout {{headers}} більше за --request-timeout {{request}}: заголовки входять до запиту",
  },
};
