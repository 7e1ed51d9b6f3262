import Handlebars from "handlebars";
import { CONSOLE_HELPERS } from "./checks/console-helper.js";
import { isDate, NotADate } from "./checks/format-date.js";
import { formatDate } from "./events.js";
import { headRefs, lineStarts, type Node } from "./hbs-ast.js";
import { PROCESS_NONCE, type TokenKind, token } from "./tokens.js";

type Loc = hbs.AST.SourceLocation;

/**
 * Stage: Handlebars. Renders the issue body and then its layout, with partials, once per issue.
 *
 * Compile once, personalise many: every tag that reads `subscriber` (a `{{subscriber.name}}`, or a whole
 * `{{#if subscriber.name}}…{{/if}}` block) is not rendered here but swapped for an inert token
 * (`RSKSUB<nonce><n>Z`, render/tokens.ts) that survives MJML. After MJML only those small sources are compiled again, and
 * they are what `personalise` fills per reader — MJML never runs per reader.
 */

export function createHandlebars(language: string): typeof Handlebars {
  const hb = Handlebars.create();
  for (const name of CONSOLE_HELPERS) hb.unregisterHelper(name);
  // the runtime's logger is shared by every instance; above "error" nothing is written to the console
  hb.logger.level = 4;
  hb.registerHelper("formatDate", (iso: unknown, options?: { hash?: { year?: boolean } }) => {
    if (typeof iso !== "string") return "";
    // "Invalid time value" named neither the value nor the tag: the pipeline names the line (checks/format-date.ts)
    if (!isDate(iso)) throw new NotADate(iso);
    return formatDate(iso, language, { withYear: Boolean(options?.hash?.year) });
  });
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).find(Boolean) ?? false);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("default", (a: unknown, b: unknown) => (a === undefined || a === null || a === "" ? b : a));
  return hb;
}

export const OUR_HELPERS = ["formatDate", "eq", "or", "and", "not", "default"];

interface Span {
  start: number;
  end: number;
}

function spanOf(loc: Loc, starts: number[]): Span {
  return { start: starts[loc.start.line - 1] + loc.start.column, end: starts[loc.end.line - 1] + loc.end.column };
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
    if ((n.type === "MustacheStatement" || n.type === "BlockStatement") && headRefs(n as unknown as hbs.AST.MustacheStatement) && n.loc) {
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
