import type { Catalogue } from "./types.js";

/** newsletter.yaml and an issue's front-matter: loading errors and what is wrong with a field (src/config). */
export const config: Catalogue = {
  en: {
    missing: "no {{file}} in {{dir}}",
    "missing.fix": "run the command in the newsletter's folder, pass --root DIR, or create one with `rassylka init DIR`",
    empty: "{{file}} is empty or not a mapping of keys to values",
    "empty.fix": "start from `rassylka init` or add at least `name:` and `from: { name, email }`",
  },
  ru: {
    missing: "в {{dir}} нет {{file}}",
    "missing.fix": "запустите команду в папке рассылки, укажите --root ПАПКА или создайте рассылку: `rassylka init ПАПКА`",
    empty: "{{file}} пуст или это не список полей «ключ: значение»",
    "empty.fix": "начните с `rassylka init` или напишите хотя бы `name:` и `from: { name, email }`",
  },
  uk: {
    missing: "у {{dir}} немає {{file}}",
    "missing.fix": "запустіть команду в теці розсилки, вкажіть --root ТЕКА або створіть розсилку: `rassylka init ТЕКА`",
    empty: "{{file}} порожній або це не список полів «ключ: значення»",
    "empty.fix": "почніть із `rassylka init` або напишіть хоча б `name:` і `from: { name, email }`",
  },
};
