import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

const ONE_ARGUMENT = ["if", "unless", "with", "each"];

/**
 * Rule `handlebars/helper-arguments`: `{{#if}}`, `{{#unless}}`, `{{#with}}`, `{{#each}}` take exactly one
 * argument. Handlebars only finds this at render time, and then cannot say where.
 */
export function helperArguments({ ast }: TemplateInput): Finding[] {
  const findings: Finding[] = [];
  const visitor = new (class extends Handlebars.Visitor {
    BlockStatement(n: hbs.AST.BlockStatement): void {
      const name = nameOf(n);
      const arity = (n.params ?? []).length;
      if (ONE_ARGUMENT.includes(name) && arity !== 1)
        findings.push({
          ruleId: "handlebars/helper-arguments",
          ...placeOf(n),
          message: t("templates:hb.arguments", { block: `{{#${name}}}`, got: arity }),
          fix: t("templates:hb.arguments.fix", {
            example: `{{#${name} something}}`,
            sample: `{{#${name} ${name === "each" ? "events" : "issue.preheader"}}}`,
          }),
        });
      super.BlockStatement(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}
