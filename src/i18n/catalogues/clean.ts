import type { Catalogue } from "./types.js";

/** `rassylka build --clean`: emptying the output folder, refused outside the newsletter. */
export const clean: Catalogue = {
  en: {
    flag: "empty the output folder first (only a folder inside the newsletter)",
    refused: "--clean would empty {{out}}, which is not a folder inside the newsletter",
    refusedFix: "give --out a folder inside the newsletter's root (the default is dist), or leave out --clean",
  },
  ru: {
    flag: "сначала очистить папку вывода (только папку внутри рассылки)",
    refused: "--clean очистил бы {{out}}, а это не папка внутри рассылки",
    refusedFix: "укажите в --out папку внутри папки рассылки (по умолчанию dist) или уберите --clean",
  },
  uk: {
    flag: "спершу очистити теку виводу (лише теку всередині розсилки)",
    refused: "--clean очистив би {{out}}, а це не тека всередині розсилки",
    refusedFix: "вкажіть у --out теку всередині теки розсилки (типово dist) або приберіть --clean",
  },
};
