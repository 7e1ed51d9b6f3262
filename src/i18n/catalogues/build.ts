import type { Catalogue } from "./types.js";

/** `rassylka build`'s own texts. */
export const build: Catalogue = {
  en: {
    cleanRefused: "--clean would empty {{out}}, which is not a folder inside the newsletter",
    cleanRefusedFix: "give --out a folder inside the newsletter's root (the default is dist), or leave out --clean",
  },
  ru: {
    cleanRefused: "--clean очистил бы {{out}}, а это не папка внутри рассылки",
    cleanRefusedFix: "укажите в --out папку внутри папки рассылки (по умолчанию dist) или уберите --clean",
  },
  uk: {
    cleanRefused: "--clean очистив би {{out}}, а це не тека всередині розсилки",
    cleanRefusedFix: "вкажіть у --out теку всередині теки розсилки (типово dist) або приберіть --clean",
  },
};
