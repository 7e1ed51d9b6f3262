import Handlebars from "handlebars";
import { type Diagnostic, error } from "../diagnostics.js";
import { createHandlebars } from "../render/handlebars.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { tokenPattern } from "../render/tokens.js";

/**
 * A campaign's letter in PROScript, Sendsay's template language (Template Toolkit syntax): Sendsay fills
 * each list member's data on its own servers, so the deferred subscriber tags of the compiled issue
 * (render/personalise.ts keeps their Handlebars source) are translated, once per campaign, instead of
 * being filled by rassylka:
 *
 *   {{subscriber.name}}                   [% anketa.base.firstName %]          (sendsay.fields: name: base.firstName)
 *   {{{subscriber.name}}}, text part      [% anketa.base.firstName | mark_raw %]
 *   {{subscriber.email}}                  [% anketa.member.email %]
 *   {{subscriber.unsubscribeUrl}}         [% param.url_unsub %]
 *   {{#if subscriber.x}}A{{else}}B{{/if}} [% IF anketa.… %]A[% ELSE %]B[% END %]   (unless: UNLESS; else if: nested)
 *   (eq a b) (not a) (and a b) (or a b)   (A == B) !(A) (A && B) (A || B)
 *   {{default subscriber.x "друг"}}       [% IF X %][% X %][% ELSE %]друг[% END %]
 *
 * `email` and `unsubscribeUrl` always have a value in a campaign, so a condition on them alone keeps its
 * first branch only (no fallback link to our own unsubscribe page survives in any branch). Issue-wide
 * values inside a subscriber tag (`{{issue.title}}`, `{{#if issue.webUrl}}`) are rendered now.
 * Anything else (an unmapped field, `formatDate`, `each`/`with` over subscriber data, …) is refused.
 *
 * Text outside directives reaches readers as written: a `%` that would form `[%` or `%]` with its
 * neighbour is written as the directive `[% '%' %]` (a string literal), so «[% скидка %]» stays text.
 * (`[% "%]" %]` would not do: the tag ends at the first `%]`, even inside quotes.)
 *
 * Values: Sendsay HTML-escapes what a directive prints unless `| mark_raw` follows (docs/proscript/
 * filters-in-proscript.md), as Handlebars' `{{…}}` does; the text part and `{{{…}}}` use `mark_raw`.
 */

/** Subscriber field → Sendsay questionnaire field, `newsletter.yaml` `sendsay.fields`. */
/**
 * Subscriber fields that never have a value in a campaign: our preference page's link carries a token
 * signed with our secret for each reader, which Sendsay cannot make (its readers change their subscription
 * through Sendsay's own unsubscribe link). `{{#if subscriber.preferencesUrl}}` takes its else branch.
 */
export const UNSET_IN_CAMPAIGN = ["preferencesUrl"];

export type FieldMap = Record<string, string>;

export interface SourceFile {
  file: string;
  text: string;
}

export interface ProscriptOptions {
  fields: FieldMap;
  /** The newsletter's own unsubscribe addresses: links to them become `[% param.url_unsub %]`. */
  unsubscribe?: { url?: string; mailto?: string };
  /** The issue's file and the templates, to name the line of a tag that cannot be translated. */
  sources?: SourceFile[];
}

export interface CampaignLetterParts {
  html: string;
  text: string;
  subject: string;
}

export const UNSUBSCRIBE_DIRECTIVE = "param.url_unsub";
export const MEMBER_EMAIL = "anketa.member.email";

type Node = hbs.AST.Node & Record<string, unknown>;
type Part = "html" | "text";

// A directive stands in the letter as \uE000<n>\uE001 until the literal text around it is escaped.
const OPEN = "\uE000";
const CLOSE = "\uE001";

class Translator {
  readonly problems: Diagnostic[] = [];
  private readonly directives: string[] = [];
  private readonly hb: typeof Handlebars;

  constructor(
    private readonly compiled: CompiledIssue,
    private readonly options: ProscriptOptions,
  ) {
    const language = (compiled.context.newsletter as { language?: string } | undefined)?.language ?? "ru";
    this.hb = createHandlebars(language);
  }

  /** A placeholder for `[% body %]`. */
  dir(body: string): string {
    this.directives.push(body);
    return `${OPEN}${this.directives.length - 1}${CLOSE}`;
  }

  /** One deferred tag's source → the letter's text with directive placeholders. */
  tag(source: string, part: Part): string {
    let ast: hbs.AST.Program;
    try {
      ast = Handlebars.parse(source);
    } catch (error) {
      this.refuse(source, undefined, "helper", `this subscriber tag does not parse: ${(error as Error).message}`);
      return "";
    }
    return this.program(ast, source, part);
  }

