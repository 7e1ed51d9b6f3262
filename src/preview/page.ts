import type { Diagnostic } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { type PreviewStrings, pageStrings } from "../i18n/pages.js";
import { formatKb, GMAIL_CLIP_BYTES, sizeLevel } from "../message/size.js";
import { issueDate } from "../render/events.js";
import type { Subscriber } from "../render/personalise.js";
import { errorStatus, languageTag, partial, template } from "../site/templates.js";
import { counts, failed, type IssueReport } from "./report.js";

/**
 * The preview's pages, from Handlebars templates (src/site/templates.ts: every value escaped): no
 * framework, no client bundle. Content (subjects, dates, the email) is in the newsletter's language;
 * the panel (labels, sizes, findings, error pages) in the editor's (src/i18n/catalogues/preview.ts). The view models below are computed here, so the templates only place them.
 */

export interface PageContext {
  language: string;
  newsletterName: string;
  /** Changes with every rebuild; the page reloads when the server's differs. */
  version: string;
  /** Problems with newsletter.yaml or templates/: shown on every page. */
  projectErrors: Diagnostic[];
}

/** The panel's labels, in the editor's language (`--lang`, RASSYLKA_LANG, the newsletter's, the locale). */
export function labelsFor(): PreviewStrings {
  return pageStrings(language()).preview;
}

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: #fff; }
header.top { padding: 12px 24px; border-bottom: 1px solid var(--line); background: var(--bg); display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header.top a { color: inherit; text-decoration: none; }
header.top .name { font-weight: 600; }
main { padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 4px 0 8px; }
table.issues { border-collapse: collapse; width: 100%; }
table.issues th, table.issues td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.issues th { font-weight: 600; color: var(--muted); font-size: 13px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.draft { background: #fff8c5; border-color: #d4a72c; color: #7d4e00; }
.badge.ok { background: #dafbe1; border-color: #4ac26b; color: #116329; }
.badge.warning { background: #fff8c5; border-color: #d4a72c; color: #7d4e00; }
.badge.error { background: #ffebe9; border-color: #ff8182; color: #a40e26; }
.badge.muted { background: var(--bg); border-color: var(--line); color: var(--muted); }
.meta { color: var(--muted); display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 12px; }
.panel-error { border: 1px solid #ff8182; background: #ffebe9; border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.panel-error h2 { margin: 0 0 8px; font-size: 16px; color: #a40e26; }
.diags { list-style: none; padding: 0; margin: 0; }
.diags li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.diags li:last-child { border-bottom: 0; }
.diags code { font-size: 13px; }
.diags .fix { color: var(--muted); display: block; }
.tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--line); margin: 12px 0 16px; }
.tabs button { font: inherit; padding: 6px 14px; border: 1px solid transparent; border-bottom: 0; background: none; cursor: pointer; border-radius: 6px 6px 0 0; color: var(--muted); }
.tabs button[aria-selected="true"] { border-color: var(--line); background: #fff; color: var(--ink); margin-bottom: -1px; font-weight: 600; }
.frames { display: flex; gap: 32px; align-items: flex-start; flex-wrap: wrap; }
.frames figure { margin: 0; }
.frames figcaption { color: var(--muted); font-size: 13px; margin-bottom: 4px; }
.frames .device { border: 1px solid var(--line); box-shadow: 0 1px 4px rgba(0,0,0,.08); display: inline-block; line-height: 0; }
iframe.email { border: 0; display: block; height: 900px; background: #fff; }
pre.plain { white-space: pre-wrap; font: 14px/1.55 ui-monospace, Menlo, Consolas, monospace; max-width: 80ch; background: var(--bg); padding: 16px; border-radius: 6px; }
pre.code { white-space: pre-wrap; word-break: break-all; font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; background: var(--bg); padding: 16px; border-radius: 6px; max-height: 80vh; overflow: auto; }
label.reader select { font: inherit; padding: 2px 6px; }
section.findings { margin: 8px 0 4px; }
section.findings h2 { font-size: 16px; margin: 0 0 4px; }
`;

// Tabs, frame heights, the subscriber picker and live reload (server-sent events from /events).
const SCRIPT = `
(function () {
  var body = document.body, KEY = body.getAttribute("data-key"), VERSION = body.getAttribute("data-version");
  var scrollKey = "rassylka-scroll:" + location.pathname + location.search;
  var y = sessionStorage.getItem(scrollKey);
  if (y !== null) { sessionStorage.removeItem(scrollKey); window.scrollTo(0, +y); }
  function show(name) {
    var found = false;
    document.querySelectorAll("[role=tab]").forEach(function (b) {
      var on = b.getAttribute("data-tab") === name; if (on) found = true;
      b.setAttribute("aria-selected", on ? "true" : "false");
    });
    if (!found) return;
    document.querySelectorAll("[role=tabpanel]").forEach(function (p) { p.hidden = p.id !== "tab-" + name; });
    history.replaceState(null, "", location.pathname + location.search + "#" + name);
  }
  document.querySelectorAll("[role=tab]").forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-tab")); });
  });
  if (location.hash) show(location.hash.slice(1));
  function fit(f) { try { var d = f.contentDocument; if (d && d.documentElement) f.style.height = d.documentElement.scrollHeight + "px"; } catch (e) {} }
  document.querySelectorAll("iframe.email").forEach(function (f) { f.addEventListener("load", function () { fit(f); setTimeout(function () { fit(f); }, 300); }); fit(f); });
  var sel = document.getElementById("subscriber");
  if (sel) sel.addEventListener("change", function () {
    var u = new URL(location.href);
    if (sel.value) u.searchParams.set("s", sel.value); else u.searchParams.delete("s");
    location.href = u.toString();
  });
  function reload() { sessionStorage.setItem(scrollKey, String(window.scrollY)); location.reload(); }
  if (window.EventSource) {
    var es = new EventSource("/events");
    es.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.version === VERSION) return;
      if (m.hello || m.all || !KEY || (m.keys || []).indexOf(KEY) >= 0) { es.close(); reload(); }
    };
  }
})();
`;

interface DiagnosticView {
  severity: string;
  badge: string;
  where?: string;
  message: string;
  field?: string;
  ruleId: string;
  url?: string;
  fix?: string;
}

interface LayoutView {
  lang: string;
  title: string;
  name: string;
  version: string;
  key?: string;
  l: PreviewStrings;
  projectErrors?: { title: string; diagnostics: DiagnosticView[] };
}

interface CountsView {
  errors: number;
  warnings: number;
}

interface SizeView {
  level: string;
  bytes: number;
  text: string;
}

partial(
  "preview/diagnostics",
  `<ul class="diags">{{#each this}}<li data-severity="{{severity}}"><span class="badge {{badge}}">{{severity}}</span> {{#if where}}<code class="where">{{where}}</code> {{/if}}{{message}}{{#if field}} <code>{{field}}</code>{{/if}} <small>[{{#if url}}<a href="{{url}}">{{ruleId}}</a>{{else}}{{ruleId}}{{/if}}]</small>{{#if fix}}<span class="fix">→ {{fix}}</span>{{/if}}</li>{{/each}}</ul>`,
);
partial(
  "preview/error-panel",
  `<section class="panel-error" role="alert" id="build-error"><h2>{{title}}</h2>{{> preview/diagnostics diagnostics}}</section>`,
);
partial(
  "preview/counts",
  `<span class="badge {{#if counts.errors}}error{{else}}muted{{/if}}" data-errors="{{counts.errors}}">{{l.errors}}: {{counts.errors}}</span> <span class="badge {{#if counts.warnings}}warning{{else}}muted{{/if}}" data-warnings="{{counts.warnings}}">{{l.warnings}}: {{counts.warnings}}</span>`,
);
partial("preview/size", `<span class="badge {{level}}" data-bytes="{{bytes}}" title="{{bytes}} B">{{text}}</span>`);
partial(
  "preview/layout",
  `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>${STYLE}</style>
</head>
<body data-version="{{version}}"{{#if key}} data-key="{{key}}"{{/if}}>
<header class="top"><a class="name" href="/">{{name}}</a><a href="/">{{l.issues}}</a></header>
<main>
{{#if projectErrors}}{{> preview/error-panel projectErrors}}{{/if}}
{{> @partial-block}}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`,
);

function diagnosticViews(diagnostics: readonly Diagnostic[]): DiagnosticView[] {
  return diagnostics.map((d) => ({
    severity: d.severity,
    badge: d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "muted",
    where: d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}` : undefined,
    message: d.message,
    field: d.field,
    ruleId: d.ruleId,
    url: d.url,
    fix: d.fix,
  }));
}

function layoutView(ctx: PageContext, title: string, key?: string): LayoutView {
  const l = labelsFor();
  return {
    lang: languageTag(ctx.language),
    title,
    name: ctx.newsletterName,
    version: ctx.version,
    key,
    l,
    projectErrors: ctx.projectErrors.length ? { title: l.projectError, diagnostics: diagnosticViews(ctx.projectErrors) } : undefined,
  };
}

export function sizeView(bytes: number): SizeView {
  const l = labelsFor();
  const level = sizeLevel(bytes);
  const note = level === "error" ? ` — ${l.clipped}` : level === "warning" ? ` — ${l.close}` : "";
  return { level, bytes, text: `${formatKb(bytes, language())} ${l.of} ${formatKb(GMAIL_CLIP_BYTES, language())}${note}` };
}

interface RowView {
  key: string;
  href: string;
  failed: boolean;
  file: string;
  date?: string;
  dateText?: string;
  subject?: string;
  draft?: boolean;
  size?: SizeView;
  counts: CountsView;
}

const INDEX = template<LayoutView & { rows: RowView[] }>(`{{#> preview/layout}}<h1>{{l.issues}}</h1>
{{#if rows.length}}<table class="issues"><thead><tr><th>{{l.date}}</th><th>{{l.subject}}</th><th>{{l.size}}</th><th>{{l.lint}}</th></tr></thead><tbody>
{{#each rows}}
{{#if failed}}<tr data-key="{{key}}"><td>—</td><td><a href="{{href}}">{{file}}</a> <span class="badge error">{{@root.l.buildFailed}}</span></td><td>—</td><td>{{> preview/counts l=@root.l}}</td></tr>
{{else}}<tr data-key="{{key}}"><td><time datetime="{{date}}">{{dateText}}</time></td><td><a href="{{href}}">{{subject}}</a>{{#if draft}} <span class="badge draft">{{@root.l.draft}}</span>{{/if}}</td><td>{{#if size}}{{> preview/size size}}{{else}}—{{/if}}</td><td>{{> preview/counts l=@root.l}}</td></tr>
{{/if}}
{{/each}}
</tbody></table>{{else}}<p>{{l.noIssues}}</p>{{/if}}
{{/preview/layout}}`);

export function indexPage(ctx: PageContext, reports: IssueReport[]): string {
  const l = labelsFor();
  const rows = reports.map((r): RowView => {
    const c = r.compiled;
    const base = { key: r.key, href: `/issue/${encodeURIComponent(r.key)}`, file: r.file, counts: counts(r) };
    if (failed(r) || !c) return { ...base, failed: true };
    return {
      ...base,
      failed: false,
      date: c.date,
      dateText: issueDate(c.date, ctx.language),
      subject: c.subject,
      draft: c.draft,
      size: r.bytes !== undefined ? sizeView(r.bytes) : undefined,
    };
  });
  return INDEX({ ...layoutView(ctx, `${l.issues} — ${ctx.newsletterName}`), rows });
}

export interface IssueView {
  report: IssueReport;
  /** The last version of this issue that built, shown under the error while it does not. */
  lastGood?: IssueReport;
  subscribers: Subscriber[];
  /** Index into subscribers, or undefined for the web version. */
  selected?: number;
  /** The email as the selected reader gets it (undefined while it never built). */
  html?: string;
  text?: string;
  bytes?: number;
}

function subscriberLabel(s: Subscriber, i: number): string {
  const name = s.name ?? s.first_name ?? s.firstName;
  return name && s.email ? `${name} <${s.email}>` : (s.email ?? name ?? `#${i + 1}`);
}

interface IssuePageView extends LayoutView {
  heading: string;
  buildError?: { title: string; diagnostics: DiagnosticView[] };
  shown?: {
    lastGood: boolean;
    date: string;
    dateText: string;
    draft: boolean;
    size?: SizeView;
    counts: CountsView;
    file: string;
    readers?: { value: number; label: string; selected: boolean }[];
    preheader?: string;
    /** An A/B test's subjects as inbox rows (subject and preheader), with the note saying how they go out. */
    inbox?: { note: string; rows: { subject: string; preheader: string }[] };
    findings: DiagnosticView[];
    src: string;
    text: string;
    html: string;
  };
}

const ISSUE = template<IssuePageView>(`{{#> preview/layout}}<p><a href="/">{{l.all}}</a></p>
<h1>{{heading}}</h1>
{{#if buildError}}{{> preview/error-panel buildError}}{{/if}}
{{#with shown}}
{{#if lastGood}}<p class="meta"><span class="badge muted">{{@root.l.lastGood}}</span></p>{{/if}}
<div class="meta"><time datetime="{{date}}">{{dateText}}</time>{{#if draft}} <span class="badge draft">{{@root.l.draft}}</span>{{/if}} {{#if size}}{{> preview/size size}}{{/if}} {{> preview/counts l=@root.l}} <code>{{file}}</code> {{#if readers}}<label class="reader">{{@root.l.reader}}: <select id="subscriber"><option value="">{{@root.l.noReader}}</option>{{#each readers}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}</select></label>{{/if}}</div>
{{#if preheader}}<p class="meta">{{@root.l.preheader}}: {{preheader}}</p>{{/if}}
{{#if inbox}}<section class="inbox" id="ab-subjects"><p class="meta">{{inbox.note}}</p><ol>{{#each inbox.rows}}<li><strong>{{subject}}</strong>{{#if preheader}} — <span class="meta">{{preheader}}</span>{{/if}}</li>{{/each}}</ol></section>{{/if}}
<section class="findings" id="findings"><h2>{{@root.l.findings}}</h2>{{#if findings.length}}{{> preview/diagnostics findings}}{{else}}<p>{{@root.l.none}}</p>{{/if}}</section>
<div class="tabs" role="tablist">
<button role="tab" data-tab="email" aria-selected="true">{{@root.l.email}}</button>
<button role="tab" data-tab="text" aria-selected="false">{{@root.l.text}}</button>
<button role="tab" data-tab="source" aria-selected="false">{{@root.l.source}}</button>
</div>
<section role="tabpanel" id="tab-email"><div class="frames">
<figure><figcaption>600 px</figcaption><div class="device"><iframe class="email" id="frame-600" title="{{@root.l.email}} 600 px" width="600" style="width:600px" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="{{src}}"></iframe></div></figure>
<figure><figcaption>375 px</figcaption><div class="device"><iframe class="email" id="frame-375" title="{{@root.l.email}} 375 px" width="375" style="width:375px" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="{{src}}"></iframe></div></figure>
</div></section>
<section role="tabpanel" id="tab-text" hidden><pre class="plain" id="plain-text">{{text}}</pre></section>
<section role="tabpanel" id="tab-source" hidden><pre class="code" id="html-source">{{html}}</pre></section>
{{/with}}
{{/preview/layout}}`);

export function issuePage(ctx: PageContext, view: IssueView): string {
  const l = labelsFor();
  const { report } = view;
  const shown = report.compiled && !failed(report) ? report : view.lastGood;
  const c = shown?.compiled;
  const page: IssuePageView = {
    ...layoutView(ctx, c && view.html !== undefined ? c.subject : report.file, report.key),
    heading: c?.subject ?? report.file,
    buildError: failed(report) ? { title: `${l.buildError}: ${report.file}`, diagnostics: diagnosticViews(report.diagnostics) } : undefined,
  };
  if (shown && c && view.html !== undefined) {
    const findings = [
      ...shown.lint,
      ...shown.diagnostics.filter((d) => !shown.lint.some((x) => x.ruleId === d.ruleId && x.message === d.message)),
    ];
    page.shown = {
      lastGood: shown !== report,
      date: c.date,
      dateText: issueDate(c.date, ctx.language),
      draft: c.draft,
      size: view.bytes !== undefined ? sizeView(view.bytes) : undefined,
      counts: counts(shown),
      file: report.file,
      readers: view.subscribers.length
        ? view.subscribers.map((s, i) => ({ value: i, label: subscriberLabel(s, i), selected: view.selected === i }))
        : undefined,
      preheader: c.preheader || undefined,
      inbox: c.subjects
        ? {
            note: t("ab:inboxRows", { sample: Math.round((c.abTest?.sample ?? 0.1) * 100) }),
            rows: c.subjects.map((subject) => ({ subject, preheader: c.preheader })),
          }
        : undefined,
      findings: diagnosticViews(findings),
      src: `/issue/${encodeURIComponent(report.key)}/email.html${view.selected !== undefined ? `?s=${view.selected}` : ""}`,
      text: view.text ?? "",
      html: view.html,
    };
  }
  return ISSUE(page);
}

const MESSAGE = template<LayoutView & { message: string }>(
  `{{#> preview/layout}}<p>{{message}}</p><p><a href="/">{{l.all}}</a></p>{{/preview/layout}}`,
);

export function notFoundPage(ctx: PageContext): string {
  return MESSAGE({ ...layoutView(ctx, labelsFor().notFound), message: labelsFor().notFound });
}

/** An answer to a request that went wrong (400, 403, 404, 405, 413, 500), in the preview's own page. */
export function errorPage(ctx: PageContext, status: number, message?: string): string {
  const t = pageStrings(language());
  return MESSAGE({ ...layoutView(ctx, t.errorTitle(status)), message: message ?? t.errors[errorStatus(status)] });
}
