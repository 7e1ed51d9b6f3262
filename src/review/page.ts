import Handlebars from "handlebars";
import { type Lang, translator } from "../i18n/index.js";
import type { AudienceReach } from "./audience-note.js";
import type { IssueReview, ReviewImage, ReviewResult, ReviewSide } from "./review.js";
import { formatKb, GMAIL_CLIP_BYTES } from "./sources.js";
import { formatIssueDate, formatShare, formatTimestamp, type ReviewStrings, reviewStrings } from "./strings.js";

/**
 * The review page, DIR/index.html: one section per compared issue (status, subject, size and lint
 * before → after, the screenshots side by side with the changed pixels, the text part's diff), then the
 * unchanged ones. Everything it shows sits next to it: images are files named after the slug, loaded
 * eagerly (a page opened from a downloaded artifact, or in a headless browser, shows them all), no
 * script, no font, no request to anywhere. The template escapes every value; there is no `{{{…}}}`.
 */
const TEMPLATE = `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{title}}</title>
<style>
  :root { color-scheme: light; --line: #d8dde3; --muted: #5b6570; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a; background: #f5f6f8; }
  header, main { max-width: 1900px; margin: 0 auto; padding: 16px 24px; }
  header { border-bottom: 1px solid var(--line); background: #fff; max-width: none; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 19px; margin: 0; }
  .meta, .file { color: var(--muted); }
  code { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
  .toc { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
  .st-changed { background: #fff1c2; color: #6b4d00; }
  .st-new { background: #d6f5dd; color: #11612a; }
  .st-removed { background: #fde0e0; color: #8a1c1c; }
  .st-unchanged { background: #e8ebef; color: #3d4650; }
  section.issue { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 20px 0; padding: 16px 20px; }
  .head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 14px; }
  dl.facts { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 10px 0; }
  dl.facts div { display: flex; gap: 6px; }
  dt { color: var(--muted); }
  dd { margin: 0; font-weight: 600; }
  .error { color: #8a1c1c; background: #fde0e0; padding: 6px 10px; border-radius: 6px; margin: 6px 0; }
  .note { color: var(--muted); }
  h3 { font-size: 15px; margin: 18px 0 6px; }
  .shots { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; align-items: start; }
  figure { margin: 0; }
  figcaption { font-size: 13px; color: var(--muted); margin-bottom: 4px; }
  figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
  .text { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; margin: 0; padding: 6px 0; background: #fbfbfc; }
  .text span { display: block; padding: 0 10px; white-space: pre-wrap; }
  .text .hunk { color: var(--muted); background: #eef1f5; }
  .text .add { background: #e2f7e5; }
  .text .del { background: #fde7e7; }
  ul.unchanged { columns: 2 360px; }
</style>
</head>
<body>
<header>
  <h1>{{title}}</h1>
  <div class="meta">{{labels.against}} <code>{{baseRef}}</code> (<code>{{baseCommit}}</code>) · {{labels.generated}} {{generated}}</div>
  <div class="meta">{{totals}}</div>
  {{#if toc.length}}
  <ul class="toc">
    {{#each toc}}<li><a href="#{{anchor}}">{{subject}}</a> <span class="badge st-{{status}}">{{statusLabel}}</span>{{#if pixels}} {{pixels}}{{/if}}</li>{{/each}}
  </ul>
  {{/if}}
</header>
<main>
{{#unless sections.length}}<p>{{labels.nothingChanged}}</p>{{/unless}}
{{#each sections}}
<section class="issue" id="{{anchor}}">
  <div class="head">
    <h2>{{subject}}</h2>
    <span class="badge st-{{status}}">{{statusLabel}}</span>
    {{#if draft}}<span class="badge st-unchanged">{{../labels.draft}}</span>{{/if}}
    <span class="file"><code>{{file}}</code>{{#if date}} · {{date}}{{/if}}</span>
  </div>
  <dl class="facts">
    {{#each facts}}<div><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/each}}
  </dl>
  {{#if inbox}}<div class="inbox" id="ab-{{anchor}}"><p>{{inbox.note}}</p><ol>{{#each inbox.rows}}<li><strong>{{subject}}</strong>{{#if preheader}} — {{preheader}}{{/if}}</li>{{/each}}</ol></div>{{/if}}
  {{#each errors}}<p class="error">{{this}}</p>{{/each}}
  {{#each notes}}<p class="note">{{this}}</p>{{/each}}
  {{#each variants}}
  <h3>{{label}}{{#if pixels}} · {{pixels}}{{/if}}</h3>
  <div class="shots">
    {{#each images}}
    <figure>
      <figcaption>{{caption}}</figcaption>
      <img src="{{src}}" alt="{{alt}}" width="{{width}}" height="{{height}}">
    </figure>
    {{/each}}
  </div>
  {{/each}}
  {{#if hasText}}
  <h3>{{../labels.text}}</h3>
  {{#if hunks.length}}
  <pre class="text">{{#each hunks}}<span class="hunk">{{header}}</span>{{#each lines}}<span class="{{kind}}">{{sign}} {{text}}</span>{{/each}}{{/each}}</pre>
  {{else}}
  <p class="note">{{../labels.textSame}}</p>
  {{/if}}
  {{/if}}
</section>
{{/each}}
{{#if audiences.length}}
<section class="issue" id="audiences">
  <h2>{{audiencesTitle}}</h2>
  <ul>
    {{#each audiences}}<li><code>{{file}}</code> <span class="badge st-{{status}}">{{statusLabel}}</span>{{#if reach}} · {{reach}}{{/if}}</li>{{/each}}
  </ul>
</section>
{{/if}}
{{#if unchanged.length}}
<section class="issue" id="unchanged">
  <h2>{{labels.unchangedList}}</h2>
  <ul class="unchanged">
    {{#each unchanged}}<li>{{subject}} <span class="file"><code>{{file}}</code></span></li>{{/each}}
  </ul>
</section>
{{/if}}
<p class="note">{{footnote}}</p>
</main>
</body>
</html>
`;

