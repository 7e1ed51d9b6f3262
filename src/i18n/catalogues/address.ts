import type { Catalogue } from "./types.js";

/**
 * Why an address is not one (src/identity/address.ts `emailProblem`). The check's own words stay English:
 * they are data in `--json` (`invalidRows[].reason`) and in the ledger; the CLI shows them through these.
 */
export const address: Catalogue = {
  en: {
    empty: "empty address",
    long: "address longer than 254 characters",
    chars: "address contains spaces or characters not allowed in an address",
    at: "expected one @ between a name and a domain",
    local: "the part before @ is not a valid mailbox name",
    domain: '"{{domain}}" is not a valid domain',
  },
  ru: {
    empty: "пустой адрес",
    long: "адрес длиннее 254 символов",
    chars: "в адресе пробелы или недопустимые знаки",
    at: "нужна одна @ между именем и доменом",
    local: "часть до @ — не имя почтового ящика",
    domain: "«{{domain}}» — не домен",
  },
  uk: {
    empty: "порожня адреса",
    long: "адреса довша за 254 символи",
    chars: "в адресі пробіли або неприпустимі знаки",
    at: "потрібна одна @ між ім'ям і доменом",
    local: "частина до @ — не ім'я поштової скриньки",
    domain: "«{{domain}}» — не домен",
  },
};
