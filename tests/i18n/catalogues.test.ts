import { describe, expect, it } from "vitest";
import { CATALOGUES } from "../../src/i18n/catalogues/index.js";
import { i18nextFor, LANGUAGES, resolveLang, translator } from "../../src/i18n/index.js";
import { words } from "../../src/i18n/words.js";

/** The base key of a plural form (`issues_few` → `issues`), so forms that only one language needs compare equal. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");
const params = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();

describe("message catalogues", () => {
  for (const [ns, cat] of Object.entries(CATALOGUES)) {
    it(`${ns}: every language has every message, with the same parameters`, () => {
      const keys = (l: (typeof LANGUAGES)[number]) => [...new Set(Object.keys(cat[l]).map(base))].sort();
      for (const l of LANGUAGES) expect(keys(l), `${ns} in ${l}`).toEqual(keys("en"));
      for (const l of LANGUAGES) {
        for (const [key, text] of Object.entries(cat[l])) {
          const en = cat.en[key] ?? cat.en[`${base(key)}_other`];
          expect(new Set(params(text)), `${ns}:${key} in ${l}`).toEqual(new Set(params(en)));
        }
      }
    });
    it(`${ns}: plural keys have every form the language needs`, () => {
      for (const l of LANGUAGES) {
        const forms = new Intl.PluralRules(l).resolvedOptions().pluralCategories;
        const plural = new Set(
          Object.keys(cat[l])
            .filter((k) => k !== base(k))
            .map(base),
        );
        for (const b of plural) for (const f of forms) expect(cat[l], `${ns}:${b}_${f} in ${l}`).toHaveProperty(`${b}_${f}`);
      }
    });
  }
});

describe("without i18next, the same texts as i18next", () => {
  // src/i18n/words.ts formats plain messages itself (start-up); i18next stays the reference
  for (const [ns, cat] of Object.entries(CATALOGUES)) {
    it(`${ns}: every message, every plural form, in every language`, () => {
      for (const lang of LANGUAGES) {
        const fixed = i18nextFor(lang, ns).getFixedT(lang);
        // i18next cannot read a key with its separator in it (cli's `help.Usage:`, read by `words` only)
        for (const key of new Set(
          Object.keys(cat.en)
            .map(base)
            .filter((k) => !k.includes(":")),
        )) {
          const names = params(cat.en[key] ?? cat.en[`${key}_other`]);
          const values = Object.fromEntries(names.map((n) => [n, `‹${n}›`]));
          const plural = Object.keys(cat.en).some((k) => k !== key && base(k) === key);
          for (const count of plural ? [0, 1, 2, 5, 11, 21, 22, 25, 111, 1.5] : [undefined]) {
            const p: Record<string, unknown> = count === undefined ? values : { ...values, count };
            expect(words(cat, lang)(key, p), `${ns}:${key} in ${lang} (${count})`).toBe(fixed(`${ns}:${key}`, p));
          }
        }
        // a parameter left out stays as it is, as i18next leaves it
        const some = Object.keys(cat.en).find((k) => params(cat.en[k]).length);
        if (some) expect(words(cat, lang)(some)).toBe(fixed(`${ns}:${some}`));
      }
    });
  }
  it("a key no catalogue has gives the key, as i18next does", () => {
    expect(translator("ru").t("common:no-such-key")).toBe("no-such-key");
  });
});

describe("plurals in Russian and Ukrainian", () => {
  const ru = translator("ru");
  const cases: [number, string][] = [
    [0, "0 выпусков"],
    [1, "1 выпуск"],
    [2, "2 выпуска"],
    [5, "5 выпусков"],
    [11, "11 выпусков"],
    [21, "21 выпуск"],
    [22, "22 выпуска"],
    [25, "25 выпусков"],
    [111, "111 выпусков"],
  ];
  for (const [n, text] of cases) it(`${n} → ${text}`, () => expect(ru.t("common:issues", { count: n })).toBe(text));
  it("readers in Russian: 1 читатель, 3 читателя, 11 читателей", () => {
    expect([1, 3, 11].map((count) => ru.t("common:readers", { count }))).toEqual(["1 читатель", "3 читателя", "11 читателей"]);
  });
  it("Ukrainian: 1 випуск, 3 випуски, 5 випусків", () => {
    const uk = translator("uk");
    expect([1, 3, 5].map((count) => uk.t("common:issues", { count }))).toEqual(["1 випуск", "3 випуски", "5 випусків"]);
  });
  it("English: 1 issue, 2 issues", () => {
    const en = translator("en");
    expect([1, 2].map((count) => en.t("common:issues", { count }))).toEqual(["1 issue", "2 issues"]);
  });
});

describe("which language", () => {
  it("--lang, then RASSYLKA_LANG, then the newsletter's language, then the locale, then English", () => {
    expect(resolveLang({ flag: "uk", env: { RASSYLKA_LANG: "en" }, config: "ru" })).toBe("uk");
    expect(resolveLang({ env: { RASSYLKA_LANG: "en", LANG: "ru_RU.UTF-8" }, config: "ru" })).toBe("en");
    expect(resolveLang({ env: { LANG: "en_US.UTF-8" }, config: "ru-RU" })).toBe("ru");
    expect(resolveLang({ env: { LANG: "uk_UA.UTF-8" } })).toBe("uk");
    expect(resolveLang({ env: { LC_ALL: "ru_RU.UTF-8", LANG: "en_US" } })).toBe("ru");
    expect(resolveLang({ env: { LANG: "de_DE.UTF-8" }, config: "fr" })).toBe("en");
  });
});
