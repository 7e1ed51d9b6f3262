import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

/**
 * Rule `handlebars/missing-partial`: `{{> name}}` names a partial file of the newsletter or one the
 * template declares itself (`{{#*inline "name"}}…{{/inline}}`). A dynamic name, `{{> (expr)}}`, is not checked.
 */
export function missingPartial({ ast, partials }: TemplateInput): Finding[] {
  const inline = inlinePartials(ast);
  const findings: Finding[] = [];
  const check = (n: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement) => {
    const name = n.name as hbs.AST.Node & { original?: unknown; value?: unknown };
    const pname = name.type === "PathExpression" ? String(name.original) : String(name.value ?? "");
    if (name.type !== "SubExpression" && !partials.has(pname) && !inline.has(pname))
      findings.push({
        ruleId: "handlebars/missing-partial",
        ...placeOf(n),
        message: t("templates:hb.missingPartial", { name: pname }),
        fix: t("templates:hb.missingPartial.fix", { name: pname, known: [...partials].join(", ") || t("templates:none") }),
      });
  };
  const visitor = new (class extends Handlebars.Visitor {
    PartialStatement(n: hbs.AST.PartialStatement): void {
      check(n);
      super.PartialStatement(n);
    }
    PartialBlockStatement(n: hbs.AST.PartialBlockStatement): void {
      check(n);
      super.PartialBlockStatement(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}

/** The names of `{{#*inline "name"}}` blocks anywhere in the template (a partial may come before its declaration). */
function inlinePartials(ast: hbs.AST.Program): Set<string> {
  const names = new Set<string>();
  const visitor = new (class extends Handlebars.Visitor {
    DecoratorBlock(n: hbs.AST.DecoratorBlock): void {
      const first = n.params[0];
      if (nameOf(n) === "inline" && first?.type === "StringLiteral") names.add((first as hbs.AST.StringLiteral).value);
      super.DecoratorBlock(n);
    }
  })();
  visitor.accept(ast);
  return names;
}
