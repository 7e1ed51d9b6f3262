import TypografModule from "typograf";

// typograf ships CommonJS with an ES-style `default` in its types
type Typograf = InstanceType<typeof TypografModule.default>;
const TypografCtor = ((TypografModule as unknown as { default?: unknown }).default ?? TypografModule) as typeof TypografModule.default;

/**
 * Stage: typography with typograf — «ёлочки» quotes, em dashes, non-breaking spaces after short words
 * and before dashes. HTML tags, <code>, <pre> and our Handlebars tokens are left alone (typograf keeps
 * tags safe; the tokens are plain words).
 */
const cache = new Map<string, Typograf>();

function localesFor(language: string): string[] {
  const lang = language.toLowerCase().split(/[-_]/)[0];
  if (lang === "ru") return ["ru", "en-US"];
  if (lang === "en") return ["en-US"];
  // typograf throws on a locale it lacks: keep the language-neutral rules rather than fail the build
  return TypografCtor.hasLocale(lang) ? [lang, "en-US"] : ["en-US"];
}

function typografFor(language: string): Typograf {
  let tp = cache.get(language);
  if (!tp) {
    tp = new TypografCtor({
      locale: localesFor(language),
      // characters, not entities: the HTML is UTF-8 and the text part must read the same
      htmlEntity: { type: "default" },
      // One pass over the whole body instead of one per block tag: six times faster, and the same
      // output (our tokens and typograf's safe tags already keep tags and code apart).
      processingSeparateParts: false,
      // Off: rules that rewrite what an editor wrote on purpose (phone numbers, ISO dates, keyboard
      // layout guesses) and optical alignment that needs CSS mail clients drop.
      disableRule: [
        "ru/other/phone-number",
        "ru/date/fromISO",
        "ru/typo/switchingKeyboardLayout",
        "ru/optalign/*",

        "common/space/trimLeft",
        "common/space/trimRight",
        "common/html/e-mail",
        "common/html/url",
        "common/html/stripTags",
        "common/html/escape",
      ],
    });
    cache.set(language, tp);
  }
  return tp;
}

export function typographHtml(html: string, language: string): string {
  return typografFor(language).execute(html);
}
