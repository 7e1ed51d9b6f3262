import type { NewsletterConfig } from "../config/schema.js";
import { langOf, translator } from "../i18n/index.js";
import { type PageStrings, pageStrings } from "../i18n/pages.js";
import { issueDate } from "../render/events.js";
import { pageHref, pageText, safeUrl } from "./html.js";
import { POLLS_PAGE } from "./polls-page.js";
import { type FormData, formData } from "./subscribe-form.js";
import { languageTag, template } from "./templates.js";

/**
 * The web archive: `dist/index.html` (every published issue, newest first) and the nav bar of each
 * web version `dist/<slug>.html` (back to the archive, previous and next issue). Links are relative, so
 * the folder works on any host, under any path, and from `rassylka serve`. Drafts are never linked (the
 * build does not write them; a manifest entry an older build left links only back). Both come from templates
 * of the one page environment (src/site/templates.ts), which escape every value; the words from
 * the catalogues (src/i18n/pages.ts); the archive's subscribe form is the same partial every page uses.
 */

/** What the archive needs of an issue: a subset of the build manifest's entries. */
export interface ArchiveEntry {
  slug: string;
  title: string;
  preheader: string;
  /** YYYY-MM-DD */
  date: string;
  draft: boolean;
}

type Config = Pick<NewsletterConfig, "name" | "language" | "description" | "nav" | "url"> & Partial<Pick<NewsletterConfig, "subscribe">>;

/** Published issues, newest first (by date, then slug: the manifest's order, made sure of here). */
export function publishedIssues<T extends ArchiveEntry>(entries: readonly T[]): T[] {
  return entries.filter((e) => !e.draft).sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug));
}

interface ArchiveData {
  lang: string;
  t: PageStrings;
  name: string;
  description?: string;
  /** Config `nav`: `href` only when the URL is safe to link (`safeUrl`); otherwise the title stands as text. */
  nav: { title: string; href?: string }[];
  issues: { date: string; day: string; href: string; title: string; preheader: string }[];
  subscribe?: FormData;
  /** The search box (src/search/box.ts), HTML from a template of the same escaping environment; "" for none. */
  search: string;
  /** The link to the polls page (src/site/polls-page.ts), when there is one. */
  polls?: { href: string; text: string };
}

