import { type Diagnostic, error } from "../../diagnostics.js";
import { blockBalance } from "./block-balance.js";
import { consoleHelper } from "./console-helper.js";
import { formatDateArguments } from "./format-date.js";
import { helperArguments } from "./helper-arguments.js";
import { missingPartial } from "./missing-partial.js";
import type { Finding, TreeRule } from "./rule.js";
import { subscriberInLoop } from "./subscriber-in-loop.js";
import { parseTemplate } from "./syntax.js";
import { unescapedSubscriber } from "./unescaped-subscriber.js";
import { unknownHelper } from "./unknown-helper.js";

export { CONSOLE_HELPERS } from "./console-helper.js";
export { isDate, NotADate, renderFailureLine } from "./format-date.js";
export { BUILTIN_HELPERS, CONTEXT_KEYS } from "./unknown-helper.js";

/** The checks over the parsed tree; at one tag their findings come in this order. */
const TREE_RULES: TreeRule[] = [
  consoleHelper,
  subscriberInLoop,
  unescapedSubscriber,
  helperArguments,
  formatDateArguments,
  unknownHelper,
  missingPartial,
];

export interface TemplateCheck {
  diagnostics: Diagnostic[];
  ast?: hbs.AST.Program;
}

/**
 * Static checks on one template's source, before anything renders: balanced blocks (named at the line
 * that opened them), syntax, then the rules over the tree. `lineOffset` maps the source's line 1 to its
 * file's line (an issue body starts after the front-matter).
 */
export function checkTemplate(
  source: string,
  file: string,
  opts: { lineOffset?: number; partials: ReadonlySet<string>; helpers: readonly string[] },
): TemplateCheck {
  const offset = opts.lineOffset ?? 0;
  const place = (f: Finding) => error(f.ruleId, f.message, { file, line: f.line + offset, column: f.column, fix: f.fix });
  const unbalanced = blockBalance(source, offset);
  if (unbalanced) return { diagnostics: [place(unbalanced)] };
  const parsed = parseTemplate(source);
  if ("finding" in parsed) return { diagnostics: [place(parsed.finding)] };
  const input = { source, ast: parsed.ast, partials: opts.partials, helpers: opts.helpers };
  const findings = TREE_RULES.flatMap((rule) => rule(input));
  // in the template's order, as an editor reads them (the sort is stable: one tag's rules keep their order)
  findings.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return { diagnostics: findings.map(place), ast: parsed.ast };
}
