import i18next, { type i18n as I18n } from "i18next";
import { CATALOGUES } from "./catalogues/index.js";

/**
 * Every word a person reads, in the editors' language: one catalogue per subject in ./catalogues/
 * (each file holds `en`, `ru` and `uk` side by side), read through i18next. Keys are `namespace:key`;
 * parameters are named (`{{count}}`, `{{file}}`); plurals use `count` with i18next's suffixes, which
 * follow `Intl.PluralRules` (ru/uk: `_one`, `_few`, `_many`, `_other`; en: `_one`, `_other`).
 * Rule ids, JSON keys and exit codes never go through here: only human texts change with the language.
 */
export { LANGUAGES, type Lang, type LangSources, langOf, resolveLang } from "./lang.js";

import { LANGUAGES, type Lang } from "./lang.js";

export type Params = Record<string, unknown> & { count?: number };

export interface Translator {
  readonly lang: Lang;
  /** The message `ns:key` with its parameters; a missing key gives the key itself (the catalogue test catches it). */
  t(key: string, params?: Params): string;
  /** A number written for the locale (`Intl.NumberFormat`). */
  number(n: number): string;
  /** A date (and time, when `time`) written for the locale (`Intl.DateTimeFormat`). */
  date(d: Date | string, time?: boolean): string;
}

const instances = new Map<Lang, I18n>();

function instance(lang: Lang): I18n {
  let it = instances.get(lang);
  if (!it) {
    it = i18next.createInstance();
    const resources: Record<string, Record<string, Record<string, string>>> = {};
    for (const l of LANGUAGES) {
      resources[l] = {};
      for (const [ns, cat] of Object.entries(CATALOGUES)) resources[l][ns] = cat[l];
    }
    // initAsync false: resources are in memory, so init is synchronous and `t` works at once
    void it.init({
      lng: lang,
      fallbackLng: "en",
      resources,
      ns: Object.keys(CATALOGUES),
      defaultNS: "common",
      nsSeparator: ":",
      keySeparator: false,
      initAsync: false,
      // texts go to terminals, JSON and templates that escape on their own
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    instances.set(lang, it);
  }
  return it;
}

const translators = new Map<Lang, Translator>();

/** A translator for one language. Cheap to call again: one i18next instance per language per process. */
export function translator(lang: Lang): Translator {
  let tr = translators.get(lang);
  if (!tr) {
    tr = create(lang);
    translators.set(lang, tr);
  }
  return tr;
}

function create(lang: Lang): Translator {
  const it = instance(lang);
  const fixed = it.getFixedT(lang);
  return {
    lang,
    t: (key, params) => fixed(key, params as Record<string, unknown>) as string,
    number: (n) => new Intl.NumberFormat(lang).format(n),
    date: (d, time = false) =>
      new Intl.DateTimeFormat(lang, time ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" }).format(
        typeof d === "string" ? new Date(d) : d,
      ),
  };
}

/**
 * The editor's language for this process: the CLI chooses it once (`resolveLang`) before a command
 * runs, and a build worker is told it with each task. Library code writes its findings through `t`
 * below; until the CLI says otherwise (tests calling the library directly) it is English.
 */
let current: Lang = "en";

export function setLanguage(lang: Lang): void {
  current = lang;
}

export function language(): Lang {
  return current;
}

/** The editor's translator (see `setLanguage`). */
export function tr(): Translator {
  return translator(current);
}

/** `ns:key` in the editor's language. */
export function t(key: string, params?: Params): string {
  return translator(current).t(key, params);
}
