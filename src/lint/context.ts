import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Document, Element } from "domhandler";
import { parseDocument } from "htmlparser2";
import type { NewsletterConfig } from "../config/schema.js";
import type { Diagnostic, Severity } from "../diagnostics.js";
import { preferencesUrl, unsubscribeUrl } from "../identity/token.js";
import type { Project } from "../project/project.js";
import { createPersonaliser, type Subscriber } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { toPosix } from "../util/fs.js";

/** Where the rules are explained: the README's lint section, one anchor per rule (`#lint-<rule>`). */
export const DOCS_URL = "https://github.com/rassylka/rassylka";

export interface LintRule {
  /** `lint/<name>`; the README anchor is `#lint-<name>`. */
  id: string;
  check(ctx: LintContext): Diagnostic[] | Promise<Diagnostic[]>;
}

/** One sample reader and the issue as that reader gets it. */
export interface RenderedReader {
  subscriber: Subscriber;
  html: string;
  text: string;
}

export interface SourceFile {
  file: string;
  text: string;
  kind: "issue" | "template" | "config";
}

export interface Place {
  file: string;
  line: number;
  column: number;
}

/**
 * What every rule reads, built once per issue: the issue rendered for each sample reader (as the send
 * step will: with `email` and an `unsubscribeUrl`), the first reader's HTML parsed once into a tree
 * that the HTML rules share, and the source files a finding can be pointed back at.
 */
export interface LintContext {
  project: Project;
  config: NewsletterConfig;
  compiled: CompiledIssue;
  /** The issue file, relative to the root. */
  file: string;
  /** The issue file's text. */
  source: string;
  /** Line (1-based) of the first body line in `source`. */
  bodyLine: number;
  /** The sample readers as configured (without the fields the sender adds). */
  samples: Subscriber[];
  readers: RenderedReader[];
  /** HTML of readers[0], and its tree (htmlparser2, with start indices). */
  html: string;
  dom: Document;
  /** Issue file, its layout, the partials and newsletter.yaml, in the order findings are looked up. */
  sources: SourceFile[];
  /** Slugs whose send began (from the state, when lint could read one): a past `sendAt` is no mistake for them. */
  sent?: ReadonlySet<string>;
}

/**
 * The fields the sender provides (see the send step, src/message/message.ts): never missing from a sample
 * reader. `preferencesUrl` is there for a newsletter with topics, a `url` and the secret (docs/audiences.md);
 * templates show it under `{{#if}}`.
 */
export const SENDER_FIELDS = ["email", "unsubscribeUrl", "preferencesUrl"] as const;

const SAMPLE_TOKEN = "lint-sample-token";

export async function createLintContext(
  project: Project,
  compiled: CompiledIssue,
  options: { source?: string; subscribers?: Subscriber[]; sent?: ReadonlySet<string> },
): Promise<LintContext> {
  const config = project.config.config;
  const file = compiled.source;
  const source = options.source ?? (await readFile(join(project.root, file), "utf8").catch(() => ""));
  const samples = options.subscribers ?? config.preview.subscribers;
  const personaliser = createPersonaliser(compiled);
  const readers = (samples.length ? samples : [{}]).map((s): RenderedReader => {
    const subscriber: Subscriber = { ...s };
    subscriber.email ??= "reader@rassylka.invalid";
    if (config.unsubscribe?.url) subscriber.unsubscribeUrl ??= unsubscribeUrl(config.unsubscribe.url, SAMPLE_TOKEN);
    if (config.url && config.topics?.length) subscriber.preferencesUrl ??= preferencesUrl(config.url, SAMPLE_TOKEN);
    return { subscriber, ...personaliser.render(subscriber) };
  });
  const html = readers[0].html;
  const dom = parseDocument(html, { withStartIndices: true, withEndIndices: true });
  const layout = project.templates.layouts.get(compiled.template);
  const sources: SourceFile[] = [
    { file, text: source, kind: "issue" },
    ...(layout ? [{ file: layout.file, text: layout.source, kind: "template" as const }] : []),
    ...[...project.templates.partials.values()].map((p) => ({ file: p.file, text: p.source, kind: "template" as const })),
    { file: toPosix(relative(project.root, project.config.file)) || "newsletter.yaml", text: project.config.source, kind: "config" },
  ];
  return {
    project,
    config,
    compiled,
    file,
    source,
    bodyLine: bodyStartLine(source),
    samples,
    readers,
    html,
    dom,
    sources,
    sent: options.sent,
  };
}

function bodyStartLine(source: string): number {
  const m = /^\uFEFF?---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/.exec(source);
  return m ? m[0].split("\n").length - (m[1] ? 0 : 1) : 1;
}

