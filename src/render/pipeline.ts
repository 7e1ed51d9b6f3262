import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, hasErrors } from "../diagnostics.js";
import type { Issue } from "../issue/load.js";
import { type FooterEvent, footerEvents, formatDate } from "./events.js";
import { checkTemplate, createHandlebars, deferSubscriber, OUR_HELPERS, restoreDeferred } from "./handlebars.js";
import { markdownToHtml } from "./markdown.js";
import { compileMjml } from "./mjml.js";
import { protectHandlebars } from "./protect.js";
import type { TemplateFile, TemplateSet } from "./templates.js";
import { htmlToPlainText, snippetToText } from "./text.js";
import { typographHtml } from "./typography.js";

/**
 * The compile pipeline, in order — the one place that says it:
 *
 *   1. load          read the issue file                          issue/load.ts  loadIssue
 *   2. front-matter  split YAML from Markdown (gray-matter)        issue/load.ts  parseIssue
 *   3. validate      zod schema, defaults, slug                    issue/schema.ts
 *   4. markdown      Markdown → HTML (markdown-it)                 render/markdown.ts
 *   5. typography    quotes, dashes, nbsp (typograf)               render/typography.ts
 *   6. handlebars    body, then layout + partials                  render/handlebars.ts
 *   7. mjml          MJML → responsive HTML, once per issue        render/mjml.ts
 *   8. text          HTML → plain text (html-to-text)              render/text.ts
 *   9. personalise   subscriber fields, per reader                 render/personalise.ts
 *
 * Stages 4–5 see Handlebars tags only as inert tokens (render/protect.ts). Stages 1–8 run once per issue
 * and are cached (build/cache.ts); stage 9 runs per reader at send time and for the web version.
 */

export interface RenderContext {
  config: NewsletterConfig;
  templates: TemplateSet;
}

/** Everything later steps need of a compiled issue; JSON-safe, so it can be cached. */
export interface CompiledIssue {
  slug: string;
  source: string;
  title: string;
  subject: string;
  preheader: string;
  date: string;
  draft: boolean;
  tags: string[];
  template: string;
  /** Handlebars source of the HTML part: only subscriber tags are live. */
  htmlTemplate: string;
  /** Same for the text part (rendered with noEscape). */
  textTemplate: string;
  /** The MJML the layout produced, for --emit-mjml and debugging. */
  mjml: string;
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
          message: `layout "${issue.template}" not found`,
          file: issue.file,
          line: lineOfKey(issue.source, "template"),
          field: "template",
          fix: `create templates/layouts/${issue.template}.mjml.hbs or use one of: ${[...templates.layouts.keys()].join(", ")}`,
        },
      ],
    };
  }
  const partialNames = new Set(templates.partials.keys());
  const helpers = OUR_HELPERS;
  const diagnostics: Diagnostic[] = [];
  const checked = [
    checkTemplate(issue.body, issue.file, { lineOffset: issue.bodyOffset, partials: partialNames, helpers }),
    checkTemplate(layout.source, layout.file, { partials: partialNames, helpers }),
    ...[...templates.partials.values()].map((p) => checkTemplate(p.source, p.file, { partials: partialNames, helpers })),
  ];
  for (const c of checked) diagnostics.push(...c.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };

  // Stages 4–5: Markdown and typography see Handlebars only as tokens.
  const guarded = protectHandlebars(issue.body);
  const bodySource = guarded.restore(typographHtml(markdownToHtml(guarded.text), language));
  const footerHtml = config.footer ? typographHtml(markdownToHtml(config.footer), language) : "";

  // Stage 6: Handlebars, subscriber tags deferred.
  const hb = createHandlebars(language);
  const deferred: string[] = [];
  const templateFiles: TemplateFile[] = [layout, ...templates.partials.values()];
  for (const p of templates.partials.values()) hb.registerPartial(p.name, deferSubscriber(p.source, deferred));
  const events: FooterEvent[] = footerEvents(issue, config);
  const archiveUrl = config.url ? config.url.replace(/\/?$/, "/") : undefined;
  const context: Record<string, unknown> = {
    newsletter: { ...config, footerHtml, archiveUrl },
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
  try {
    const body = hb.compile(deferSubscriber(bodySource, deferred), { strict: false })(context);
    rendered = hb.compile(deferSubscriber(layout.source, deferred), { strict: false })({ ...context, content: body });
  } catch (error) {
    return {
      diagnostics: [
        {
          ruleId: "handlebars/render",
          severity: "error",
          message: `Handlebars failed: ${(error as Error).message}`,
          file: layout.file,
          fix: "check the helpers and partials the layout and the issue use",
        },
      ],
    };
  }
  for (const d of deferred) {
    if (/<mj-/.test(d)) {
      const owner = templateFiles.find((t) => t.source.includes(d));
      diagnostics.push({
        ruleId: "handlebars/subscriber-block-around-mjml",
        severity: "error",
        message: `a block that reads subscriber fields wraps MJML tags: ${d.split("\n")[0]}`,
        file: owner?.file ?? layout.file,
        line: owner ? owner.source.slice(0, owner.source.indexOf(d)).split("\n").length : undefined,
        fix: "put the {{#if subscriber.…}} inside an <mj-text> (MJML runs once per issue, before subscriber fields are known)",
      });
    }
  }
  if (hasErrors(diagnostics)) return { diagnostics };

  // Stage 7: MJML, once.
  const mj = await compileMjml(rendered, templateFiles);
  if (!mj.html || hasErrors(mj.diagnostics)) return { diagnostics: [...diagnostics, ...mj.diagnostics] };

  // Stage 8: text, then both parts become per-reader templates.
  const text = htmlToPlainText(mj.html);
  const subscriberFields = [...new Set(deferred.flatMap((d) => [...d.matchAll(/subscriber\.([A-Za-z_][\w-]*)/g)].map((m) => m[1])))].sort();
  return {
    compiled: {
      slug: issue.slug,
      source: issue.file,
      title: issue.title,
      subject: issue.subject,
      preheader: issue.preheader,
      date: issue.date,
      draft: issue.draft,
      tags: issue.tags,
      template: issue.template,
      htmlTemplate: restoreDeferred(mj.html, deferred),
      textTemplate: restoreDeferred(text, deferred, snippetToText),
      mjml: rendered,
      subscriberFields,
      context,
      warnings: [...diagnostics, ...mj.diagnostics],
    },
    diagnostics: [...diagnostics, ...mj.diagnostics],
  };
}
