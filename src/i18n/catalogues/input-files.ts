import type { Catalogue } from "./types.js";

/** Files rassylka is given to read (src/util/fs.ts readRegularFile): issues, bounce messages. */
export const inputFiles: Catalogue = {
  en: {
    missing: "no such file or folder",
    "missing.fix": "check the path: give .eml files, mbox files or Maildir folders (with cur/ and new/)",
    denied: "permission denied",
    "denied.fix": "give this user read access to it (or run the command as a user who has it)",
    notRegular: "{{path}} is not a regular file (a FIFO, a device or a socket): it would never end",
    tooBig: "{{path}} is {{size}} MB, more than the {{max}} MB read at most",
  },
  ru: {
    missing: "нет такого файла или папки",
    "missing.fix": "проверьте путь: нужны файлы .eml, файлы mbox или папки Maildir (с cur/ и new/)",
    denied: "нет прав на чтение",
    "denied.fix": "дайте этому пользователю право читать его (или запустите команду от пользователя, у которого оно есть)",
    notRegular: "{{path}} — не обычный файл (канал FIFO, устройство или сокет): его чтение никогда не закончится",
    tooBig: "{{path}} весит {{size}} МБ, больше предела в {{max}} МБ",
  },
  uk: {
    missing: "немає такого файлу або теки",
    "missing.fix": "перевірте шлях: потрібні файли .eml, файли mbox або теки Maildir (з cur/ і new/)",
    denied: "немає прав на читання",
    "denied.fix": "дайте цьому користувачеві право читати його (або запустіть команду від користувача, який його має)",
    notRegular: "{{path}} — не звичайний файл (канал FIFO, пристрій або сокет): його читання ніколи не скінчиться",
    tooBig: "{{path}} важить {{size}} МБ, більше за межу в {{max}} МБ",
  },
};
