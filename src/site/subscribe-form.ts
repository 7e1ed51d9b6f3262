import type { NewsletterConfig } from "../config/schema.js";
import { translator } from "../i18n/index.js";
import { langOf } from "../i18n/lang.js";
import { pageStrings } from "../i18n/pages.js";
import { consentTextHash } from "../subscribe/consent.js";
import type { FormError } from "../subscribe/subscribe.js";
import { partial, template } from "./templates.js";

/**
 * The subscribe form (docs/subscribe.md); the pages of the subscribe flow that `serve` answers are in
 * src/server/subscribe-pages.ts. One form, from one
 * template, everywhere it appears: the archive, every web version (put there by the build), the page
 * `GET /subscribe` answers and the form shown again with what to correct. Every value is escaped by
 * the template; the words come from the subscribe catalogue (src/i18n/catalogues/subscribe.ts, through src/i18n/pages.ts).
 *
 * Its fields: `email`, `name` (optional), `consent` (a checkbox, required, never pre-ticked), `website`
 * (the honeypot: off-screen, out of the tab order, hidden from screen readers — a person leaves it
 * empty), `stamp` (the signed time the form was served: `serve` fills it in on its own pages; on the
 * built pages a few lines of script fetch it from `subscribe/stamp`, and without script the first
 * press shows the form again with a stamp, which then works), `consent_hash` (the SHA-256 of the
 * consent text shown) and `page` (where the form is).
 */
export type Config = Pick<NewsletterConfig, "name" | "language" | "url" | "subscribe"> & Partial<Pick<NewsletterConfig, "topics">>;

export interface FormData {
  t: ReturnType<typeof pageStrings>["subscribe"];
  consent: string;
  consentHash: string;
  /** Where it posts: `subscribe`, relative, so the site works under any path. */
  action: string;
  stamp: string;
  /** Built pages: the URL the script fetches a stamp from; none on pages serve renders. */
  stampUrl?: string;
  page: string;
  values: { email: string; name: string };
  errors: string[];
  /** The newsletter's topics as checkboxes (docs/audiences.md), ticked per `default` (or as the reader left them). */
  topics?: { legend: string; items: { id: string; title: string; checked: boolean }[] };
}

partial(
  "subscribeForm",
  `<section class="rassylka-subscribe" id="subscribe" style="max-width:600px;margin:24px auto;padding:16px 20px;box-sizing:border-box;background:#fff;border-radius:6px;font:16px/1.5 Arial,Helvetica,sans-serif;color:#22252a;text-align:left">
<h2 style="font:bold 1.2rem/1.3 Arial,Helvetica,sans-serif;color:#1c3b5a;margin:0 0 .75rem">{{t.formTitle}}</h2>
{{#each errors}}
<p role="alert" style="color:#b3261e;margin:0 0 .5rem">{{this}}</p>
{{/each}}
<form method="post" action="{{action}}" accept-charset="utf-8" class="rassylka-subscribe-form">
<p style="margin:0 0 .75rem"><label>{{t.emailLabel}}<br><input type="email" name="email" required maxlength="254" autocomplete="email" value="{{values.email}}" style="width:100%;box-sizing:border-box;font:inherit;padding:.4rem"></label></p>
<p style="margin:0 0 .75rem"><label>{{t.nameLabel}}<br><input type="text" name="name" maxlength="100" autocomplete="name" value="{{values.name}}" style="width:100%;box-sizing:border-box;font:inherit;padding:.4rem"></label></p>
<p aria-hidden="true" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"><label>{{t.honeypotLabel}} <input type="text" name="website" value="" tabindex="-1" autocomplete="off"></label></p>
{{#if topics}}
<fieldset style="border:0;padding:0;margin:0 0 .75rem"><legend style="font-weight:bold;margin-bottom:.25rem">{{topics.legend}}</legend>
<input type="hidden" name="topics" value="shown">
{{#each topics.items}}
<label style="display:block"><input type="checkbox" name="topic" value="{{id}}"{{#if checked}} checked{{/if}}> {{title}}</label>
{{/each}}
</fieldset>
{{/if}}
<p style="margin:0 0 .75rem"><label><input type="checkbox" name="consent" value="yes" required> {{consent}}</label></p>
<input type="hidden" name="stamp" value="{{stamp}}"{{#if stampUrl}} data-rassylka-stamp="{{stampUrl}}"{{/if}}>
<input type="hidden" name="consent_hash" value="{{consentHash}}">
<input type="hidden" name="page" value="{{page}}">
<p style="margin:0"><button type="submit" style="font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1c3b5a;color:#fff;cursor:pointer">{{t.subscribeButton}}</button></p>
</form>
{{#if stampUrl}}
<script>document.querySelectorAll("input[data-rassylka-stamp]").forEach(function(i){if(i.value)return;fetch(i.getAttribute("data-rassylka-stamp"),{cache:"no-store"}).then(function(r){return r.ok?r.text():""}).then(function(s){i.value=s.trim()}).catch(function(){})})</script>
{{/if}}
</section>`,
);

const FORM = template<FormData>("{{> subscribeForm}}");

/** The form's data for a config with `subscribe:`; `stamp` given on the pages serve renders. */
export function formData(
  config: Config & { subscribe: NonNullable<Config["subscribe"]> },
  options: { page: string; stamp?: string; values?: { email: string; name: string; topics?: readonly string[] }; errors?: FormError[] },
): FormData {
  const t = pageStrings(config.language).subscribe;
  const topics = config.topics ?? [];
  return {
    t,
    consent: config.subscribe.consent,
    consentHash: consentTextHash(config.subscribe.consent),
    action: "subscribe",
    stamp: options.stamp ?? "",
    stampUrl: options.stamp ? undefined : "subscribe/stamp",
    page: options.page,
    values: { email: options.values?.email ?? "", name: options.values?.name ?? "" },
    errors: (options.errors ?? []).map((e) => t.errors[e.code]),
    ...(topics.length
      ? {
          topics: {
            legend: translator(langOf(config.language) ?? "en").t("topics:formLegend"),
            items: topics.map((x) => ({
              id: x.id,
              title: x.title,
              checked: options.values?.topics ? options.values.topics.includes(x.id) : x.default,
            })),
          },
        }
      : {}),
  };
}

/** The form as a block of HTML for the built pages (the archive, the web versions); "" without `subscribe:`. */
export function subscribeFormHtml(config: Config, page: string): string {
  return config.subscribe ? FORM(formData({ ...config, subscribe: config.subscribe }, { page })) : "";
}

const START = "<!--rassylka:subscribe-->";
const END = "<!--/rassylka:subscribe-->";

/**
 * The form into a web version: between `<!--rassylka:subscribe-->` and `<!--/rassylka:subscribe-->`
 * when the layout has them (a custom layout places the form so), else before `</body>`. Idempotent: a
 * form put there before is replaced; without `subscribe:` an earlier form is removed.
 */
export function injectSubscribeForm(html: string, form: string): string {
  const start = html.indexOf(START);
  const end = start < 0 ? -1 : html.indexOf(END, start);
  if (start >= 0 && end >= 0) return html.slice(0, start + START.length) + form + html.slice(end);
  if (!form) return html;
  const body = html.search(/<\/body>/i);
  const block = `${START}${form}${END}`;
  return body < 0 ? html + block : html.slice(0, body) + block + html.slice(body);
}