  private program(program: hbs.AST.Program | undefined, src: string, part: Part): string {
    let out = "";
    for (const s of (program?.body ?? []) as Node[]) out += this.statement(s, src, part);
    return out;
  }

  private statement(n: Node, src: string, part: Part): string {
    switch (n.type) {
      case "ContentStatement":
        return String(n.value);
      case "CommentStatement":
        return "";
      case "MustacheStatement":
        return mentionsSubscriber(n) ? this.output(n, src, part) : this.renderNow(n, src, part);
      case "BlockStatement":
        return this.block(n, src, part);
      default:
        if (mentionsSubscriber(n)) {
          this.refuse(src, n, "helper", "a partial that reads subscriber fields inside a subscriber tag has no PROScript form here");
          return "";
        }
        return this.renderNow(n, src, part);
    }
  }

  /** `{{subscriber.x}}`, `{{{subscriber.x}}}`, `{{default subscriber.x "…"}}`. */
  private output(n: Node, src: string, part: Part): string {
    const path = n.path as Node;
    const params = (n.params as Node[]) ?? [];
    const raw = part === "text" || n.escaped === false;
    const print = (expr: string) => this.dir(raw ? `${expr} | mark_raw` : expr);
    if (path.type === "PathExpression" && params.length === 0) {
      const expr = this.expr(path, src);
      return expr === undefined ? "" : print(expr);
    }
    const helper = path.type === "PathExpression" ? String(path.original) : String(path.type);
    if (helper === "default" && params.length === 2) {
      const value = this.expr(params[0], src);
      if (value === undefined) return "";
      const fallback = params[1];
      let otherwise: string;
      if (fallback.type === "PathExpression" && isSubscriberPath(fallback)) {
        const e = this.expr(fallback, src);
        otherwise = e === undefined ? "" : print(e);
      } else {
        const v = fallback.type === "PathExpression" ? this.lookup(fallback) : literalValue(fallback);
        const s = v === undefined || v === null ? "" : String(v);
        otherwise = raw ? s : Handlebars.escapeExpression(s);
      }
      return `${this.dir(`IF ${value}`)}${print(value)}${this.dir("ELSE")}${otherwise}${this.dir("END")}`;
    }
    this.refuse(src, n, "helper", `the helper "${helper}" has no PROScript equivalent in a campaign`, helper);
    return "";
  }

  private block(n: Node, src: string, part: Part): string {
    const name = String((n.path as Node).original);
    const params = (n.params as Node[]) ?? [];
    const hash = (n.hash as { pairs?: unknown[] } | undefined)?.pairs ?? [];
    const program = n.program as hbs.AST.Program | undefined;
    const inverse = n.inverse as hbs.AST.Program | undefined;
    if ((name === "if" || name === "unless") && params.length === 1 && hash.length === 0) {
      const [cond] = params;
      const positive = name === "if";
      if (!mentionsSubscriber(cond)) {
        // an issue-wide condition: decided now, as Handlebars would
        const truthy = isTruthy(cond.type === "PathExpression" ? this.lookup(cond) : literalValue(cond));
        return this.program(truthy === positive ? program : inverse, src, part);
      }
      if (cond.type === "PathExpression" && isSubscriberPath(cond) && ["email", "unsubscribeUrl"].includes(subscriberField(cond) ?? "")) {
        // always set in a campaign: the member's address, Sendsay's own unsubscribe link
        return this.program(positive ? program : inverse, src, part);
      }
      if (cond.type === "PathExpression" && isSubscriberPath(cond) && UNSET_IN_CAMPAIGN.includes(subscriberField(cond) ?? "")) {
        return this.program(positive ? inverse : program, src, part);
      }
      const expr = this.expr(cond, src);
      if (expr === undefined) return "";
      let out = this.dir(`${positive ? "IF" : "UNLESS"} ${expr}`) + this.program(program, src, part);
      if (inverse?.body.length) out += this.dir("ELSE") + this.program(inverse, src, part);
      return out + this.dir("END");
    }
    if (!mentionsSubscriber(n)) return this.renderNow(n, src, part);
    this.refuse(src, n, "helper", `{{#${name}}} over subscriber data has no PROScript equivalent in a campaign`, `#${name}`);
    return "";
  }

