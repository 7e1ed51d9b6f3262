import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { translator } from "../i18n/index.js";
import { langOf } from "../i18n/lang.js";
import { verifyPreferencesToken } from "../identity/token.js";
import { languageTag, template } from "../site/templates.js";
import { chosenTopics, type PreferencesView, preferencesView, savePreferences } from "../subscribe/preferences.js";
import { ALL_METHODS, answer, SERVED_PAGE } from "./page-shell.js";
import { pages } from "./pages.js";
import type { PublishContext } from "./server.js";
import { BODY_LIMIT } from "./unsubscribe.js";

/**
 * The preference page (docs/audiences.md): every email's «manage subscription» link leads here with a
 * signed token of its own purpose (src/identity/token.ts `createPreferencesToken`).
 *
 *   GET  /preferences?token=…   the reader's topics as checkboxes, and «unsubscribe from everything»
 *   POST /preferences?token=…   `action=save` with the ticked `topic` fields, or `action=unsubscribe`
 *
 * A GET never changes anything (mail scanners follow links); a change is recorded with its time and
 * source (`preferences`). The page speaks the newsletter's language. Also under the path of `url`.
 */
interface PageData {
  lang: string;
  title: string;
  paragraphs: string[];
  action: string;
  topics?: { legend: string; items: { id: string; title: string; checked: boolean }[]; save: string };
  unsubscribe?: string;
}

const PAGE = template<PageData>(`{{#> ${SERVED_PAGE}}}
{{#if topics}}
<form method="post" action="{{action}}" enctype="application/x-www-form-urlencoded" class="rassylka-preferences">
<input type="hidden" name="action" value="save">
<fieldset style="border:0;padding:0;margin:0 0 1rem"><legend style="font-weight:bold;margin-bottom:.5rem">{{topics.legend}}</legend>
{{#each topics.items}}
<p style="margin:0 0 .5rem"><label><input type="checkbox" name="topic" value="{{id}}"{{#if checked}} checked{{/if}}> {{title}}</label></p>
{{/each}}
</fieldset>
<button type="submit" name="save">{{topics.save}}</button>
</form>
{{/if}}
{{#if unsubscribe}}
<form method="post" action="{{action}}" enctype="application/x-www-form-urlencoded" style="margin-top:1.5rem">
<input type="hidden" name="action" value="unsubscribe"><button type="submit" name="unsubscribe" style="background:#5b5f66">{{unsubscribe}}</button>
</form>
{{/if}}
{{/${SERVED_PAGE}}}`);

type Config = PublishContext["options"]["config"];

function page(config: Config, email: string, view: PreferencesView, action: string, note?: string): string {
  const { t } = translator(langOf(config.language) ?? "en");
  const base = { lang: languageTag(config.language), title: t("topics:prefsTitle", { name: config.name }), action };
  if (view.kind === "unsubscribed") return PAGE({ ...base, paragraphs: [t("topics:prefsUnsubscribed", { email, name: config.name })] });
  if (view.kind === "not-subscriber")
    return PAGE({ ...base, paragraphs: [t("topics:prefsNotSubscriber")], unsubscribe: t("topics:prefsUnsubscribeAll") });
  const none = view.topics.every((x) => !x.checked);
  return PAGE({
    ...base,
    paragraphs: [t("topics:prefsIntro", { email }), ...(note ? [note] : []), ...(note && none ? [t("topics:prefsNone")] : [])],
    topics: { legend: t("topics:formLegend"), items: view.topics, save: t("topics:prefsSave") },
    unsubscribe: t("topics:prefsUnsubscribeAll"),
  });
}

export async function preferencesRoutes(app: FastifyInstance, context: PublishContext): Promise<void> {
  const { options, listId, writer } = context;
  const { config } = options;
  if (!config.topics?.length) return;
  await app.register(formbody, { bodyLimit: BODY_LIMIT });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD" && method !== "POST")
      return answer(reply, 405, pages.error(config, 405), { allow: "GET, HEAD, POST" });
    const subscribers = options.state?.subscribers;
    if (!options.secret || !writer || !subscribers) return answer(reply, 503, pages.unavailable(config), { "retry-after": "3600" });
    const q = request.url.indexOf("?");
    const tokens = new URLSearchParams(q < 0 ? "" : request.url.slice(q + 1)).getAll("token");
    const email = tokens.length === 1 ? verifyPreferencesToken(tokens[0], listId, options.secret) : undefined;
    if (!email) return answer(reply, 400, pages.badLink(config));
    const action = `?token=${encodeURIComponent(tokens[0])}`;
    try {
      if (method === "POST") {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (body.action === "unsubscribe") {
          const added = await writer.add(email, "page");
          options.onUnsubscribe?.(email, added);
          return answer(reply, 200, page(config, email, { kind: "unsubscribed" }, action));
        }
        if (body.action !== "save") return answer(reply, 400, pages.error(config, 400));
        const view = await savePreferences(config, subscribers, email, chosenTopics(config, body), new Date().toISOString());
        const { t } = translator(langOf(config.language) ?? "en");
        return answer(reply, 200, page(config, email, view, action, view.kind === "topics" ? t("topics:prefsSaved") : undefined));
      }
      return answer(reply, 200, page(config, email, await preferencesView(config, subscribers, await writer.has(email), email), action));
    } catch (cause) {
      options.onError?.(cause);
      return answer(reply, 503, pages.unavailable(config, false), { "retry-after": "60" });
    }
  };

  const paths = new Set(["/preferences"]);
  if (config.url) {
    const p = new URL(config.url).pathname.replace(/\/+$/, "");
    if (p) paths.add(`${p}/preferences`);
  }
  for (const path of paths) for (const url of [path, `${path}/`]) app.route({ method: ALL_METHODS, url, handler });
}
