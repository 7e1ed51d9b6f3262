import { pageStrings } from "../i18n/pages.js";
import { safeUrl } from "../site/html.js";
import { type Config, type FormData, formData } from "../site/subscribe-form.js";
import { languageTag, template } from "../site/templates.js";
import { CONFIRM_DAYS } from "../subscribe/subscribe.js";
import { SERVED_PAGE } from "./page-shell.js";

/** The pages of the subscribe flow `serve` answers, around the one form (src/site/subscribe-form.ts). */
interface PageData {
  lang: string;
  title: string;
  paragraphs: string[];
  /** The confirmation button: POSTs back to the same URL with the token. */
  confirm?: { action: string; button: string };
  form?: FormData;
  back?: { href: string; text: string };
}

const PAGE = template<PageData>(`{{#> ${SERVED_PAGE}}}
{{#if confirm}}
<form method="post" action="{{confirm.action}}" enctype="application/x-www-form-urlencoded"><input type="hidden" name="confirm" value="yes"><button type="submit">{{confirm.button}}</button></form>
{{/if}}
{{#if form}}
{{#with form}}{{> subscribeForm}}{{/with}}
{{/if}}
{{/${SERVED_PAGE}}}`);

function back(config: Config): PageData["back"] {
  const href = config.url ? safeUrl(config.url) : undefined;
  return href ? { href, text: pageStrings(config.language).backToArchive } : undefined;
}

function page(config: Config, title: string, paragraphs: string[], extra: Partial<PageData> = {}): string {
  return PAGE({ lang: languageTag(config.language), title, paragraphs, ...extra });
}

export const subscribePages = {
  /** `GET /subscribe`, and the form shown again (with what to correct). */
  form: (config: Config & { subscribe: NonNullable<Config["subscribe"]> }, form: Parameters<typeof formData>[1]) =>
    page(config, pageStrings(config.language).subscribe.formTitle, [], { form: formData(config, form), back: back(config) }),
  /** The same answer for every address. */
  checkMail: (config: Config) => {
    const t = pageStrings(config.language).subscribe;
    return page(config, t.checkMailTitle, [t.checkMail(config.name, CONFIRM_DAYS)], { back: back(config) });
  },
  limited: (config: Config) =>
    page(config, pageStrings(config.language).subscribe.formTitle, [pageStrings(config.language).subscribe.limited]),
  unavailable: (config: Config) =>
    page(config, pageStrings(config.language).subscribe.formTitle, [pageStrings(config.language).subscribe.unavailable]),
  /** GET on the link: the question and the button that POSTs. */
  ask: (config: Config, email: string, action: string) => {
    const t = pageStrings(config.language).subscribe;
    return page(config, t.confirmTitle(config.name), [t.confirmQuestion(email, config.name)], {
      confirm: { action, button: t.confirmButton },
    });
  },
  confirmed: (config: Config) => {
    const t = pageStrings(config.language).subscribe;
    return page(config, t.confirmTitle(config.name), [t.confirmed(config.name)], { back: back(config) });
  },
  expired: (config: Config) => {
    const t = pageStrings(config.language).subscribe;
    return page(config, t.confirmTitle(config.name), [t.expired], { back: back(config) });
  },
  invalid: (config: Config) => {
    const t = pageStrings(config.language).subscribe;
    return page(config, t.confirmTitle(config.name), [t.invalidLink], { back: back(config) });
  },
};
