import type { Diagnostic } from "../diagnostics.js";
import { formatKb, GMAIL_CLIP_BYTES, sizeLevel } from "../message/size.js";
import { formatDate } from "../render/events.js";
import type { Subscriber } from "../render/personalise.js";
import { counts, failed, type IssueReport } from "./report.js";

/**
 * The preview's pages, as strings: no framework, no client bundle. Content (subjects, dates, the email)
 * is in the newsletter's language; the UI labels are Russian for a Russian newsletter, English otherwise.
 */

const LABELS = {
  ru: {
    issues: "Выпуски",
    all: "← Все выпуски",
    draft: "черновик",
    buildFailed: "не собирается",
    errors: "ошибок",
    warnings: "предупреждений",
    date: "Дата",
    subject: "Тема",
    size: "Размер",
    lint: "Проверка",
    email: "Письмо",
    text: "Текст",
    source: "Исходник",
    findings: "Замечания",
    none: "Замечаний нет.",
    reader: "Подписчик",
    noReader: "без подписчика (веб-версия)",
    noIssues: 'В папке issues/ нет выпусков. Создайте первый: rassylka new "Заголовок".',
    buildError: "Ошибка сборки",
    projectError: "Ошибка в настройках или шаблонах",
    lastGood: "Последняя удачная сборка",
    of: "из",
    clipped: "Gmail обрежет письмо",
    close: "близко к пределу Gmail",
    preheader: "Прехедер",
    notFound: "Такого выпуска нет.",
  },
  en: {
    issues: "Issues",
    all: "← All issues",
    draft: "draft",
    buildFailed: "does not build",
    errors: "errors",
    warnings: "warnings",
    date: "Date",
    subject: "Subject",
    size: "Size",
    lint: "Lint",
    email: "Email",
    text: "Text",
    source: "Source",
    findings: "Findings",
    none: "No findings.",
    reader: "Subscriber",
    noReader: "no subscriber (web version)",
    noIssues: 'No issues in issues/. Write the first one: rassylka new "Title".',
    buildError: "Build error",
    projectError: "Error in the settings or templates",
    lastGood: "Last good build",
    of: "of",
    clipped: "Gmail will clip this message",
    close: "close to Gmail's limit",
    preheader: "Preheader",
    notFound: "No such issue.",
  },
};
type Labels = (typeof LABELS)["ru"];

