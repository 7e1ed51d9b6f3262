import type { Translator } from "../i18n/index.js";
import { languageTag, template } from "../site/templates.js";
import type { AbSummary } from "../state/ab.js";
import { abLines } from "../status/ab.js";
import type { ClickMap } from "./click-map.js";
import type { IssueReport, NewsletterReport, Unavailable } from "./figures.js";

/**
 * The report page: one self-contained HTML file — styles inline, charts as inline SVG, the click map's
 * screenshot as a data: URL — that asks for nothing over the network (its Content-Security-Policy says
 * so to the browser too). Escaped by default; the charts' SVG, drawn by Plot from our numbers, is the one
 * thing inserted as it is.
 */
const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
  body { margin: 0 auto; max-width: 980px; padding: 24px; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
  .meta { color: #59636e; margin: 0 0 16px; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
  .tile { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; }
  .tile b { display: block; font-size: 1.5rem; } .tile span { color: #59636e; font-size: .9rem; }
  .tile.headline { border-color: #1f6feb; background: #ddf4ff; }
  .note { color: #59636e; font-size: .9rem; }
  table { border-collapse: collapse; width: 100%; font-size: .92rem; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.url { word-break: break-all; }
  figure { margin: 8px 0; } svg { max-width: 100%; height: auto; }
  .map { position: relative; width: 600px; max-width: 100%; border: 1px solid #d0d7de; }
`;

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

interface Tile {
  label: string;
  value: string;
  headline?: boolean;
}

interface IssueView {
  lang: string;
  title: string;
  meta: string[];
  style: string;
  csp: string;
  w: Record<string, string>;
  tiles: Tile[];
  timeline?: string;
  /** Why the source gave no clicks over time ("no data from Sendsay: …"). */
  timelineOff?: string;
  classes: string;
  links: { url: string; unique: string; total: string; share: string }[];
  map?: ClickMap & { boxes: (ClickMap["boxes"][number] & { labelY: number })[] };
  mapOff?: string;
  domains: { domain: string; sent: string; bounced: string; clicked: string }[];
  domainChart?: string;
  domainsOff?: string;
  polls: { question: string; answers: { text: string; votes: string; share: string }[]; voters: string }[];
  /** An A/B test of subjects: its heading and a line per subject, the rest and the decision. */
  ab?: { heading: string; lines: string[] };
}

const ISSUE = template<IssueView>(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>{{style}}</style>
</head>
<body>
<h1>{{title}}</h1>
{{#each meta}}<p class="meta">{{this}}</p>{{/each}}
<h2>{{w.summary}}</h2>
<div class="tiles">
{{#each tiles}}<div class="tile{{#if headline}} headline{{/if}}"><b>{{value}}</b><span>{{label}}</span></div>
{{/each}}
</div>
<p class="note">{{w.headlineNote}}</p>
<h2>{{w.timeline}}</h2>
{{#if timeline}}<figure class="chart" id="timeline">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{timeline}}}</figure>{{else if timelineOff}}<p class="note" id="timeline-off">{{timelineOff}}</p>{{else}}<p class="note">{{w.noClicks}}</p>{{/if}}
<h2>{{w.classes}}</h2>
<figure class="chart" id="classes">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{classes}}}</figure>
<h2>{{w.links}}</h2>
<table id="links"><thead><tr><th>{{w.link}}</th><th class="n">{{w.readers}}</th><th class="n">{{w.clicks}}</th><th class="n">{{w.share}}</th></tr></thead>
<tbody>{{#each links}}<tr><td class="url">{{url}}</td><td class="n">{{unique}}</td><td class="n">{{total}}</td><td class="n">{{share}}</td></tr>{{/each}}</tbody></table>
<h2>{{w.clickMap}}</h2>
{{#if map}}<p class="note">{{w.clickMapNote}}</p>
<figure class="map" id="click-map"><svg viewBox="0 0 {{map.width}} {{map.height}}" width="{{map.width}}" role="img" aria-label="{{w.clickMap}}">
<image href="{{map.image}}" x="0" y="0" width="{{map.width}}" height="{{map.height}}"/>
{{#each map.boxes}}<g><title>{{url}}: {{label}}</title><rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" fill="rgba(31,111,235,0.18)" stroke="#1f6feb" stroke-width="2" rx="3"/>
<rect x="{{x}}" y="{{labelY}}" width="58" height="20" fill="#1f6feb" rx="3"/><text x="{{x}}" dx="6" y="{{labelY}}" dy="15" fill="#fff" font-size="13" font-weight="bold">{{label}}</text></g>
{{/each}}</svg></figure>{{else}}<p class="note">{{mapOff}}</p>{{/if}}
<h2>{{w.domains}}</h2>
{{#if domainsOff}}<p class="note" id="domains-off">{{domainsOff}}</p>{{/if}}
{{#if domainChart}}<figure class="chart" id="domains-chart">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{domainChart}}}</figure>{{/if}}
<table id="domains"><thead><tr><th>{{w.domain}}</th><th class="n">{{w.sent}}</th><th class="n">{{w.bounced}}</th><th class="n">{{w.clicked}}</th></tr></thead>
<tbody>{{#each domains}}<tr><td>{{domain}}</td><td class="n">{{sent}}</td><td class="n">{{bounced}}</td><td class="n">{{clicked}}</td></tr>{{/each}}</tbody></table>
{{#if ab}}
<h2>{{ab.heading}}</h2>
<ul id="ab-test">{{#each ab.lines}}<li>{{this}}</li>{{/each}}</ul>
{{/if}}
{{#if polls.length}}
<h2>{{w.polls}}</h2>
{{#each polls}}<h3>{{question}}</h3>
<table class="poll"><thead><tr><th>{{../w.answer}}</th><th class="n">{{../w.votes}}</th><th class="n">{{../w.share}}</th></tr></thead>
<tbody>{{#each answers}}<tr><td>{{text}}</td><td class="n">{{votes}}</td><td class="n">{{share}}</td></tr>{{/each}}</tbody></table>
<p class="note">{{voters}}</p>
{{/each}}
{{/if}}
</body>
</html>
`);

export interface IssueCharts {
  timeline?: string;
  classes: string;
  domains?: string;
}

/** `0.1234` → `12.3 %` in the language's way of writing numbers; null → a dash. */
export function percentOf(tr: Translator): (share: number | null) => string {
  const format = new Intl.NumberFormat(tr.lang, { style: "percent", maximumFractionDigits: 1 });
  return (share) => (share === null ? tr.t("report:none") : format.format(share));
}

export function issuePage(
  tr: Translator,
  r: IssueReport,
  charts: IssueCharts,
  map: ClickMap | { off: string },
  now: Date,
  meta: string[] = [],
): string {
  const f = r.figures;
  const n = (x: number) => tr.number(x);
  const pct = percentOf(tr);
  const w = (key: string) => tr.t(`report:${key}`);
  const off = (why: Unavailable | undefined) => (why === undefined ? undefined : tr.t("report:noSendsayDataWhy", { reason: why.note }));
  const tiles: Tile[] = [
    { label: w("page.headline"), value: n(f.clicks.unique), headline: true },
    { label: w("stat.clickThrough"), value: pct(r.rates.clickThrough), headline: true },
    { label: w("stat.listed"), value: n(f.counts.listed) },
    { label: w("stat.sent"), value: n(f.counts.sent) },
    { label: w("stat.failed"), value: n(f.counts.failed) },
    f.counts.bounced === null
      ? { label: w("stat.bounced"), value: w("noSendsayData") }
      : { label: `${w("stat.bounced")} (${n(r.bounces.hard)} / ${n(r.bounces.soft)})`, value: n(f.counts.bounced) },
    { label: w("stat.complained"), value: f.counts.complained === null ? w("noSendsayData") : n(f.counts.complained) },
    { label: w("stat.unsubscribed"), value: n(f.counts.unsubscribed) },
  ];
  if (f.opens) {
    tiles.push({ label: w("stat.opens"), value: n(f.opens.unique) }, { label: w("stat.clickToOpen"), value: pct(r.rates.clickToOpen) });
  }
  const readers = f.links.reduce((sum, l) => sum + l.unique, 0);
  return ISSUE({
    lang: languageTag(tr.lang),
    title: tr.t("report:title", { issue: r.subject ? `«${r.subject}»` : f.issue }),
    meta: [
      ...(r.sentAt ? [tr.t("report:sentAt", { at: tr.date(r.sentAt, true) })] : []),
      ...meta,
      tr.t("report:generated", { at: tr.date(now, true) }),
    ],
    style: STYLE,
    csp: CSP,
    w: {
      ...columnWords(tr),
      ...Object.fromEntries(
        [
          "summary",
          "headlineNote",
          "timeline",
          "classes",
          "links",
          "clickMap",
          "clickMapNote",
          "domains",
          "noClicks",
          "polls",
          "answer",
          "votes",
        ].map((k) => [k, w(`page.${k}`)]),
      ),
    },
    tiles,
    timeline: charts.timeline,
    timelineOff: off(f.unavailable?.timeline),
    classes: charts.classes,
    links: f.links.map((l) => ({ url: l.url, unique: n(l.unique), total: n(l.total), share: pct(readers ? l.unique / readers : null) })),
    map: "off" in map ? undefined : { ...map, boxes: map.boxes.map((b) => ({ ...b, labelY: Math.max(0, b.y - 22) })) },
    mapOff: "off" in map ? tr.t("report:clickMapOff", { reason: map.off }) : undefined,
    domains: f.domains.map((d) => ({
      domain: d.domain,
      sent: n(d.sent),
      bounced: d.bounced === null ? w("noSendsayData") : n(d.bounced),
      clicked: n(d.clicked),
    })),
    domainChart: charts.domains,
    domainsOff: off(f.unavailable?.domains),
    ab: f.ab ? abView(f.ab, f.issue) : undefined,
    polls: (f.polls ?? []).map((p) => ({
      question: p.question,
      answers: p.answers.map((a) => ({ text: a.text, votes: n(a.votes), share: pct(p.voters ? a.votes / p.voters : null) })),
      voters: p.voters ? tr.t("polls:voters", { count: p.voters }) : tr.t("polls:noVotes"),
    })),
  });
}

/** The column and table words the template reads as `w.<name>`. */
export function columnWords(tr: Translator): Record<string, string> {
  const keys = [
    "link",
    "readers",
    "clicks",
    "share",
    "domain",
    "sent",
    "bounced",
    "clicked",
    "issue",
    "date",
    "unsubscribed",
    "complaints",
    "week",
    "confirmed",
  ];
  return Object.fromEntries(keys.map((k) => [k, tr.t(`report:col.${k}`)]));
}

interface NewsletterView {
  lang: string;
  title: string;
  meta: string[];
  style: string;
  csp: string;
  w: Record<string, string>;
  issuesChart?: string;
  weeksChart?: string;
  complaintChart?: string;
  issues: { issue: string; subject: string; date: string; sent: string; clickers: string; unsubscribed: string; complaints: string }[];
  weeks: { week: string; confirmed: string; unsubscribed: string; bounced: string }[];
}

const NEWSLETTER = template<NewsletterView>(`<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>{{style}}</style>
</head>
<body>
<h1>{{title}}</h1>
{{#each meta}}<p class="meta">{{this}}</p>{{/each}}
<h2>{{w.issuesHeading}}</h2>
{{#if issuesChart}}<figure class="chart" id="issues-chart">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{issuesChart}}}</figure>{{/if}}
<table id="issues"><thead><tr><th>{{w.issue}}</th><th>{{w.date}}</th><th class="n">{{w.sent}}</th><th class="n">{{w.clicked}}</th><th class="n">{{w.unsubscribed}}</th><th class="n">{{w.complaints}}</th></tr></thead>
<tbody>{{#each issues}}<tr><td>{{issue}}<br><span class="note">{{subject}}</span></td><td>{{date}}</td><td class="n">{{sent}}</td><td class="n">{{clickers}}</td><td class="n">{{unsubscribed}}</td><td class="n">{{complaints}}</td></tr>{{/each}}</tbody></table>
<h2>{{w.weeksHeading}}</h2>
{{#if weeksChart}}<figure class="chart" id="weeks-chart">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{weeksChart}}}</figure>{{/if}}
<table id="weeks"><thead><tr><th>{{w.week}}</th><th class="n">{{w.confirmed}}</th><th class="n">{{w.unsubscribed}}</th><th class="n">{{w.bounced}}</th></tr></thead>
<tbody>{{#each weeks}}<tr><td>{{week}}</td><td class="n">{{confirmed}}</td><td class="n">{{unsubscribed}}</td><td class="n">{{bounced}}</td></tr>{{/each}}</tbody></table>
<h2>{{w.complaintsHeading}}</h2>
<p class="note">{{w.complaintsNote}}</p>
{{#if complaintChart}}<figure class="chart" id="complaints-chart">{{!-- html: SVG drawn by Observable Plot from our numbers --}}{{{complaintChart}}}</figure>{{/if}}
</body>
</html>
`);

export function newsletterPage(
  tr: Translator,
  name: string,
  r: NewsletterReport,
  charts: { issues?: string; weeks?: string; complaints?: string },
  now: Date,
): string {
  const n = (x: number) => tr.number(x);
  const pct = percentOf(tr);
  return NEWSLETTER({
    lang: languageTag(tr.lang),
    title: tr.t("report:newsletterTitle", { name }),
    meta: [tr.t("report:generated", { at: tr.date(now, true) })],
    style: STYLE,
    csp: CSP,
    w: {
      ...columnWords(tr),
      issuesHeading: tr.t("report:page.issues"),
      weeksHeading: tr.t("report:page.weeks"),
      complaintsHeading: tr.t("report:page.complaints"),
      complaintsNote: tr.t("report:page.complaintsNote"),
    },
    issuesChart: charts.issues,
    weeksChart: charts.weeks,
    complaintChart: charts.complaints,
    issues: r.issues.map((i) => ({
      issue: i.issue,
      subject: i.subject,
      date: tr.date(i.startedAt),
      sent: n(i.sent),
      clickers: n(i.clickers),
      unsubscribed: n(i.unsubscribed),
      complaints: `${n(i.complained)} (${pct(i.complaintRate)})`,
    })),
    weeks: r.weeks.map((w) => ({ week: w.week, confirmed: n(w.confirmed), unsubscribed: n(w.unsubscribed), bounced: n(w.bounced) })),
  });
}

/** The A/B test's lines (src/status/ab.ts, as `status` prints them) as the page's heading and list. */
function abView(ab: AbSummary, slug: string): IssueView["ab"] {
  const [heading, ...lines] = abLines(ab, slug);
  return { heading: heading.replace(/:$/, ""), lines: lines.map((l) => l.trim()) };
}
