import { createRequire } from "node:module";
import type { i18n as I18n } from "i18next";
import { CATALOGUES } from "./catalogues/index.js";

/**
 * Every word a person reads, in the editors' language: one catalogue per subject in ./catalogues/
 * (each file holds `en`, `ru` and `uk` side by side), read the way i18next reads them. Keys are
 * `namespace:key`; parameters are named (`{{count}}`, `{{file}}`); plurals use `count` with i18next's
 * suffixes, which follow `Intl.PluralRules` (ru/uk: `_one`, `_few`, `_many`, `_other`; en: `_one`, `_other`).
 * Rule ids, JSON keys and exit codes never go through here: only human texts change with the language.
 *
 * Start-up: a plain message (only `{{name}}` placeholders: all of ours) is formatted by ./words.ts with
 * i18next's rules, and i18next itself is loaded only for a message that needs more (nesting, formats)
 * or a key no catalogue has; tests/i18n/catalogues.test.ts checks both ways give the same text.
 */
export { LANGUAGES, type Lang, type LangSources, langOf, resolveLang } from "./lang.js";

import type { Lang } from "./lang.js";
import { interpolate, lookup, plain } from "./words.js";

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

/** i18next, required on first need (its CommonJS build: `t` is synchronous, so it cannot be `import()`ed). */
let engine: typeof import("i18next").default | undefined;

/** i18next for one language: its messages and English, each namespace added when first asked for. */
export function i18nextFor(lang: Lang, ns: string): I18n {
  engine ??= createRequire(import.meta.url)("i18next") as typeof import("i18next").default;
  let it = instances.get(lang);
  if (!it) {
    it = engine.createInstance();
    // initAsync false: resources are in memory, so init is synchronous and `t` works at once
    void it.init({
      lng: lang,
      fallbackLng: "en",
      resources: {},
      ns: [],
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
  const cat = CATALOGUES[ns];
  if (cat && !it.hasResourceBundle("en", ns)) for (const l of new Set([lang, "en" as const])) it.addResourceBundle(l, ns, cat[l]);
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
  return {
    lang,
    t: (key, params) => {
      const at = key.indexOf(":");
      const ns = at < 0 ? "common" : key.slice(0, at);
      const name = at < 0 ? key : key.slice(at + 1);
      const cat = CATALOGUES[ns];
      const text = cat && lookup(cat, lang, name, params?.count);
      if (text !== undefined && plain(text)) return interpolate(text, params);
      return i18nextFor(lang, ns).getFixedT(lang)(key, params as Record<string, unknown>) as string;
    },
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
