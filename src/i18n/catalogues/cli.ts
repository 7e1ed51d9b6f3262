import type { Catalogue } from "./types.js";

/** What the command line itself says, around every command. */
export const cli: Catalogue = {
  en: {
    usageHint: "(`{{help}}` shows how the command is used)",
  },
  ru: {
    usageHint: "(как пользоваться командой, покажет `{{help}}`)",
  },
  uk: {
    usageHint: "(як користуватися командою, покаже `{{help}}`)",
  },
};
