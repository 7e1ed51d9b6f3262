import type { Catalogue } from "./catalogues/types.js";
import type { Lang } from "./lang.js";

export type Words = (key: string, params?: Record<string, unknown>) => string;

/**
 * Plain look-up in one catalogue, without i18next: for the few texts read before a command is loaded
 * (`rassylka --help`, commander's usage errors), which have no plurals. Falls back to English, then
 * to the key itself.
 */
export function words(catalogue: Catalogue, lang: Lang): Words {
  return (key, params = {}) =>
    (catalogue[lang][key] ?? catalogue.en[key] ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) =>
      name in params ? String(params[name]) : m,
    );
}