const ARCHIVE = template<ArchiveData>(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{name}} — {{t.allIssues}}</title>
{{#if description}}
<meta name="description" content="{{description}}">
{{/if}}
<link rel="alternate" type="application/atom+xml" title="{{name}}" href="feed.xml">
<style>
*{box-sizing:border-box}
body{margin:0;background:#f3f1ec;color:#22252a;font:17px/1.6 Georgia,"Times New Roman",serif;-webkit-text-size-adjust:100%}
.wrap{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
header h1{font:bold 1.6rem/1.25 Arial,Helvetica,sans-serif;color:#1c3b5a;margin:.5rem 0 .25rem}
header p{margin:0 0 .75rem;color:#4a4f57}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;font:.95rem/1.5 Arial,Helvetica,sans-serif}
a{color:#1f5fa8}
h2{font:bold 1.2rem/1.3 Arial,Helvetica,sans-serif;color:#1c3b5a;margin:1.75rem 0 .5rem}
ol{list-style:none;margin:0;padding:0}
li.issue{background:#fff;border-radius:6px;padding:.9rem 1rem;margin:0 0 .75rem}
li.issue time{display:block;font:.85rem/1.4 Arial,Helvetica,sans-serif;color:#6b6f76}
li.issue h3{font:bold 1.1rem/1.35 Arial,Helvetica,sans-serif;margin:.2rem 0 .3rem}
li.issue p{margin:0;color:#4a4f57}
h1,h3,p{overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){body{background:#1d1f22;color:#e6e6e6}li.issue{background:#2a2d31}header h1,h2{color:#cfe0f5}header p,li.issue p,li.issue time{color:#b5b9bf}a{color:#8cb8ff}}
</style>
</head>
<body>
<div class="wrap">
<header>
<h1>{{name}}</h1>
{{#if description}}
<p>{{description}}</p>
{{/if}}
<nav><ul>{{#each nav}}{{#if href}}<li><a href="{{href}}">{{title}}</a></li>{{else}}<li>{{title}}</li>{{/if}}{{/each}}{{#if polls}}<li><a href="{{polls.href}}">{{polls.text}}</a></li>{{/if}}<li><a href="feed.xml" type="application/atom+xml">{{t.feed}}</a></li></ul></nav>
</header>
<main>
{{!-- html: the search box, rendered by src/search/box.ts from a template of this environment --}}{{{search}}}
<h2>{{t.allIssues}}</h2>
{{#if issues.length}}
<ol>
{{#each issues}}
<li class="issue"><article><time datetime="{{date}}">{{day}}</time><h3><a href="{{href}}">{{title}}</a></h3>{{#if preheader}}<p>{{preheader}}</p>{{/if}}</article></li>
{{/each}}
</ol>
{{else}}
<p>{{t.noIssues}}</p>
{{/if}}
{{#if subscribe}}
{{#with subscribe}}{{> subscribeForm}}{{/with}}
{{/if}}
</main>
</div>
</body>
</html>
`);

/**
 * `dist/index.html`: the newsletter's name and navigation, the search box when the build made one, then
 * every published issue, newest first.
 */
export function renderArchive(entries: readonly ArchiveEntry[], config: Config, search = "", polls = false): string {
  return ARCHIVE({
    search,
    polls: polls ? { href: POLLS_PAGE, text: translator(langOf(config.language) ?? "en").t("polls:navLink") } : undefined,
    lang: languageTag(config.language),
    t: pageStrings(config.language),
    name: pageText(config.name),
    description: config.description ? pageText(config.description) : undefined,
    nav: config.nav.map((n) => ({ title: pageText(n.title), href: safeUrl(n.url) })),
    issues: publishedIssues(entries).map((e) => ({
      date: e.date,
      day: issueDate(e.date, config.language),
      href: pageHref(e.slug),
      title: pageText(e.title),
      preheader: pageText(e.preheader),
    })),
    subscribe: config.subscribe
      ? formData({ ...config, subscribe: config.subscribe }, { page: config.url ? `${config.url.replace(/\/+$/, "")}/` : "index.html" })
      : undefined,
  });
}

const NAV_START = "<!--rassylka:web-nav-->";
const NAV_END = "<!--/rassylka:web-nav-->";
const LINK = "color:#1f5fa8;text-decoration:none;";

interface NavData {
  t: PageStrings;
  draft: boolean;
  older?: { href: string; title: string };
  newer?: { href: string; title: string };
}

/** One line, inline styles: it goes into a web version whose own CSS we do not know. */
const WEB_NAV = template<NavData>(
  `${NAV_START}<nav class="rassylka-web-nav" style="max-width:600px;margin:0 auto;padding:10px 16px;box-sizing:border-box;` +
    `display:flex;flex-wrap:wrap;gap:6px 18px;font:14px/1.4 Arial,Helvetica,sans-serif;overflow-wrap:anywhere;">` +
    `<a href="index.html" rel="index" style="${LINK}">← {{t.allIssues}}</a>` +
    `{{#if draft}}<span style="color:#b3261e;">{{t.draft}}</span>{{/if}}` +
    `{{#if older}}<a href="{{older.href}}" rel="prev" title="{{t.previous}}" style="${LINK}">‹ {{older.title}}</a>{{/if}}` +
    `{{#if newer}}<a href="{{newer.href}}" rel="next" title="{{t.next}}" style="${LINK}">{{newer.title}} ›</a>{{/if}}` +
    `</nav>${NAV_END}`,
);

/**
 * The nav bar of one web version: back to the archive, the previous (older) and next (newer) published
 * issue. A draft, or a slug the archive does not list, gets only the way back.
 */
export function renderWebNav(entries: readonly ArchiveEntry[], slug: string, config: Pick<Config, "language">): string {
  const issues = publishedIssues(entries);
  const i = issues.findIndex((e) => e.slug === slug);
  const link = (e: ArchiveEntry | undefined) => (e ? { href: pageHref(e.slug), title: pageText(e.title) } : undefined);
  return WEB_NAV({
    t: pageStrings(config.language),
    draft: entries.some((e) => e.slug === slug && e.draft),
    older: link(i >= 0 ? issues[i + 1] : undefined),
    newer: link(i > 0 ? issues[i - 1] : undefined),
  });
}

/** The page without a nav bar this module put there before (so re-injecting is idempotent). */
export function stripWebNav(html: string): string {
  const start = html.indexOf(NAV_START);
  if (start < 0) return html;
  const end = html.indexOf(NAV_END, start);
  return end < 0 ? html : html.slice(0, start) + html.slice(end + NAV_END.length);
}

/** Put the nav bar right after `<body …>` (replacing an earlier one). */
export function injectWebNav(html: string, nav: string): string {
  const page = stripWebNav(html);
  const body = /<body\b[^>]*>/i.exec(page);
  if (!body) return nav + page;
  const at = body.index + body[0].length;
  return page.slice(0, at) + nav + page.slice(at);
}
