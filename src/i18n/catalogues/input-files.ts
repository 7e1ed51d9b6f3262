import type { Catalogue } from "./types.js";

/** Files rassylka is given to read (src/util/fs.ts readRegularFile): issues, bounce messages. */
export const inputFiles: Catalogue = {
  en: {
    notRegular: "{{path}} is not a regular file (a FIFO, a device or a socket): it would never end",
    tooBig: "{{path}} is {{size}} MB, more than the {{max}} MB read at most",
  },
  ru: {
    notRegular: "{{path}} — не обычный файл (канал FIFO, устройство или сокет): его чтение никогда не закончится",
    tooBig: "{{path}} весит {{size}} МБ, больше предела в {{max}} МБ",
  },
  uk: {
    notRegular: "{{path}} — не звичайний файл (канал FIFO, пристрій або сокет): його читання ніколи не скінчиться",
    tooBig: "{{path}} важить {{size}} МБ, більше за межу в {{max}} МБ",
  },
};
