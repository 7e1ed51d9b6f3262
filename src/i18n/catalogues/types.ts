/** One subject's messages in every language; keys are the same in each (tests/i18n/catalogues.test.ts). */
export interface Catalogue {
  en: Record<string, string>;
  ru: Record<string, string>;
  uk: Record<string, string>;
}
