import type { NewsletterConfig } from "../config/schema.js";
import { errorStatus, languageTag, pageStrings } from "../pages/i18n.js";
import { template } from "../pages/templates.js";
import { safeUrl } from "./html.js";

/**
 * The pages `rassylka serve` answers itself (the site's files come from dist/): the unsubscribe
 * question, its answers, the explanation at the bare unsubscribe URL, and the error pages. One
 * template, every value escaped by it; the words come from src/pages/i18n.ts in the newsletter's language.
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

const PAGE = template<PageData>(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>
body{margin:0;background:#f3f1ec;color:#22252a;font:17px/1.6 Arial,Helvetica,sans-serif}
main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:6px}
h1{font-size:1.3rem;line-height:1.3;color:#1c3b5a;margin:0 0 1rem}
p{overflow-wrap:anywhere}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1c3b5a;color:#fff;cursor:pointer}
a{color:#1f5fa8}
</style>
</head>
<body><main>
<h1>{{title}}</h1>
{{#each paragraphs}}
<p>{{this}}</p>
{{/each}}
{{#if form}}
<form method="post" action="{{form.action}}" enctype="application/x-www-form-urlencoded"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{{form.button}}</button></form>
{{/if}}
{{#if mailto}}
<p>{{mailto.text}} <a href="{{mailto.href}}">{{mailto.address}}</a>.</p>
{{/if}}
{{#if back}}
<p><a href="{{back.href}}">{{back.text}}</a></p>
{{/if}}
</main></body>
</html>
`);

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
  done: (config: Config, email: string) => unsubscribePage(config, [pageStrings(config.language).unsubscribed(email, config.name)]),
  badLink: (config: Config) => unsubscribePage(config, [pageStrings(config.language).badLink], { mailto: mailto(config) }),
  unavailable: (config: Config, withMailto = true) =>
    unsubscribePage(config, [pageStrings(config.language).unavailable], withMailto ? { mailto: mailto(config) } : {}),
  /** The bare unsubscribe URL, as the web versions and the feed link it: how to unsubscribe (issue 11, item 4). */
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
