import type { IssueTracking, NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, error, hasErrors } from "../diagnostics.js";
import { langOf, t, translator } from "../i18n/index.js";
import type { Issue } from "../issue/load.js";
import type { AbTest, ScheduleAudience } from "../issue/schema.js";
import { nearest } from "../util/suggest.js";
import { checkTemplate, NotADate, renderFailureLine } from "./checks/index.js";
import { type FooterEvent, footerEvents, formatDate } from "./events.js";
import { createHandlebars, deferSubscriber, OUR_HELPERS, outputsOf } from "./handlebars.js";
import { type Asset, fixImageHeights, publishImages, publishTemplateImages } from "./images.js";
import { markdownToHtml } from "./markdown.js";
import { compileMjml } from "./mjml.js";
import type { Poll, PollEnv } from "./polls.js";
import { escapeLoneBraces, protectHandlebars } from "./protect.js";
import { type TemplateFile, type TemplateSet, withIncludesFromLayouts } from "./templates.js";
import { bodyToText, htmlToPlainText, snippetToText, textSourceProblem } from "./text.js";
import { nonceFor, token, tokenPattern } from "./tokens.js";
import { typographHtml } from "./typography.js";

/**
 * The compile pipeline, in order — the one place that says it. Data flows through src/ this way:
 *
 *   project/project.ts   find the newsletter: newsletter.yaml (config/), templates/, issues/*.md
 *   compile/compile.ts   for each issue, through the cache (compile/cache.ts), on worker threads when many:
 *     1. read          the issue file                                compile/compile.ts
 *     2. front-matter  split YAML from Markdown (gray-matter)        issue/load.ts  parseIssue
 *     3. validate      zod schema, defaults, slug                    issue/schema.ts, config/zod.ts
 *     4. markdown      Markdown → HTML (markdown-it); ```poll blocks   render/markdown.ts, render/polls.ts
 *     5. typography    quotes, dashes, nbsp (typograf)               render/typography.ts
 *     6. handlebars    body, then layout + partials                  render/handlebars.ts
 *     7. mjml          MJML → responsive HTML (once per layout skeleton) render/mjml.ts
 *     8. text          HTML → plain text (html-to-text)              render/text.ts
 *   then one of:
 *     site/            `build`: web versions, text parts, manifest, archive and feed
 *     lint/, preview/  findings and the editors' preview
 *     send/            `send`: the engine, per reader 9. personalise (render/personalise.ts), then
 *                      message/ (headers, MIME) and a transport; campaign/ for a Sendsay list
 *
 * Stages 4–5 see Handlebars tags only as inert tokens (render/protect.ts). Stages 1–8 run once per issue
 * and are cached; stage 9 runs per reader at send time and for the web version.
 */

export interface RenderContext {
  config: NewsletterConfig;
  templates: TemplateSet;
  /** The newsletter's root: pictures next to the issue are read from it (render/images.ts). */
  root?: string;
}

/** Everything later steps need of a compiled issue; JSON-safe, so it can be cached. */
export interface CompiledIssue {
  slug: string;
  source: string;
  title: string;
  subject: string;
  /** An A/B test's subjects (`subject` is the first); see src/send/ab-test.ts. */
  subjects?: string[];
  abTest?: AbTest;
  preheader: string;
  date: string;
  draft: boolean;
  tags: string[];
  template: string;
  /** The front-matter's `tracking:` (config/tracking.ts issueTracking() makes it what the send measures). */
  tracking?: IssueTracking;
  /** The front-matter's `topic:` and `audience:` (docs/audiences.md): who a send to the subscribers reaches. */
  topic?: string;
  audience?: ScheduleAudience;
  /** The compiled HTML, with `RSKSUB<nonce><n>Z` tokens where subscriber tags stand (see render/personalise.ts). */
  html: string;
  /** The plain-text part, with the same tokens. */
  text: string;
  /**
   * The issue's own words as plain text: its body after Handlebars, without the layout (header, footer,
   * trainings, links to other issues) and without the subscriber tags. What the archive's search indexes.
   */
  bodyText?: string;
  /** The nonce of this issue's tokens (render/tokens.ts): personalise finds them by it, in any process. */
  tokens: string;
  /** Handlebars source of each deferred subscriber tag (HTML flavour), indexed by token number. */
  deferred: string[];
  /** The same tags for the text part (HTML inside a block turned into text). */
  deferredText: string[];
  /** The MJML the layout produced, for --emit-mjml and debugging. */
  mjml: string;
  /** Pictures of the issue that `build` publishes under `<out>/assets/` (render/images.ts). */
  assets?: Asset[];
  /** The issue's polls (render/polls.ts), in order. */
  polls?: Poll[];
  /** `subscriber.*` fields the issue and its templates read. */
  subscriberFields: string[];
  /** Non-subscriber context the deferred blocks may still read at personalise time. */
  context: Record<string, unknown>;
  warnings: Diagnostic[];
}

