import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import type { Finding } from "./rule.js";

/** Rule `handlebars/syntax`: the template parses; the parser's own words, at the line it names. */
export function parseTemplate(source: string): { ast: hbs.AST.Program } | { finding: Finding } {
  try {
    return { ast: Handlebars.parse(source) };
  } catch (e) {
    const msg = (e as Error).message;
    const m = /line (\d+)/.exec(msg) ?? /- (\d+):(\d+)$/.exec(msg);
    return {
      finding: {
        ruleId: "handlebars/syntax",
        line: m ? Number(m[1]) : 1,
        message: t("templates:hb.syntax", { error: msg.split("\n").slice(-1)[0] }),
        fix: t("templates:hb.syntax.fix", { tags: "{{…}}", literal: "{{", escaped: "\\{{" }),
      },
    };
  }
}
