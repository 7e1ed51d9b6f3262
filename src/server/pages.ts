import type { NewsletterConfig } from "../config/schema.js";
import { translator } from "../i18n/index.js";
import { langOf } from "../i18n/lang.js";
import { pageStrings } from "../i18n/pages.js";
import { safeUrl } from "../site/html.js";
import { errorStatus, languageTag, template } from "../site/templates.js";
import { SERVED_PAGE } from "./page-shell.js";

/**
 * The pages `rassylka serve` answers itself (the site's files come from dist/): the unsubscribe
 * question, its answers, the explanation at the bare unsubscribe URL, and the error pages. One
 * template, every value escaped by it; the words come from the catalogues (src/i18n/pages.ts) in the newsletter's language.
 */
interface PageData {
  lang: string;
  title: string;
  paragraphs: string[];
  /** The one-click form (RFC 8058 §3.1 body), posted back to the same URL with the token. */
  form?: { action: string; button: string };
  mailto?: { text: string; href: string; address: string };
  back?: { href: string; text: string };
}

const PAGE = template<PageData>(`{{#> ${SERVED_PAGE}}}
{{#if form}}
<form method="post" action="{{form.action}}" enctype="application/x-www-form-urlencoded"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="via" value="page"><button type="submit">{{form.button}}</button></form>
{{/if}}
{{#if mailto}}
<p>{{mailto.text}} <a href="{{mailto.href}}">{{mailto.address}}</a>.</p>
{{/if}}
{{/${SERVED_PAGE}}}`);

type Config = Pick<NewsletterConfig, "name" | "language" | "unsubscribe" | "url">;

function mailto(config: Config): PageData["mailto"] {
  const address = config.unsubscribe?.mailto;
  const href = address ? safeUrl(`mailto:${address}`) : undefined;
  return address && href ? { text: pageStrings(config.language).writeTo, href, address } : undefined;
}

function unsubscribePage(config: Config, paragraphs: string[], extra: Partial<PageData> = {}): string {
  const t = pageStrings(config.language);
  return PAGE({ lang: languageTag(config.language), title: t.unsubscribeTitle(config.name), paragraphs, ...extra });
}

export const pages = {
  /** GET with a valid token, not yet unsubscribed: the question and the button that POSTs. */
  question: (config: Config, email: string, action: string) => {
    const t = pageStrings(config.language);
    return unsubscribePage(config, [t.unsubscribeQuestion(email, config.name)], { form: { action, button: t.unsubscribeButton } });
  },
  /** `unsubscribe.scope: topic`: the question and the answer name the topic (docs/audiences.md). */
  topicQuestion: (config: Config, email: string, topic: string, action: string) => {
    const { t } = translator(langOf(config.language) ?? "en");
    return unsubscribePage(config, [t("topics:unsubscribeTopicQuestion", { email, topic })], {
      form: { action, button: pageStrings(config.language).unsubscribeButton },
    });
  },
  topicDone: (config: Config, email: string, topic: string) =>
    unsubscribePage(config, [translator(langOf(config.language) ?? "en").t("topics:unsubscribedTopic", { email, topic })]),
  done: (config: Config, email: string) => unsubscribePage(config, [pageStrings(config.language).unsubscribed(email, config.name)]),
  badLink: (config: Config) => unsubscribePage(config, [pageStrings(config.language).badLink], { mailto: mailto(config) }),
  unavailable: (config: Config, withMailto = true) =>
    unsubscribePage(config, [pageStrings(config.language).unavailable], withMailto ? { mailto: mailto(config) } : {}),
  /** The bare unsubscribe URL, as the web versions and the feed link it: how to unsubscribe. */
  howTo: (config: Config) => {
    const t = pageStrings(config.language);
    const archive = config.url ? safeUrl(config.url) : undefined;
    return unsubscribePage(config, [t.howTo(config.name)], {
      mailto: mailto(config),
      back: archive ? { href: archive, text: t.backToArchive } : undefined,
    });
  },
  error: (config: Config, status: number) => {
    const t = pageStrings(config.language);
    return PAGE({ lang: languageTag(config.language), title: t.errorTitle(status), paragraphs: [t.errors[errorStatus(status)]] });
  },
};
