import type { Catalogue } from "./types.js";

/** Words every command uses: counts of the newsletter's things, yes/no. */
export const common: Catalogue = {
  en: {
    issues_one: "{{count}} issue",
    issues_other: "{{count}} issues",
    readers_one: "{{count}} reader",
    readers_other: "{{count}} readers",
    yes: "yes",
    no: "no",
  },
  ru: {
    issues_one: "{{count}} выпуск",
    issues_few: "{{count}} выпуска",
    issues_many: "{{count}} выпусков",
    issues_other: "{{count}} выпуска",
    readers_one: "{{count}} читатель",
    readers_few: "{{count}} читателя",
    readers_many: "{{count}} читателей",
    readers_other: "{{count}} читателя",
    yes: "да",
    no: "нет",
  },
  uk: {
    issues_one: "{{count}} випуск",
    issues_few: "{{count}} випуски",
    issues_many: "{{count}} випусків",
    issues_other: "{{count}} випуску",
    readers_one: "{{count}} читач",
    readers_few: "{{count}} читачі",
    readers_many: "{{count}} читачів",
    readers_other: "{{count}} читача",
    yes: "так",
    no: "ні",
  },
};