  /** A Handlebars expression as a PROScript one; undefined after refusing it. */
  private expr(n: Node, src: string): string | undefined {
    if (n.type === "PathExpression") {
      if (!isSubscriberPath(n)) return ttString(this.lookup(n));
      const field = subscriberField(n);
      if (field === "email") return MEMBER_EMAIL;
      if (field === "unsubscribeUrl") return UNSUBSCRIBE_DIRECTIVE;
      if (field && UNSET_IN_CAMPAIGN.includes(field)) return ttString("");
      const mapped = field ? this.options.fields[field] : undefined;
      if (mapped) return `anketa.${mapped}`;
      this.refuse(src, n, "field", `subscriber.${field ?? ""} has no Sendsay field to read in a campaign`, field ?? "subscriber");
      return undefined;
    }
    if (n.type === "SubExpression") {
      const helper = String((n.path as Node).original);
      const args = ((n.params as Node[]) ?? []).map((p) => this.expr(p, src));
      if (args.some((a) => a === undefined)) return undefined;
      const a = args as string[];
      if (helper === "eq" && a.length === 2) return `(${a[0]} == ${a[1]})`;
      if (helper === "not" && a.length === 1) return `!(${a[0]})`;
      if (helper === "and" && a.length >= 1) return `(${a.join(" && ")})`;
      if ((helper === "or" || helper === "default") && a.length >= 1) return `(${a.join(" || ")})`;
      this.refuse(src, n, "helper", `the helper "${helper}" has no PROScript equivalent in a campaign`, helper);
      return undefined;
    }
    return ttString(literalValue(n));
  }

  /** An issue-wide value (`issue.title`, `@root.newsletter.name`) from the compiled context. */
  private lookup(n: Node): unknown {
    const parts = (n.parts as string[]) ?? [];
    let v: unknown = this.compiled.context;
    for (const p of parts) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    return v;
  }

  /** A statement that reads no subscriber field, rendered now with the issue-wide context. */
  private renderNow(n: Node, src: string, part: Part): string {
    const slice = sliceOf(src, n);
    try {
      return this.hb.compile(slice, { strict: false, noEscape: part === "text" })(this.compiled.context);
    } catch (error) {
      this.refuse(src, n, "helper", `this part of a subscriber tag does not render: ${(error as Error).message}`);
      return "";
    }
  }

  private refuse(src: string, n: Node | undefined, kind: "field" | "helper", message: string, name?: string): void {
    const head = n ? headOf(src, n) : src.split("\n")[0];
    const at = locate(head, this.options.sources ?? []);
    const fix =
      kind === "field"
        ? `map it under sendsay.fields in newsletter.yaml (e.g. "${name}: ${name === "name" ? "base.firstName" : `custom.${name}`}", the code of the questionnaire field in Sendsay), or remove it from the issue and its templates; or send personal letters (--to FILE.csv), or add --without-subscriber-fields`
        : "use only {{subscriber.x}}, {{#if}}, {{#unless}}, {{else}} and the helpers eq, not, and, or, default in subscriber tags; or send personal letters (--to FILE.csv), or add --without-subscriber-fields";
    const d = error(
      kind === "field" ? "sendsay/unmapped-field" : "sendsay/untranslatable",
      kind === "field" ? message : `${message}: ${head.trim()}`,
      {
        file: at?.file ?? this.compiled.source,
        line: at?.line,
        field: kind === "field" ? `sendsay.fields.${name}` : undefined,
        fix,
      },
    );
    if (!this.problems.some((p) => p.message === d.message && p.file === d.file && p.line === d.line)) this.problems.push(d);
  }

