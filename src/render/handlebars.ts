import Handlebars from "handlebars";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { formatDate } from "./events.js";
import { PROCESS_NONCE, type TokenKind, token } from "./tokens.js";

/**
 * Stage: Handlebars. Renders the issue body and then its layout, with partials, once per issue.
 *
 * Compile once, personalise many: every tag that reads `subscriber` (a `{{subscriber.name}}`, or a whole
 * `{{#if subscriber.name}}…{{/if}}` block) is not rendered here but swapped for an inert token
 * (`RSKSUB<nonce><n>Z`, render/tokens.ts) that survives MJML. After MJML only those small sources are compiled again, and
 * they are what `personalise` fills per reader — MJML never runs per reader.
 */

type Node = hbs.AST.Node & Record<string, unknown>;
type Loc = hbs.AST.SourceLocation;

export const BUILTIN_HELPERS = ["if", "unless", "each", "with", "lookup"];
/**
 * Handlebars' built-ins that write to the console: `{{log subscriber.email}}` printed every reader's data
 * to stdout during a send (and broke `--json`). They are removed from our instances and refused by
 * checkTemplate (rule handlebars/console-helper); Handlebars' own warnings are silenced too.
 */
export const CONSOLE_HELPERS = ["log"];
/** Names a template may open a block with besides helpers (Mustache-style sections over the context). */
export const CONTEXT_KEYS = ["newsletter", "issue", "events", "subscriber", "content", "this", "nav", "contacts"];

export function createHandlebars(language: string): typeof Handlebars {
  const hb = Handlebars.create();
  for (const name of CONSOLE_HELPERS) hb.unregisterHelper(name);
  // the runtime's logger is shared by every instance; above "error" nothing is written to the console
  hb.logger.level = 4;
  hb.registerHelper("formatDate", (iso: unknown, options?: { hash?: { year?: boolean } }) =>
    typeof iso === "string" ? formatDate(iso, language, { withYear: Boolean(options?.hash?.year) }) : "",
  );
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).find(Boolean) ?? false);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("default", (a: unknown, b: unknown) => (a === undefined || a === null || a === "" ? b : a));
  return hb;
}

/**
 * The mark that makes `{{{subscriber.x}}}` (reader data, unescaped) intended: a comment right before it,
 * `{{!-- trusted-html --}}{{{subscriber.signatureHtml}}}` (whitespace between is fine).
 */
const TRUSTED_HTML = /\{\{!(?:--)?\s*trusted-html\s*(?:--)?\}\}\s*$/;

export const OUR_HELPERS = ["formatDate", "eq", "or", "and", "not", "default"];

const SUB_PATH = /^(@root\.|(\.\.\/)*)?subscriber(\.|$)/;

function referencesSubscriber(node: unknown): boolean {
  if (!node || typeof node !== "object") return false;
  const n = node as Node;
  if (n.type === "PathExpression") return SUB_PATH.test(String(n.original));
  if (n.type === "SubExpression")
    return referencesSubscriber(n.path) || (n.params as unknown[]).some(referencesSubscriber) || referencesSubscriber(n.hash);
  if (n.type === "Hash") return (n.pairs as { value: unknown }[]).some((p) => referencesSubscriber(p.value));
  return false;
}

function headRefs(n: Node): boolean {
  return referencesSubscriber(n.path) || ((n.params as unknown[]) ?? []).some(referencesSubscriber) || referencesSubscriber(n.hash);
}

/**
 * Paths a subscriber statement reads that are neither the subscriber's nor `@root.…`: inside an
 * `{{#each}}` or `{{#with}}` they name the loop's item, which is gone when the deferred statement runs.
 * Helpers' names are not paths.
 */
function localPaths(node: unknown, out: string[] = []): string[] {
  if (!node || typeof node !== "object") return out;
  const n = node as Node;
  if (Array.isArray(n)) {
    for (const c of n) localPaths(c, out);
    return out;
  }
  if (n.type === "PathExpression") {
    const p = String(n.original);
    if (!SUB_PATH.test(p) && !p.startsWith("@root.") && !/^(\.\.\/)+subscriber(\.|$)/.test(p)) out.push(p);
    return out;
  }
  const called = ((n.params as unknown[]) ?? []).length > 0 || ((n.hash as { pairs?: unknown[] })?.pairs ?? []).length > 0;
  if (n.type === "MustacheStatement" || n.type === "SubExpression" || n.type === "BlockStatement") {
    if (n.type !== "BlockStatement" && !called) localPaths(n.path, out);
    localPaths(n.params, out);
    localPaths(n.hash, out);
    // inside {{#with subscriber}} (or #each over a subscriber list) paths are the subscriber's
    const intoSubscriber =
      ["with", "each"].includes(String((n.path as Node).original)) && referencesSubscriber((n.params as unknown[])?.[0]);
    if (!intoSubscriber) localPaths((n.program as Node | undefined)?.body, out);
    localPaths((n.inverse as Node | undefined)?.body, out);
  } else if (n.type === "Hash") {
    for (const pair of n.pairs as { value: unknown }[]) localPaths(pair.value, out);
  }
  return out;
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return starts;
}