export interface CompileResult {
  compiled?: CompiledIssue;
  diagnostics: Diagnostic[];
}

function lineOfKey(source: string, key: string): number | undefined {
  const i = source.split("\n").findIndex((l) => l.startsWith(`${key}:`));
  return i >= 0 ? i + 1 : undefined;
}

/**
 * What a template set needs once per build, not once per issue: static checks, partials registered,
 * layouts compiled, their subscriber tags deferred (tokens `RSKTPL<nonce><n>Z`). Memoised per TemplateSet,
 * language and nonce.
 */
interface TemplateRuntime {
  hb: ReturnType<typeof createHandlebars>;
  layouts: Map<string, HandlebarsTemplateDelegate>;
  deferred: string[];
  diagnostics: Diagnostic[];
  /** Problems of one layout only (it drops the issue's body): they fail the issues that use it. */
  layoutDiagnostics: Map<string, Diagnostic[]>;
}

const runtimes = new WeakMap<TemplateSet, Map<string, TemplateRuntime>>();

function templateRuntime(templates: TemplateSet, language: string, nonce: string): TemplateRuntime {
  let byLang = runtimes.get(templates);
  if (!byLang) {
    byLang = new Map();
    runtimes.set(templates, byLang);
  }
  const cached = byLang.get(`${language}\0${nonce}`);
  if (cached) return cached;
  const partialNames = new Set(templates.partials.keys());
  const files: TemplateFile[] = [...templates.layouts.values(), ...templates.partials.values()];
  const diagnostics = [
    ...files.flatMap((t) => checkTemplate(t.source, t.file, { partials: partialNames, helpers: OUR_HELPERS }).diagnostics),
    ...(templates.diagnostics ?? []),
  ];
  const hb = createHandlebars(language);
  const deferred: string[] = [];
  const layouts = new Map<string, HandlebarsTemplateDelegate>();
  if (!hasErrors(diagnostics)) {
    for (const p of templates.partials.values())
      hb.registerPartial(p.name, deferSubscriber(withIncludesFromLayouts(p, templates), deferred, { kind: "TPL", nonce }));
    for (const l of templates.layouts.values())
      layouts.set(
        l.name,
        hb.compile(deferSubscriber(withIncludesFromLayouts(l, templates), deferred, { kind: "TPL", nonce }), { strict: false }),
      );
    for (const d of deferred) {
      if (!/<mj-/.test(d)) continue;
      const owner = files.find((t) => t.source.includes(d));
      diagnostics.push({
        ruleId: "handlebars/subscriber-block-around-mjml",
        severity: "error",
        message: t("templates:blockAroundMjml", { block: d.split("\n")[0] }),
        file: owner?.file,
        line: owner ? owner.source.slice(0, owner.source.indexOf(d)).split("\n").length : undefined,
        fix: t("templates:blockAroundMjml.fix", { tag: "{{#if subscriber.…}}" }),
      });
    }
  }
  const layoutDiagnostics = new Map([...templates.layouts.values()].map((l) => [l.name, contentCheck(l, templates)]));
  const runtime = { hb, layouts, deferred, diagnostics, layoutDiagnostics };
  byLang.set(`${language}\0${nonce}`, runtime);
  return runtime;
}

