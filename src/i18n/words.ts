import type { Catalogue } from "./catalogues/types.js";
import type { Lang } from "./lang.js";

export type Words = (key: string, params?: Record<string, unknown>) => string;

/**
 * A message as i18next reads it, without i18next: every message of ours is plain text with `{{name}}`
 * placeholders and plural forms by suffix, and i18next's rules for those fit in a few lines. Loading
 * i18next and building its stores costs a cached `build` a tenth of a bare `node`'s start-up
 * (docs/performance.md), so src/i18n/index.ts formats plain messages here and keeps i18next for
 * anything richer (nesting `$t(…)`, formats `{{n, number}}`, `{{- raw}}`).
 * tests/i18n/catalogues.test.ts checks that every message of every catalogue reads the same both ways.
 */

/** Only `{{name}}` placeholders: what `interpolate` below formats exactly as i18next does. */
export function plain(text: string): boolean {
  return !text.includes("$t(") && !/\{\{\s*-|\{\{[^}]*,/.test(text);
}

const rules = new Map<Lang, Intl.PluralRules>();
function pluralForm(lang: Lang, count: number): string {
  let r = rules.get(lang);
  if (!r) {
    r = new Intl.PluralRules(lang);
    rules.set(lang, r);
  }
  return r.select(count);
}

/**
 * The text of `key` in `lang`, else in English, as i18next resolves it: with a numeric `count`, first
 * `key_zero` for 0, then `key_<form>` (`Intl.PluralRules`: one, few, many, other), then `key` itself.
 */
export function lookup(catalogue: Catalogue, lang: Lang, key: string, count?: unknown): string | undefined {
  for (const l of lang === "en" ? (["en"] as const) : ([lang, "en"] as const)) {
    const messages = catalogue[l];
    if (typeof count === "number") {
      const zero = count === 0 ? messages[`${key}_zero`] : undefined;
      const form = zero ?? messages[`${key}_${pluralForm(l, count)}`];
      if (form !== undefined) return form;
    }
    if (messages[key] !== undefined) return messages[key];
  }
  return undefined;
}

/** `{{name}}` and `{{a.b}}` replaced by their parameter; a missing one stays as it is (i18next's `skipOnVariables`). */
export function interpolate(text: string, params: Record<string, unknown> = {}): string {
  if (!text.includes("{{")) return text;
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, path: string) => {
    let value: unknown = params;
    for (const part of path.split("."))
      value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[part];
    return value === undefined ? m : value === null ? "" : String(value);
  });
}

/**
 * Plain look-up in one catalogue, without i18next: for the texts read before a command is loaded
 * (`rassylka --help`, commander's usage errors). Falls back to English, then to the key itself.
 */
export function words(catalogue: Catalogue, lang: Lang): Words {
  return (key, params = {}) => interpolate(lookup(catalogue, lang, key, params.count) ?? key, params);
}