  /**
   * The letter's text with placeholders → PROScript: own unsubscribe links replaced, literal `[%` / `%]`
   * escaped, placeholders written as directives.
   */
  finish(s: string, part: Part): string {
    s = this.ownUnsubscribeLinks(s, part);
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === "%" && (s[i - 1] === "[" || s[i + 1] === "]")) out += "[% '%' %]";
      else out += c;
    }
    return out.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_, i: string) => `[% ${this.directives[Number(i)]} %]`);
  }

  private ownUnsubscribeLinks(s: string, part: Part): string {
    const { url, mailto } = this.options.unsubscribe ?? {};
    const link = this.dir(part === "text" ? `${UNSUBSCRIBE_DIRECTIVE} | mark_raw` : UNSUBSCRIBE_DIRECTIVE);
    if (part === "html") {
      const targets = [url && Handlebars.escapeExpression(url), url, mailto && `mailto:${mailto}`].filter(Boolean) as string[];
      for (const t of [...new Set(targets)]) {
        // the whole href, a mailto's ?subject=… included
        const query = t.startsWith("mailto:") ? `(?:\\?[^"']*)?` : "";
        s = s.replace(new RegExp(`(href\\s*=\\s*["'])${escapeRegExp(t)}${query}(?=["'])`, "gi"), (_, pre: string) => pre + link);
      }
    } else {
      if (url) s = s.replace(new RegExp(`${escapeRegExp(url)}(?![\\w/?#%&=+~.-])`, "g"), link);
      if (mailto) s = s.replace(new RegExp(`mailto:${escapeRegExp(mailto)}(?:\\?[^\\s)]*)?`, "gi"), link);
    }
    return s;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const SUB = /^(?:@root\.|(?:\.\.\/)*|this\.)?subscriber(?:\.|$)/;

function isSubscriberPath(n: Node): boolean {
  return n.type === "PathExpression" && SUB.test(String(n.original));
}

/** `subscriber.name` → "name"; undefined for the bare `subscriber`. */
function subscriberField(n: Node): string | undefined {
  const m = /^(?:@root\.|(?:\.\.\/)*|this\.)?subscriber\.(.+)$/.exec(String(n.original));
  return m?.[1];
}

function mentionsSubscriber(node: unknown): boolean {
  if (!node || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some(mentionsSubscriber);
  const n = node as Node;
  if (n.type === "PathExpression") return isSubscriberPath(n);
  for (const key of ["path", "params", "hash", "pairs", "value", "program", "inverse", "body", "name"])
    if (key in n && mentionsSubscriber(n[key])) return true;
  return false;
}

function literalValue(n: Node): unknown {
  if (n.type === "StringLiteral" || n.type === "NumberLiteral" || n.type === "BooleanLiteral") return n.value;
  return undefined;
}

/** Handlebars' truthiness: empty arrays are false, 0 and "" too. */
function isTruthy(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : Boolean(v);
}

/** A PROScript string literal (single quotes: no interpolation). */
function ttString(v: unknown): string {
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "number") return String(v);
  const s = v === undefined || v === null ? "" : String(v);
  // `%]` cannot appear inside a directive at all, quoted or not: split it
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`.replace(/%\]/g, "%' _ ']");
}

function offsets(src: string): number[] {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === "\n") starts.push(i + 1);
  return starts;
}

function sliceOf(src: string, n: Node): string {
  const loc = n.loc as hbs.AST.SourceLocation | undefined;
  if (!loc) return "";
  const starts = offsets(src);
  return src.slice(starts[loc.start.line - 1] + loc.start.column, starts[loc.end.line - 1] + loc.end.column);
}

/** The opening tag of a statement, as written: what an editor can search the file for. */
function headOf(src: string, n: Node): string {
  const s = sliceOf(src, n);
  if (n.type === "SubExpression" || n.type === "PathExpression") return s;
  const end = s.indexOf("}}");
  return end >= 0 ? s.slice(0, end + (s[end + 2] === "}" ? 3 : 2)) : s;
}

function locate(head: string, sources: SourceFile[]): { file: string; line: number } | undefined {
  const variants = [head, head.replace(/@root\.subscriber/g, "../subscriber")];
  for (const v of variants) {
    if (!v.trim()) continue;
    for (const s of sources) {
      const i = s.text.indexOf(v);
      if (i >= 0) return { file: s.file, line: s.text.slice(0, i).split("\n").length };
    }
  }
  return undefined;
}

/**
 * The campaign's HTML, text and subject in PROScript. `problems` lists every tag that cannot be
 * translated (each with its file, line and fix); the parts are only usable when it is empty.
 */
export function toProscript(compiled: CompiledIssue, options: ProscriptOptions): CampaignLetterParts & { problems: Diagnostic[] } {
  const t = new Translator(compiled, options);
  const fill = (s: string, tags: string[], part: Part) =>
    s.replace(tokenPattern("SUB", compiled.tokens), (_, i: string) => t.tag(tags[Number(i)] ?? "", part));
  const html = t.finish(fill(compiled.html, compiled.deferred, "html"), "html");
  // the text flavour of the same tags: its problems would repeat the HTML ones
  const problems = [...t.problems];
  const text = t.finish(fill(compiled.text, compiled.deferredText, "text"), "text");
  return { html, text, subject: t.finish(compiled.subject, "text"), problems };
}

/**
 * A letter rassylka filled itself (--without-subscriber-fields): its text made safe for PROScript, each
 * marker (where rassylka put `subscriber.email` or `subscriber.unsubscribeUrl`) turned into its
 * directive, and the newsletter's own unsubscribe links into Sendsay's.
 */
export function literalToProscript(
  compiled: CompiledIssue,
  parts: { html: string; text: string },
  markers: Record<string, string>,
  unsubscribe?: ProscriptOptions["unsubscribe"],
): CampaignLetterParts {
  const t = new Translator(compiled, { fields: {}, unsubscribe });
  const fill = (s: string, raw: boolean) => {
    for (const [marker, expr] of Object.entries(markers)) s = s.split(marker).join(t.dir(raw ? `${expr} | mark_raw` : expr));
    return s;
  };
  return {
    html: t.finish(fill(parts.html, false), "html"),
    text: t.finish(fill(parts.text, true), "text"),
    subject: t.finish(compiled.subject, "text"),
  };
}