/**
 * A layout must put the issue's body somewhere: `{{{content}}}`, three braces (it is HTML), in the layout
 * or a partial it uses. Without it every reader gets the frame without the text, and nothing else
 * would notice.
 */
function contentCheck(layout: TemplateFile, templates: TemplateSet): Diagnostic[] {
  const seen = new Set<string>();
  const tags: { file: string; tag: ReturnType<typeof outputsOf>["tags"][number] }[] = [];
  const walk = (t: TemplateFile) => {
    if (seen.has(t.file)) return;
    seen.add(t.file);
    const out = outputsOf(t.source);
    tags.push(...out.tags.map((tag) => ({ file: t.file, tag })));
    for (const name of out.partials) {
      const p = templates.partials.get(name);
      if (p) walk(p);
    }
  };
  walk(layout);
  const content = tags.filter((t) => t.tag.path === "content");
  if (content.some((t) => !t.tag.escaped)) return [];
  const three = "{{{content}}}";
  const fix = t("templates:content.missing.fix", { three, layout: layout.file });
  const url = "https://github.com/rassylka/rassylka#templates";
  const escaped = content[0];
  if (escaped) {
    return [
      error("template/no-content", t("templates:content.escaped", { layout: layout.file, two: "{{content}}" }), {
        file: escaped.file,
        line: escaped.tag.line,
        column: escaped.tag.column,
        fix: t("templates:content.escaped.fix", { three }),
        url,
      }),
    ];
  }
  const typo = tags.find((t) => !t.tag.path.includes(".") && nearest(t.tag.path, ["content"]) === "content");
  if (typo) {
    const braces = typo.tag.escaped ? `{{${typo.tag.path}}}` : `{{{${typo.tag.path}}}}`;
    return [
      error("template/no-content", t("templates:content.typo", { layout: layout.file, three, braces }), {
        file: typo.file,
        line: typo.tag.line,
        column: typo.tag.column,
        fix: t("templates:content.typo.fix", { three, braces }),
        url,
      }),
    ];
  }
  const body = layout.source.split("\n").findIndex((l) => /<mj-body\b/.test(l));
  return [
    error("template/no-content", t("templates:content.missing", { layout: layout.file, three }), {
      file: layout.file,
      line: body >= 0 ? body + 1 : 1,
      fix,
      url,
    }),
  ];
}

const words = new WeakMap<NewsletterConfig, { words: Record<string, string>; eventsHeading: string }>();
/**
 * The words the templates print around the config's texts (`newsletter.words.*`), in the newsletter's
 * language (src/i18n/catalogues/templates.ts), and the events heading: `eventsHeading` or its default.
 */
function templateWords(config: NewsletterConfig): { words: Record<string, string>; eventsHeading: string } {
  let w = words.get(config);
  if (!w) {
    const { t } = translator(langOf(config.language) ?? "en");
    const keys = ["viewInBrowser", "allIssues", "regards", "forum", "site", "unsubscribe", "manageSubscription", "openQuote", "closeQuote"];
    const list: Record<string, string> = Object.fromEntries(keys.map((k) => [k, t(`email-words:${k}`)]));
    list.reason = t("email-words:reason", { name: config.name });
    if (config.contacts?.phone) list.phone = t("email-words:phone", { phone: config.contacts.phone });
    w = { words: list, eventsHeading: config.eventsHeading ?? t("email-words:eventsHeading") };
    words.set(config, w);
  }
  return w;
}

const footers = new WeakMap<NewsletterConfig, string>();
/** The config's footer in HTML, once per config rather than once per issue. */
function footerHtmlOf(config: NewsletterConfig): string {
  let html = footers.get(config);
  if (html === undefined) {
    html = config.footer ? typographHtml(markdownToHtml(config.footer), config.language) : "";
    footers.set(config, html);
  }
  return html;
}

