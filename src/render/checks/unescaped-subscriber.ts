import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { headRefs, lineStarts } from "../hbs-ast.js";
import { type Finding, placeOf, type TemplateInput } from "./rule.js";

/**
 * The mark that makes `{{{subscriber.x}}}` (reader data, unescaped) intended: a comment right before it,
 * `{{!-- trusted-html --}}{{{subscriber.signatureHtml}}}` (whitespace between is fine).
 */
const TRUSTED_HTML = /\{\{!(?:--)?\s*trusted-html\s*(?:--)?\}\}\s*$/;

/**
 * Rule `handlebars/unescaped-subscriber`: reader data straight into the HTML (three braces) — a name like
 * `<script>` or a stray `<` would go out as markup — unless marked trusted.
 */
export function unescapedSubscriber({ source, ast }: TemplateInput): Finding[] {
  const starts = lineStarts(source);
  const findings: Finding[] = [];
  const visitor = new (class extends Handlebars.Visitor {
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      const loc = n.loc;
      if (n.escaped === false && headRefs(n) && loc) {
        const at = starts[loc.start.line - 1] + loc.start.column;
        if (!TRUSTED_HTML.test(source.slice(Math.max(0, at - 200), at))) {
          const tag = source.slice(at, starts[loc.end.line - 1] + loc.end.column);
          findings.push({
            ruleId: "handlebars/unescaped-subscriber",
            ...placeOf(n),
            message: t("templates:hb.unescaped", { tag }),
            fix: t("templates:hb.unescaped.fix", {
              two: tag.replace(/^\{\{\{/, "{{").replace(/\}\}\}$/, "}}"),
              mark: "{{!-- trusted-html --}}",
              tag,
            }),
          });
        }
      }
      super.MustacheStatement(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}