export function labelsFor(language: string): Labels {
  return language.toLowerCase().startsWith("ru") ? LABELS.ru : LABELS.en;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

export interface PageContext {
  language: string;
  newsletterName: string;
  /** Changes with every rebuild; the page reloads when the server's differs. */
  version: string;
  /** Problems with newsletter.yaml or templates/: shown on every page. */
  projectErrors: Diagnostic[];
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

function layout(ctx: PageContext, title: string, content: string, key?: string): string {
  const l = labelsFor(ctx.language);
  return `<!doctype html>
<html lang="${escapeHtml(ctx.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-version="${escapeHtml(ctx.version)}"${key ? ` data-key="${escapeHtml(key)}"` : ""}>
<header class="top"><a class="name" href="/">${escapeHtml(ctx.newsletterName)}</a><a href="/">${escapeHtml(l.issues)}</a></header>
<main>
${ctx.projectErrors.length ? errorPanel(l.projectError, ctx.projectErrors) : ""}
${content}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function place(d: Diagnostic): string {
  return d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}` : "";
}

export function diagnosticsList(diagnostics: readonly Diagnostic[]): string {
  return `<ul class="diags">${diagnostics
    .map((d) => {
      const where = place(d);
      const rule = d.url ? `<a href="${escapeHtml(d.url)}">${escapeHtml(d.ruleId)}</a>` : escapeHtml(d.ruleId);
      return `<li data-severity="${d.severity}"><span class="badge ${d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "muted"}">${d.severity}</span> ${
        where ? `<code class="where">${escapeHtml(where)}</code> ` : ""
      }${escapeHtml(d.message)}${d.field ? ` <code>${escapeHtml(d.field)}</code>` : ""} <small>[${rule}]</small>${
        d.fix ? `<span class="fix">→ ${escapeHtml(d.fix)}</span>` : ""
      }</li>`;
    })
    .join("")}</ul>`;
}

function errorPanel(title: string, diagnostics: readonly Diagnostic[]): string {
  return `<section class="panel-error" role="alert" id="build-error"><h2>${escapeHtml(title)}</h2>${diagnosticsList(diagnostics)}</section>`;
}

function countBadges(report: IssueReport, l: Labels): string {
  const { errors, warnings } = counts(report);
  return `<span class="badge ${errors ? "error" : "muted"}" data-errors="${errors}">${l.errors}: ${errors}</span> <span class="badge ${warnings ? "warning" : "muted"}" data-warnings="${warnings}">${l.warnings}: ${warnings}</span>`;
}

export function sizeBadge(bytes: number, language: string): string {
  const l = labelsFor(language);
  const level = sizeLevel(bytes);
  const note = level === "error" ? ` — ${l.clipped}` : level === "warning" ? ` — ${l.close}` : "";
  return `<span class="badge ${level}" data-bytes="${bytes}" title="${escapeHtml(`${bytes} B`)}">${escapeHtml(
    `${formatKb(bytes, language)} ${l.of} ${formatKb(GMAIL_CLIP_BYTES, language)}${note}`,
  )}</span>`;
}

export function indexPage(ctx: PageContext, reports: IssueReport[]): string {
  const l = labelsFor(ctx.language);
  const rows = reports
    .map((r) => {
      const c = r.compiled;
      const href = `/issue/${encodeURIComponent(r.key)}`;
      if (failed(r) || !c) {
        return `<tr data-key="${escapeHtml(r.key)}"><td>—</td><td><a href="${href}">${escapeHtml(r.file)}</a> <span class="badge error">${l.buildFailed}</span></td><td>—</td><td>${countBadges(r, l)}</td></tr>`;
      }
      return `<tr data-key="${escapeHtml(r.key)}"><td><time datetime="${c.date}">${escapeHtml(formatDate(c.date, ctx.language, { withYear: true }))}</time></td><td><a href="${href}">${escapeHtml(c.subject)}</a>${
        c.draft ? ` <span class="badge draft">${l.draft}</span>` : ""
      }</td><td>${r.bytes !== undefined ? sizeBadge(r.bytes, ctx.language) : "—"}</td><td>${countBadges(r, l)}</td></tr>`;
    })
    .join("\n");
  const body = reports.length
    ? `<table class="issues"><thead><tr><th>${l.date}</th><th>${l.subject}</th><th>${l.size}</th><th>${l.lint}</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : `<p>${escapeHtml(l.noIssues)}</p>`;
  return layout(ctx, `${l.issues} — ${ctx.newsletterName}`, `<h1>${l.issues}</h1>\n${body}`);
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

export function issuePage(ctx: PageContext, view: IssueView): string {
  const l = labelsFor(ctx.language);
  const { report } = view;
  const shown = report.compiled && !failed(report) ? report : view.lastGood;
  const c = shown?.compiled;
  const parts: string[] = [];
  parts.push(`<p><a href="/">${l.all}</a></p>`);
  parts.push(`<h1>${escapeHtml(c?.subject ?? report.file)}</h1>`);
  if (failed(report)) parts.push(errorPanel(`${l.buildError}: ${report.file}`, report.diagnostics));
  if (!c || view.html === undefined) return layout(ctx, report.file, parts.join("\n"), report.key);
  if (shown !== report) parts.push(`<p class="meta"><span class="badge muted">${l.lastGood}</span></p>`);

  const q = view.selected !== undefined ? `?s=${view.selected}` : "";
  const base = `/issue/${encodeURIComponent(report.key)}`;
  const picker = view.subscribers.length
    ? `<label class="reader">${l.reader}: <select id="subscriber"><option value="">${escapeHtml(l.noReader)}</option>${view.subscribers
        .map((s, i) => `<option value="${i}"${view.selected === i ? " selected" : ""}>${escapeHtml(subscriberLabel(s, i))}</option>`)
        .join("")}</select></label>`
    : "";
  parts.push(
    `<div class="meta"><time datetime="${c.date}">${escapeHtml(formatDate(c.date, ctx.language, { withYear: true }))}</time>${
      c.draft ? ` <span class="badge draft">${l.draft}</span>` : ""
    } ${view.bytes !== undefined ? sizeBadge(view.bytes, ctx.language) : ""} ${countBadges(shown, l)} <code>${escapeHtml(report.file)}</code> ${picker}</div>`,
  );
  if (c.preheader) parts.push(`<p class="meta">${l.preheader}: ${escapeHtml(c.preheader)}</p>`);
  const findings = [
    ...shown.lint,
    ...shown.diagnostics.filter((d) => !shown.lint.some((x) => x.ruleId === d.ruleId && x.message === d.message)),
  ];
  parts.push(
    `<section class="findings" id="findings"><h2>${l.findings}</h2>${findings.length ? diagnosticsList(findings) : `<p>${l.none}</p>`}</section>`,
  );
  parts.push(`<div class="tabs" role="tablist">
<button role="tab" data-tab="email" aria-selected="true">${l.email}</button>
<button role="tab" data-tab="text" aria-selected="false">${l.text}</button>
<button role="tab" data-tab="source" aria-selected="false">${l.source}</button>
</div>
<section role="tabpanel" id="tab-email"><div class="frames">
<figure><figcaption>600 px</figcaption><div class="device"><iframe class="email" id="frame-600" title="${l.email} 600 px" width="600" style="width:600px" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="${base}/email.html${q}"></iframe></div></figure>
<figure><figcaption>375 px</figcaption><div class="device"><iframe class="email" id="frame-375" title="${l.email} 375 px" width="375" style="width:375px" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="${base}/email.html${q}"></iframe></div></figure>
</div></section>
<section role="tabpanel" id="tab-text" hidden><pre class="plain" id="plain-text">${escapeHtml(view.text ?? "")}</pre></section>
<section role="tabpanel" id="tab-source" hidden><pre class="code" id="html-source">${escapeHtml(view.html)}</pre></section>`);
  return layout(ctx, c.subject, parts.join("\n"), report.key);
}

export function notFoundPage(ctx: PageContext): string {
  const l = labelsFor(ctx.language);
  return layout(ctx, l.notFound, `<p>${l.notFound}</p><p><a href="/">${l.all}</a></p>`);
}