interface Span {
  start: number;
  end: number;
}

function spanOf(loc: Loc, starts: number[]): Span {
  return { start: starts[loc.start.line - 1] + loc.start.column, end: starts[loc.end.line - 1] + loc.end.column };
}

export interface TemplateCheck {
  diagnostics: Diagnostic[];
  ast?: hbs.AST.Program;
}

/**
 * Static checks on one template's source, before anything renders: syntax, unclosed or mismatched
 * blocks (named at the line that opened them), unknown block helpers, missing partials.
 * `lineOffset` maps the source's line 1 to its file's line (an issue body starts after the front-matter).
 */
export function checkTemplate(
  source: string,
  file: string,
  opts: { lineOffset?: number; partials: ReadonlySet<string>; helpers: readonly string[] },
): TemplateCheck {
  const off = opts.lineOffset ?? 0;
  const diagnostics: Diagnostic[] = [];
  const err = (line: number, column: number | undefined, ruleId: string, message: string, fix: string) =>
    diagnostics.push({ ruleId, severity: "error", message, file, line: line + off, column, fix });

  // Our own block scan first: it can name the line where an unclosed block was opened.
  const stack: { name: string; line: number; column: number }[] = [];
  const starts = lineStarts(source);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
  const tagRe = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|(\\)?\{\{~?\s*([#/^])?>?\s*([^\s}~]*)[^}]*\}\}/g;
  for (let m = tagRe.exec(source); m; m = tagRe.exec(source)) {
    if (m[1] || !m[2]) continue;
    // a decorator block opens with {{#*inline "x"}} and closes with {{/inline}} (regression: was refused)
    const name = m[3].replace(/^\*/, "");
    const at = lineOf(m.index);
    if (m[2] === "#" || (m[2] === "^" && name)) stack.push({ name, ...at });
    else if (m[2] === "/") {
      const open = stack.pop();
      if (!open) {
        err(
          at.line,
          at.column,
          "handlebars/unopened-block",
          t("templates:hb.unopened", { tag: `{{/${name}}}` }),
          t("templates:hb.unopened.fix", { open: `{{#${name} …}}` }),
        );
        return { diagnostics };
      }
      if (open.name !== name) {
        err(
          open.line,
          open.column,
          "handlebars/mismatched-block",
          t("templates:hb.mismatched", { open: `{{#${open.name}}}`, close: `{{/${name}}}`, line: at.line + off }),
          t("templates:hb.mismatched.fix", { close: `{{/${open.name}}}` }),
        );
        return { diagnostics };
      }
    }
  }
  if (stack.length) {
    const open = stack[stack.length - 1];
    err(
      open.line,
      open.column,
      "handlebars/unclosed-block",
      t("templates:hb.unclosed", { open: `{{#${open.name}}}` }),
      t("templates:hb.unclosed.fix", { close: `{{/${open.name}}}` }),
    );
    return { diagnostics };
  }

  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /line (\d+)/.exec(msg) ?? /- (\d+):(\d+)$/.exec(msg);
    err(
      m ? Number(m[1]) : 1,
      undefined,
      "handlebars/syntax",
      t("templates:hb.syntax", { error: msg.split("\n").slice(-1)[0] }),
      t("templates:hb.syntax.fix", { tags: "{{…}}", literal: "{{", escaped: "\\{{" }),
    );
    return { diagnostics };
  }
  // {{log …}}, {{#log}}, (log …) anywhere, even inside another tag's arguments
  const consoleCalls = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const c of node) consoleCalls(c);
      return;
    }
    const n = node as Node;
    const path = n.path as Node | undefined;
    const called = n.type === "MustacheStatement" || n.type === "BlockStatement" || n.type === "SubExpression";
    if (called && path?.type === "PathExpression" && CONSOLE_HELPERS.includes(String(path.original))) {
      const loc = n.loc as Loc | undefined;
      err(
        loc?.start.line ?? 1,
        (loc?.start.column ?? 0) + 1,
        "handlebars/console-helper",
        `{{${String(path.original)} …}} writes to the console: readers' data would be printed during a send (and break --json)`,
        "remove it; to see what a value holds, put it in the text ({{subscriber.name}}) and look at `rassylka preview`",
      );
    }
    for (const [key, value] of Object.entries(n)) if (key !== "loc" && value && typeof value === "object") consoleCalls(value);
  };
  consoleCalls(ast);
  const known = new Set([...BUILTIN_HELPERS, ...opts.helpers]);
  // refused above with their own rule, not again as unknown
  const unknown = (name: string) => !known.has(name) && !CONSOLE_HELPERS.includes(name);
  // partials the template declares itself, {{#*inline "name"}}…{{/inline}}, are known too
  const inlinePartials = new Set<string>();
  const collectInline = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const c of node) collectInline(c);
      return;
    }
    const n = node as Node;
    const first = ((n.params as Node[]) ?? [])[0];
    if (n.type === "DecoratorBlock" && String((n.path as Node).original) === "inline" && first?.type === "StringLiteral")
      inlinePartials.add(String(first.value));
    for (const key of ["body", "program", "inverse"]) collectInline(n[key]);
  };
  collectInline(ast);
  /** `scope`: the enclosing block that changes the context (`each`, `with`), if any. */
  const visit = (node: unknown, scope?: string) => {
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (Array.isArray(n)) {
      for (const c of n) visit(c, scope);
      return;
    }
    const loc = n.loc as Loc | undefined;
    if (scope && (n.type === "MustacheStatement" || n.type === "BlockStatement") && headRefs(n)) {
      // deferred to personalise, where only the subscriber and the issue-wide context exist
      const locals = [...new Set(localPaths(n))];
      if (locals.length) {
        err(
          loc?.start.line ?? 1,
          (loc?.start.column ?? 0) + 1,
          "handlebars/subscriber-in-loop",
          t("templates:hb.inLoop", { block: `{{#${scope}}}`, locals: locals.map((l) => `"${l}"`).join(", ") }),
          t("templates:hb.inLoop.fix", { block: `{{#${scope}}}` }),
        );
      }
    }
    if (n.type === "MustacheStatement" && n.escaped === false && headRefs(n) && loc) {
      // reader data straight into the HTML: a name like `<script>` or a stray `<` would go out as markup
      const at = starts[loc.start.line - 1] + loc.start.column;
      if (!TRUSTED_HTML.test(source.slice(Math.max(0, at - 200), at))) {
        const tag = source.slice(at, starts[loc.end.line - 1] + loc.end.column);
        err(
          loc.start.line,
          loc.start.column + 1,
          "handlebars/unescaped-subscriber",
          t("templates:hb.unescaped", { tag }),
          t("templates:hb.unescaped.fix", {
            two: tag.replace(/^\{\{\{/, "{{").replace(/\}\}\}$/, "}}"),
            mark: "{{!-- trusted-html --}}",
            tag,
          }),
        );
      }
    }
    if (n.type === "BlockStatement") {
      const path = n.path as Node;
      const name = String(path.original);
      const hasParams = ((n.params as unknown[]) ?? []).length > 0;
      const arity = ((n.params as unknown[]) ?? []).length;
      if (["if", "unless", "with", "each"].includes(name) && arity !== 1) {
        // Handlebars only finds this at render time, and then cannot say where
        err(
          loc?.start.line ?? 1,
          (loc?.start.column ?? 0) + 1,
          "handlebars/helper-arguments",
          t("templates:hb.arguments", { block: `{{#${name}}}`, got: arity }),
          t("templates:hb.arguments.fix", {
            example: `{{#${name} something}}`,
            sample: `{{#${name} ${name === "each" ? "events" : "issue.preheader"}}}`,
          }),
        );
      }
      if (path.type === "PathExpression" && unknown(name) && (hasParams || (!name.includes(".") && !CONTEXT_KEYS.includes(name)))) {
        err(
          loc?.start.line ?? 1,
          (loc?.start.column ?? 0) + 1,
          "handlebars/unknown-helper",
          t("templates:hb.unknownBlock", { block: `{{#${name}}}` }),
          t("templates:hb.unknownHelper.fix", { known: [...known].join(", ") }),
        );
      }
    }
    if (n.type === "MustacheStatement" && ((n.params as unknown[]) ?? []).length > 0) {
      const path = n.path as Node;
      if (path.type === "PathExpression" && unknown(String(path.original))) {
        err(
          loc?.start.line ?? 1,
          (loc?.start.column ?? 0) + 1,
          "handlebars/unknown-helper",
          t("templates:hb.unknownHelper", { tag: `{{${String(path.original)} …}}` }),
          t("templates:hb.unknownHelper.fix", { known: [...known].join(", ") }),
        );
      }
    }
    if (n.type === "PartialStatement" || n.type === "PartialBlockStatement") {
      const name = n.name as Node;
      const pname = name.type === "PathExpression" ? String(name.original) : String(name.value ?? "");
      if (name.type !== "SubExpression" && !opts.partials.has(pname) && !inlinePartials.has(pname)) {
        err(
          loc?.start.line ?? 1,
          (loc?.start.column ?? 0) + 1,
          "handlebars/missing-partial",
          t("templates:hb.missingPartial", { name: pname }),
          t("templates:hb.missingPartial.fix", { name: pname, known: [...opts.partials].join(", ") || t("templates:none") }),
        );
      }
    }
    const name = n.type === "BlockStatement" ? String((n.path as Node).original) : "";
    visit(n.body, scope);
    visit(n.program, n.type === "BlockStatement" && !["if", "unless"].includes(name) ? name : scope);
    visit(n.inverse, scope);
  };
  visit(ast);
  return { diagnostics, ast };
}