/** Stages 4–8 for one parsed issue. Returns diagnostics instead of throwing: one bad issue stops only itself. */
export async function compileIssue(issue: Issue, ctx: RenderContext): Promise<CompileResult> {
  const { config, templates } = ctx;
  const language = config.language;
  const layout = templates.layouts.get(issue.template);
  if (!layout) {
    return {
      diagnostics: [
        {
          ruleId: "template/missing-layout",
          severity: "error",
          message: t("templates:layoutNotFound", { name: issue.template }),
          file: issue.file,
          line: lineOfKey(issue.text, "template"),
          field: "template",
          fix: t("templates:layoutNotFound.fix", { name: issue.template, known: [...templates.layouts.keys()].join(", ") }),
        },
      ],
    };
  }
  // tokens nobody can have typed: not in the issue, the config or the templates (render/tokens.ts)
  const nonce = nonceFor([
    issue.text,
    JSON.stringify(config),
    ...[...templates.layouts.values(), ...templates.partials.values()].map((t) => t.source),
  ]);
  const runtime = templateRuntime(templates, language, nonce);
  const body = escapeLoneBraces(issue.body);
  const checked = checkTemplate(body, issue.file, {
    lineOffset: issue.bodyOffset,
    partials: new Set(templates.partials.keys()),
    helpers: OUR_HELPERS,
  });
  const diagnostics: Diagnostic[] = [...runtime.diagnostics, ...checked.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };

  // Stages 4–5: Markdown and typography see Handlebars only as tokens.
  const guarded = protectHandlebars(body, nonce);
  const archiveUrl = config.url ? config.url.replace(/\/?$/, "/") : undefined;
  // Stage 4½: pictures next to the issue get their public address, width and height (render/images.ts)
  const polls: PollEnv = {
    polls: [],
    diagnostics: [],
    file: issue.file,
    lineOffset: issue.bodyOffset,
    webUrl: archiveUrl ? `${archiveUrl}${issue.slug}.html` : undefined,
  };
  const markdownHtml = markdownToHtml(guarded.text, polls);
  diagnostics.push(...polls.diagnostics);
  const pictures = ctx.root
    ? publishImages(markdownHtml, { root: ctx.root, file: issue.file, text: issue.text, archiveUrl })
    : { html: markdownHtml, assets: [], diagnostics: [] };
  diagnostics.push(...pictures.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  const bodySource = guarded.restore(typographHtml(pictures.html, language));
  const footerHtml = footerHtmlOf(config);

  // Stage 6: Handlebars, subscriber tags deferred.
  const deferred: string[] = [];
  const events: FooterEvent[] = footerEvents(issue, config);
  const context: Record<string, unknown> = {
    newsletter: { ...config, footerHtml, archiveUrl, ...templateWords(config) },
    issue: {
      title: issue.title,
      subject: issue.subject,
      preheader: issue.preheader,
      date: issue.date,
      dateText: formatDate(issue.date, language, { withYear: true }),
      author: issue.author,
      slug: issue.slug,
      tags: issue.tags,
      webUrl: archiveUrl ? `${archiveUrl}${issue.slug}.html` : undefined,
    },
    events,
  };
  let rendered: string;
  let bodyHtml = "";
  // the body renders first: a failure there is the issue's, not the layout's
  let failing = issue.file;
  try {
    const body = runtime.hb.compile(deferSubscriber(bodySource, deferred, { nonce }), { strict: false })(context);
    bodyHtml = body;
    failing = layout.file;
    rendered = runtime.layouts.get(layout.name)!({ ...context, content: body });
  } catch (error) {
    // Handlebars' runtime errors carry no place: in the issue's body, the tag that most likely failed
    const line = failing === issue.file && checked.ast ? renderFailureLine(checked.ast, error as Error) : undefined;
    const dynamicPartial = line !== undefined && !(error instanceof NotADate);
    return {
      diagnostics: [
        {
          ruleId: "handlebars/render",
          severity: "error",
          message: dynamicPartial
            ? t("issue-text:dynamicPartial", { error: (error as Error).message })
            : t("templates:hbFailed", { error: (error as Error).message }),
          file: failing,
          line: line === undefined ? undefined : line + issue.bodyOffset,
          fix: dynamicPartial
            ? t("issue-text:dynamicPartial.fix", { example: "{{> footer}}" })
            : error instanceof NotADate
              ? t("issue-text:formatDate.fix", { example: '{{formatDate "2026-12-01"}}', field: "{{formatDate issue.date year=true}}" })
              : t("templates:hbFailed.fix"),
        },
      ],
    };
  }
  // Template tokens join the issue's own: one numbering for the compiled issue.
  const base = deferred.length;
  deferred.push(...runtime.deferred);
  rendered = rendered.replace(tokenPattern("TPL", nonce), (_, i: string) => token("SUB", nonce, base + Number(i)));

  // Stage 6½: pictures the templates name by a relative path, published as the issue's (render/images.ts)
  if (ctx.root) {
    const files = [layout, ...templates.partials.values(), ...(templates.includes?.values() ?? [])];
    const own = publishTemplateImages(rendered, files, { root: ctx.root, archiveUrl });
    diagnostics.push(...own.diagnostics);
    if (hasErrors(own.diagnostics)) return { diagnostics };
    rendered = own.html;
    const known = new Set(pictures.assets.map((a) => a.source));
    pictures.assets.push(...own.assets.filter((a) => !known.has(a.source)));
  }
  // Stage 7: MJML, once.
  const paths = templates.dir && layout.absPath ? { filePath: layout.absPath, includePath: templates.dir, key: templates.hash } : undefined;
  const mj = await compileMjml(rendered, [layout, ...templates.partials.values(), ...(templates.includes?.values() ?? [])], paths);
  // a layout that drops the body fails its issues, after MJML has had its say on the rest of the layout
  const layoutProblems = runtime.layoutDiagnostics.get(layout.name) ?? [];
  if (!mj.html || hasErrors(mj.diagnostics) || hasErrors(layoutProblems))
    return { diagnostics: [...diagnostics, ...layoutProblems, ...mj.diagnostics] };

  mj.html = fixImageHeights(mj.html, pictures.assets);
  // Stage 8: the text part. Deferred tags stay tokens in both parts until personalise.
  const tooBig = textSourceProblem(mj.html, issue.file);
  if (tooBig) return { diagnostics: [...diagnostics, tooBig] };
  const text = htmlToPlainText(mj.html);
  const subscriberFields = [...new Set(deferred.flatMap((d) => [...d.matchAll(/subscriber\.([A-Za-z_][\w-]*)/g)].map((m) => m[1])))].sort();
  return {
    compiled: {
      slug: issue.slug,
      source: issue.file,
      title: issue.title,
      subject: issue.subject,
      ...(issue.subjects ? { subjects: issue.subjects, abTest: issue.abTest } : {}),
      preheader: issue.preheader,
      date: issue.date,
      draft: issue.draft,
      tags: issue.tags,
      template: issue.template,
      tracking: issue.tracking,
      ...(issue.topic ? { topic: issue.topic } : {}),
      ...(issue.audience ? { audience: issue.audience } : {}),
      html: mj.html,
      text,
      bodyText: bodyToText(bodyHtml.replace(tokenPattern("SUB", nonce), " ")),
      tokens: nonce,
      deferred,
      deferredText: deferred.map(snippetToText),
      mjml: rendered,
      assets: pictures.assets,
      ...(polls.polls.length ? { polls: polls.polls } : {}),
      subscriberFields,
      context,
      warnings: [...diagnostics, ...mj.diagnostics],
    },
    diagnostics: [...diagnostics, ...mj.diagnostics],
  };
}