/** 1-based line and column of a character offset. */
export function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

/**
 * The first place a needle occurs in the issue (body first), then its layout, the partials and the
 * config: how a finding in the rendered HTML is pointed back at what the editor wrote.
 */
export function locate(
  ctx: LintContext,
  needle: string | RegExp,
  kinds: SourceFile["kind"][] = ["issue", "template", "config"],
): Place | undefined {
  if (needle === "") return undefined;
  for (const s of ctx.sources) {
    if (!kinds.includes(s.kind)) continue;
    if (s.kind === "issue") {
      // the body first; the front-matter after it (an event's date, a subject)
      const bodyAt = s.text
        .split("\n")
        .slice(0, ctx.bodyLine - 1)
        .join("\n").length;
      const inBody = indexOf(s.text, needle, bodyAt);
      if (inBody >= 0) return { file: s.file, ...position(s.text, inBody) };
    }
    const i = indexOf(s.text, needle, 0);
    if (i >= 0) return { file: s.file, ...position(s.text, i) };
  }
  return typeof needle === "string" ? locateTemplated(ctx, needle, kinds) : undefined;
}

/**
 * A rendered value that no source holds as it is was put together by a template: `src="{{newsletter.url}}/
 * logo.png"` gives `https://…/logo.png`. Find the attribute whose value, `{{…}}` read as "anything",
 * matches it: the finding then names that template's file and line, not the issue without a line.
 */
function locateTemplated(ctx: LintContext, value: string, kinds: SourceFile["kind"][]): Place | undefined {
  const decoded = value.replace(/&amp;/g, "&");
  for (const s of ctx.sources) {
    if (s.kind !== "template" || !kinds.includes("template")) continue;
    for (const m of s.text.matchAll(/=\s*(?:"([^"]*\{\{[^"]*)"|'([^']*\{\{[^']*)')/g)) {
      const raw = m[1] ?? m[2];
      const parts = raw.split(/\{\{\{?[\s\S]*?\}?\}\}/);
      if (!parts.join("").trim()) continue;
      const pattern = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*?")}$`);
      if (pattern.test(value) || pattern.test(decoded)) {
        const at = (m.index ?? 0) + m[0].indexOf(raw);
        return { file: s.file, ...position(s.text, at) };
      }
    }
  }
  return undefined;
}

/** The tag (`<mj-image …>`, `<img …>`) around a place in a source, if the place is inside one. */
export function tagAt(ctx: LintContext, place: Place): string | undefined {
  const source = ctx.sources.find((s) => s.file === place.file);
  if (!source) return undefined;
  const lines = source.text.split("\n");
  const index = lines.slice(0, place.line - 1).join("\n").length + (place.line > 1 ? 1 : 0) + place.column - 1;
  const open = source.text.lastIndexOf("<", index);
  const close = source.text.indexOf(">", index);
  if (open < 0 || close < 0 || source.text.slice(open, index).includes(">")) return undefined;
  return source.text.slice(open, close + 1);
}

function indexOf(text: string, needle: string | RegExp, from: number): number {
  if (typeof needle === "string") return text.indexOf(needle, from);
  const re = new RegExp(needle.source, needle.flags.includes("g") ? needle.flags : `${needle.flags}g`);
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : -1;
}

/** Line of `key:` in the issue's front-matter. */
export function frontMatterLine(ctx: LintContext, key: string): number | undefined {
  const lines = ctx.source.split("\n");
  for (let i = 1; i < Math.max(1, ctx.bodyLine - 2); i++) if (lines[i]?.startsWith(`${key}:`)) return i + 1;
  return undefined;
}

/** A finding of a rule, with its url; place defaults to the issue file. */
export function finding(
  rule: string,
  severity: Severity,
  message: string,
  fix: string,
  place: Partial<Place> & { file?: string; field?: string },
): Diagnostic {
  const name = rule.replace(/^lint\//, "");
  const d: Diagnostic = { ruleId: `lint/${name}`, severity, message };
  if (place.file) d.file = place.file;
  if (place.line) d.line = place.line;
  if (place.column) d.column = place.column;
  if (place.field) d.field = place.field;
  d.fix = fix;
  d.url = `${DOCS_URL}#lint-${name}`;
  return d;
}

/** Every element of the tree, in document order. */
export function elements(dom: Document, name?: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: Document["children"]) => {
    for (const n of nodes) {
      if (n.type === "tag" || n.type === "script" || n.type === "style") {
        const el = n as Element;
        if (!name || el.name === name) out.push(el);
        walk(el.children);
      }
    }
  };
  walk(dom.children);
  return out;
}
