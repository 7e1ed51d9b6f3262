import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { CONSOLE_HELPERS } from "./console-helper.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

export const BUILTIN_HELPERS = ["if", "unless", "each", "with", "lookup"];
/** Names a template may open a block with besides helpers (Mustache-style sections over the context). */
export const CONTEXT_KEYS = ["newsletter", "issue", "events", "subscriber", "content", "this", "nav", "contacts"];

/**
 * Rule `handlebars/unknown-helper`: a block (`{{#foreach events}}`) or a call with arguments
 * (`{{fmtDate issue.date}}`) names a helper that does not exist. A block without arguments over a
 * context key (`{{#issue}}`) or a dotted path is a section, not a helper.
 */
export function unknownHelper({ ast, helpers }: TemplateInput): Finding[] {
  const known = new Set([...BUILTIN_HELPERS, ...helpers]);
  // refused with their own rule (console-helper.ts), not again as unknown
  const unknown = (name: string) => !known.has(name) && !CONSOLE_HELPERS.includes(name);
  const fix = t("templates:hb.unknownHelper.fix", { known: [...known].join(", ") });
  const findings: Finding[] = [];
  const visitor = new (class extends Handlebars.Visitor {
    BlockStatement(n: hbs.AST.BlockStatement): void {
      const name = nameOf(n);
      const hasParams = (n.params ?? []).length > 0;
      if (n.path.type === "PathExpression" && unknown(name) && (hasParams || (!name.includes(".") && !CONTEXT_KEYS.includes(name))))
        findings.push({
          ruleId: "handlebars/unknown-helper",
          ...placeOf(n),
          message: t("templates:hb.unknownBlock", { block: `{{#${name}}}` }),
          fix,
        });
      super.BlockStatement(n);
    }
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      if ((n.params ?? []).length > 0 && n.path.type === "PathExpression" && unknown(nameOf(n)))
        findings.push({
          ruleId: "handlebars/unknown-helper",
          ...placeOf(n),
          message: t("templates:hb.unknownHelper", { tag: `{{${nameOf(n)} …}}` }),
          fix,
        });
      super.MustacheStatement(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}
