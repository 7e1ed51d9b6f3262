import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

/**
 * Handlebars' built-ins that write to the console: `{{log subscriber.email}}` printed every reader's data
 * to stdout during a send (and broke `--json`). They are removed from our instances (createHandlebars)
 * and refused here; Handlebars' own warnings are silenced too.
 */
export const CONSOLE_HELPERS = ["log"];

/**
 * Rule `handlebars/console-helper`: `{{log …}}`, `{{#log}}` or `(log …)` anywhere, even inside another
 * tag's arguments.
 */
export function consoleHelper({ ast }: TemplateInput): Finding[] {
  const findings: Finding[] = [];
  const check = (n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression) => {
    const name = nameOf(n);
    if (n.path.type === "PathExpression" && CONSOLE_HELPERS.includes(name))
      findings.push({
        ruleId: "handlebars/console-helper",
        ...placeOf(n),
        message: t("templates:hb.consoleHelper", { tag: `{{${name} …}}` }),
        fix: t("templates:hb.consoleHelper.fix", { example: "{{subscriber.name}}" }),
      });
  };
  const visitor = new (class extends Handlebars.Visitor {
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      check(n);
      super.MustacheStatement(n);
    }
    BlockStatement(n: hbs.AST.BlockStatement): void {
      check(n);
      super.BlockStatement(n);
    }
    SubExpression(n: hbs.AST.SubExpression): void {
      check(n);
      super.SubExpression(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}
