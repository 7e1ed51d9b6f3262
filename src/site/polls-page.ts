import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { NewsletterConfig } from "../config/schema.js";
import { langOf, translator } from "../i18n/index.js";
import { issueDate } from "../render/events.js";
import { isClosed, type Poll } from "../render/polls.js";
import { writeFileIfChanged } from "../util/fs.js";
import { pageHref, pageText } from "./html.js";
import type { ManifestEntry } from "./manifest.js";
import { languageTag, partial, template } from "./templates.js";

/**
 * The archive's «Голосования» page, `dist/polls.html` (docs/polls.md): every poll of the published
 * issues, newest issue first, each with its question, answers and bars. The counts come live from
 * `serve` (`polls.json`, filled in by assets/polls.js, also used by the web versions); a static host
 * shows the questions and answers. Written only when some published issue has a poll.
 */
export const POLLS_PAGE = "polls.html";
export const POLLS_SCRIPT = "polls.js";
const SCRIPT_SOURCE = new URL("../../assets/polls.js", import.meta.url);

interface PollData {
  id: string;
  question: string;
  answers: { n: number; text: string }[];
  note: string;
  issue?: { href: string; title: string; day: string };
}

const RESULTS = template<PollData>("{{> pollResults}}");

function pollData(poll: Poll, t: (key: string, params?: Record<string, unknown>) => string): Omit<PollData, "issue"> {
  return {
    id: poll.id,
    question: pageText(poll.question),
    answers: poll.answers.map((text, i) => ({ n: i + 1, text: pageText(text) })),
    note: poll.closes ? t(isClosed(poll) ? "polls:closedNote" : "polls:closesNote", { date: poll.closes }) : t("polls:webNote"),
  };
}

/** The email's poll blocks as the compiled HTML has them (render/polls.ts): no div nests in one. */
const EMAIL_BLOCK = /<div class="rsk-poll" data-poll="([a-z0-9-]+)">[\s\S]*?<\/div>/g;

/**
 * A web version: each poll's buttons become its results — the answers with a bar and a count each (empty
 * here: `serve` fills them live through polls.js; a static host shows the answers), and the script.
 */
export function webVersionPolls(html: string, polls: readonly Poll[] | undefined, config: Config): string {
  if (!polls?.length) return html;
  const { t } = translator(langOf(config.language) ?? "en");
  const replaced = html.replace(EMAIL_BLOCK, (whole, id: string) => {
    const poll = polls.find((p) => p.id === id);
    return poll ? RESULTS(pollData(poll, t) as PollData) : whole;
  });
  return replaced === html ? html : replaced.replace(/<\/body>/i, `<script src="${POLLS_SCRIPT}" defer></script>\n</body>`);
}

interface PageData {
  lang: string;
  name: string;
  title: string;
  intro: string;
  allIssues: string;
  fromIssue: string;
  none: string;
  polls: PollData[];
}

/** A poll with its answers and empty bars: the same markup as a web version's (render/polls.ts resultsBlock). */
partial(
  "pollResults",
  `<div class="rsk-poll" data-poll-results="{{id}}" id="poll-{{id}}">
<p class="rsk-poll-question"><strong>{{question}}</strong></p>
<ol class="rsk-poll-results">
{{#each answers}}
<li id="poll-{{../id}}-{{n}}" data-answer="{{n}}"><span class="rsk-poll-text">{{text}}</span> <span class="rsk-poll-count"></span><span class="rsk-poll-bar" style="display:block;height:8px;width:0;background-color:#d9822b;border-radius:4px;"></span></li>
{{/each}}
</ol>
<p class="rsk-poll-note"><small>{{note}} <span class="rsk-poll-voters"></span></small></p>
</div>`,
);

const PAGE = template<PageData>(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{name}} — {{title}}</title>
<style>
*{box-sizing:border-box}
body{margin:0;background:#f3f1ec;color:#22252a;font:17px/1.6 Georgia,"Times New Roman",serif;-webkit-text-size-adjust:100%}
.wrap{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 2.5rem}
h1{font:bold 1.6rem/1.25 Arial,Helvetica,sans-serif;color:#1c3b5a;margin:.5rem 0 .25rem}
a{color:#1f5fa8}
section{background:#fff;border-radius:6px;padding:.9rem 1rem;margin:0 0 .9rem}
section>p:first-child{margin:0;font:.85rem/1.4 Arial,Helvetica,sans-serif;color:#5f636a}
.rsk-poll ol{margin:.25rem 0;padding-left:1.5rem}
.rsk-poll li{margin:0 0 .5rem}
.rsk-poll-count{color:#5f636a;font:.9rem Arial,Helvetica,sans-serif}
@media (prefers-color-scheme:dark){body{background:#1d1f22;color:#e6e6e6}section{background:#2a2d31}h1{color:#cfe0f5}a{color:#8cb8ff}section>p:first-child,.rsk-poll-count{color:#b5b9bf}}
</style>
</head>
<body>
<div class="wrap">
<p><a href="index.html">← {{allIssues}}</a></p>
<h1>{{title}}</h1>
<p>{{intro}}</p>
<main>
{{#each polls}}
<section><p>{{../fromIssue}} <a href="{{issue.href}}">{{issue.title}}</a>, <time>{{issue.day}}</time></p>
{{> pollResults}}
</section>
{{else}}
<p>{{none}}</p>
{{/each}}
</main>
</div>
<script src="${POLLS_SCRIPT}" defer></script>
</body>
</html>
`);

type Config = Pick<NewsletterConfig, "name" | "language">;

/** The published issues' polls, newest issue first. */
export function publishedPolls(entries: readonly ManifestEntry[]): { entry: ManifestEntry; poll: Poll }[] {
  return entries
    .filter((e) => !e.draft && e.polls?.length)
    .sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug))
    .flatMap((entry) => (entry.polls ?? []).map((poll) => ({ entry, poll })));
}

export function renderPollsPage(entries: readonly ManifestEntry[], config: Config, allIssues: string): string {
  const { t } = translator(langOf(config.language) ?? "en");
  return PAGE({
    lang: languageTag(config.language),
    name: pageText(config.name),
    title: t("polls:pageTitle"),
    intro: t("polls:pageIntro", { name: pageText(config.name) }),
    allIssues,
    fromIssue: t("polls:fromIssue"),
    none: t("polls:none"),
    polls: publishedPolls(entries).map(({ entry, poll }) => ({
      ...pollData(poll, t),
      issue: { href: `${pageHref(entry.slug)}#poll-${poll.id}`, title: pageText(entry.title), day: issueDate(entry.date, config.language) },
    })),
  });
}

/**
 * `polls.html` and `polls.js` when a published issue has a poll; both removed when none has. Returns
 * whether the page is there (the archive links it).
 */
export async function publishPolls(outDir: string, entries: readonly ManifestEntry[], config: Config, allIssues: string): Promise<boolean> {
  const page = join(outDir, POLLS_PAGE);
  const script = join(outDir, POLLS_SCRIPT);
  const any = entries.some((e) => e.polls?.length);
  if (!any) {
    await Promise.all([rm(page, { force: true }), rm(script, { force: true })]);
    return false;
  }
  await writeFileIfChanged(script, await readFile(SCRIPT_SOURCE, "utf8"));
  const published = publishedPolls(entries).length > 0;
  if (published) await writeFileIfChanged(page, renderPollsPage(entries, config, allIssues));
  else await rm(page, { force: true });
  return published;
}