/**
 * Swap subscriber-dependent statements for tokens (`kind` SUB for an issue, TPL for templates, with the
 * compile's nonce: render/tokens.ts). `deferred` collects their source; the token's number is its index there.
 */
export function deferSubscriber(
  source: string,
  deferred: string[],
  options: { kind?: TokenKind; nonce?: string } = {},
  ast = Handlebars.parse(source),
): string {
  const kind = options.kind ?? "SUB";
  const nonce = options.nonce ?? PROCESS_NONCE;
  const starts = lineStarts(source);
  const spans: Span[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (Array.isArray(n)) {
      for (const c of n) visit(c);
      return;
    }
    if ((n.type === "MustacheStatement" || n.type === "BlockStatement") && headRefs(n) && n.loc) {
      spans.push(spanOf(n.loc as Loc, starts));
      return;
    }
    for (const key of ["body", "program", "inverse"]) if (n[key]) visit(n[key]);
  };
  visit(ast);
  let out = "";
  let at = 0;
  for (const s of spans.sort((a, b) => a.start - b.start)) {
    out += source.slice(at, s.start);
    // personalise renders the tag at the root: `../subscriber` (from inside an {{#each}}) is @root's
    deferred.push(source.slice(s.start, s.end).replace(/(?<![\w.@])(\.\.\/)+subscriber\b/g, "@root.subscriber"));
    out += token(kind, nonce, deferred.length - 1);
    at = s.end;
  }
  return out + source.slice(at);
}