let compiled: HandlebarsTemplateDelegate | undefined;
function template(): HandlebarsTemplateDelegate {
  // an instance of our own: no helper or partial registered elsewhere leaks into the page
  compiled ??= Handlebars.create().compile(TEMPLATE, { knownHelpersOnly: true });
  return compiled;
}

export function subjectOf(i: IssueReview): string {
  return i.after?.subject ?? i.before?.subject ?? i.file;
}

/** "41,3 КБ → 41,5 КБ", "— → 41,5 КБ" */
export function sizeText(i: IssueReview, language: string): string {
  const kb = (s: ReviewSide | null) => (s?.bytes === undefined ? "—" : formatKb(s.bytes, language));
  return i.before?.bytes === i.after?.bytes ? kb(i.after) : `${kb(i.before)} → ${kb(i.after)}`;
}

/** "0 / 1 → 0 / 2" */
export function lintText(i: IssueReview): string {
  const c = (s: ReviewSide | null) => (s ? `${s.errors} / ${s.warnings}` : "—");
  return c(i.before) === c(i.after) ? c(i.after) : `${c(i.before)} → ${c(i.after)}`;
}

export function pixelsText(i: IssueReview, language: string): string {
  return i.pixelsChanged === null ? "—" : formatShare(i.pixelsChanged, language);
}

function image(img: ReviewImage | undefined, caption: string, alt: string) {
  return img ? { caption, src: encodeURI(img.file), alt, width: img.width, height: img.height } : undefined;
}

