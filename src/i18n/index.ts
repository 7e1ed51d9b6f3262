import i18next, { type i18n as I18n } from "i18next";
import { CATALOGUES } from "./catalogues/index.js";

/**
 * Every word a person reads, in the editors' language: one catalogue per subject in ./catalogues/
 * (each file holds `en`, `ru` and `uk` side by side), read through i18next. Keys are `namespace:key`;
 * parameters are named (`{{count}}`, `{{file}}`); plurals use `count` with i18next's suffixes, which
 * follow `Intl.PluralRules` (ru/uk: `_one`, `_few`, `_many`, `_other`; en: `_one`, `_other`).
 * Rule ids, JSON keys and exit codes never go through here: only human texts change with the language.
 */
export const LANGUAGES = ["ru", "en", "uk"] as const;
export type Lang = (typeof LANGUAGES)[number];

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

/** The language a language tag (`ru`, `ru-RU`, `uk_UA.UTF-8`, `en-US`) asks for, or undefined when we have none. */
export function langOf(tag: string | undefined): Lang | undefined {
  if (!tag) return undefined;
  const base = tag
    .trim()
    .toLowerCase()
    .split(/[-_.@]/)[0];
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Lang) : undefined;
}

export interface LangSources {
  /** `--lang` */
  flag?: string;
  /** `RASSYLKA_LANG`, `LC_ALL`, `LC_MESSAGES`, `LANG`: the process environment. */
  env?: NodeJS.ProcessEnv;
  /** the newsletter's `language` from newsletter.yaml */
  config?: string;
}

/** Which language: `--lang`, else `RASSYLKA_LANG`, else the newsletter's `language`, else the system locale, else English. */
export function resolveLang({ flag, env = {}, config }: LangSources): Lang {
  return (
    langOf(flag) ?? langOf(env.RASSYLKA_LANG) ?? langOf(config) ?? langOf(env.LC_ALL) ?? langOf(env.LC_MESSAGES) ?? langOf(env.LANG) ?? "en"
  );
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

/** A translator for one language. Cheap to call again: one i18next instance per language per process. */
export function translator(lang: Lang): Translator {
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