/** A `{{…}}` output tag of a template: its path, whether it escapes (two braces) and where it stands. */
export interface OutputTag {
  path: string;
  escaped: boolean;
  line: number;
  column: number;
}

/** The output tags (`{{x}}`, `{{{x}}}`, without arguments) and partial names a template uses. */
export function outputsOf(source: string): { tags: OutputTag[]; partials: string[] } {
  const tags: OutputTag[] = [];
  const partials: string[] = [];
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch {
    return { tags, partials };
  }
  const visit = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (Array.isArray(n)) {
      for (const c of n) visit(c);
      return;
    }
    const loc = n.loc as Loc | undefined;
    if (n.type === "MustacheStatement" && (n.path as Node).type === "PathExpression" && !((n.params as unknown[]) ?? []).length) {
      const path = n.path as Node;
      tags.push({
        path: ((path.parts as string[]) ?? []).join("."),
        escaped: n.escaped !== false,
        line: loc?.start.line ?? 1,
        column: (loc?.start.column ?? 0) + 1,
      });
    }
    if (n.type === "PartialStatement" || n.type === "PartialBlockStatement") {
      const name = n.name as Node;
      partials.push(name.type === "PathExpression" ? String(name.original) : String(name.value ?? ""));
    }
    for (const key of ["body", "program", "inverse"]) if (n[key]) visit(n[key]);
  };
  visit(ast);
  return { tags, partials };
}