function section(i: IssueReview, t: ReviewStrings, language: string) {
  const subject = subjectOf(i);
  const facts = [
    { label: t.pixels, value: pixelsText(i, language) },
    { label: t.size, value: sizeText(i, language) },
    { label: t.lint, value: lintText(i) },
    ...(i.schedule ? [{ label: "sendAt", value: i.schedule }] : []),
    ...(i.audience ? [{ label: translator(language as Lang).t("topics:review.reach"), value: reachText(i.audience, language) }] : []),
  ];
  const errors = [
    i.before?.buildError ? `${t.buildError} (${t.before.toLowerCase()}): ${i.before.buildError}` : undefined,
    i.after?.buildError ? `${t.buildError} (${t.after.toLowerCase()}): ${i.after.buildError}` : undefined,
  ].filter(Boolean);
  const notes = [i.status === "new" ? t.noBefore : undefined, i.status === "removed" ? t.noAfter : undefined].filter(Boolean);
  const variants = i.variants.map((v) => {
    const label = t.variants[v.name] ?? v.name;
    return {
      label,
      pixels: v.pixelsChanged === null ? "" : `${t.pixels.toLowerCase()}: ${formatShare(v.pixelsChanged, language)}`,
      images: [
        image(v.before, t.before, `${t.before}: ${subject}, ${label}`),
        image(v.after, t.after, `${t.after}: ${subject}, ${label}`),
        image(v.diff, t.difference, `${t.difference}: ${subject}, ${label}`),
      ].filter(Boolean),
    };
  });
  const date = i.after?.date ?? i.before?.date;
  const subjects = i.after?.subjects;
  return {
    anchor: `issue-${i.slug}`,
    subject,
    // an A/B test: every subject as an inbox would show it (subject and preheader)
    inbox: subjects
      ? {
          note: translator(language as Lang).t("ab:inboxRows", { sample: Math.round((i.after?.abSample ?? 0.1) * 100) }),
          rows: subjects.map((s) => ({ subject: s, preheader: i.after?.preheader ?? "" })),
        }
      : undefined,
    file: i.file,
    date: date ? formatIssueDate(date, language) : "",
    draft: i.after?.draft ?? i.before?.draft ?? false,
    status: i.status,
    statusLabel: t.status[i.status],
    facts,
    errors,
    notes,
    variants,
    // a text diff only means something when both sides built
    hasText: !!i.before && !!i.after && !i.before.buildError && !i.after.buildError,
    hunks: i.text.map((h) => ({
      header: h.header,
      lines: h.lines.map((l) => ({ kind: l.kind, sign: l.kind === "add" ? "+" : l.kind === "del" ? "−" : " ", text: l.text })),
    })),
  };
}

/** "3 readers (treningi: 2, tehnika: 1)", as `rassylka audience` counts; or the audience's error. */
export function reachText(reach: AudienceReach, language: string): string {
  if (!reach.count) return reach.error ?? "";
  const tr = translator(language as Lang);
  const topics = Object.entries(reach.count.byTopic).map(([id, n]) => `${id}: ${tr.number(n)}`);
  const readers = tr.t("topics:readers", { count: reach.count.readers });
  return topics.length ? tr.t("topics:review.reachValue", { readers, topics: topics.join(", ") }) : readers;
}

export function statusCounts(result: ReviewResult): Record<IssueReview["status"], number> {
  const c = { new: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const i of result.issues) c[i.status]++;
  return c;
}

export function renderPage(result: ReviewResult): string {
  const language = result.language;
  const t = reviewStrings(language);
  const shown = result.issues.filter((i) => i.status !== "unchanged");
  return template()({
    lang: language,
    title: t.title(result.newsletter),
    labels: t,
    baseRef: result.base.ref,
    baseCommit: result.base.mergeBase.slice(0, 7),
    generated: formatTimestamp(result.generatedAt, language),
    totals: t.totals(statusCounts(result)),
    toc: shown.map((i) => ({
      anchor: `issue-${i.slug}`,
      subject: subjectOf(i),
      status: i.status,
      statusLabel: t.status[i.status],
      pixels: i.pixelsChanged ? formatShare(i.pixelsChanged, language) : "",
    })),
    sections: shown.map((i) => section(i, t, language)),
    audiencesTitle: translator(language as Lang).t("topics:review.audiences"),
    audiences: result.audiences.map((a) => ({
      file: a.file,
      status: a.status,
      statusLabel: t.status[a.status],
      reach: a.reach ? reachText(a.reach, language) : "",
    })),
    unchanged: result.issues.filter((i) => i.status === "unchanged").map((i) => ({ subject: subjectOf(i), file: i.file })),
    footnote: `${t.footnote} ${formatKb(GMAIL_CLIP_BYTES, language)}.`,
  });
}
