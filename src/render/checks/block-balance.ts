import { t } from "../../i18n/index.js";
import { lineStarts } from "../hbs-ast.js";
import type { Finding } from "./rule.js";

/**
 * Rules `handlebars/unclosed-block`, `handlebars/mismatched-block`, `handlebars/unopened-block`: one scan
 * of the source's tags, before Handlebars parses it, because the parser cannot say where an unclosed block
 * was opened and we can. The first imbalance is the finding (what follows it would only echo it);
 * `lineOffset` is for the line a mismatched close is named at in the message.
 */
export function blockBalance(source: string, lineOffset: number): Finding | undefined {
  const stack: { name: string; line: number; column: number }[] = [];
  const lineOf = positions(source);
  const tagRe = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|(\\)?\{\{~?\s*([#/^])?>?\s*([^\s}~]*)[^}]*\}\}/g;
  for (let m = tagRe.exec(source); m; m = tagRe.exec(source)) {
    if (m[1] || !m[2]) continue;
    // a decorator block opens with {{#*inline "x"}} and closes with {{/inline}} (regression: was refused)
    const name = m[3].replace(/^\*/, "");
    const at = lineOf(m.index);
    if (m[2] === "#" || (m[2] === "^" && name)) stack.push({ name, ...at });
    else if (m[2] === "/") {
      const open = stack.pop();
      if (!open)
        return {
          ruleId: "handlebars/unopened-block",
          ...at,
          message: t("templates:hb.unopened", { tag: `{{/${name}}}` }),
          fix: t("templates:hb.unopened.fix", { open: `{{#${name} …}}` }),
        };
      if (open.name !== name)
        return {
          ruleId: "handlebars/mismatched-block",
          line: open.line,
          column: open.column,
          message: t("templates:hb.mismatched", { open: `{{#${open.name}}}`, close: `{{/${name}}}`, line: at.line + lineOffset }),
          fix: t("templates:hb.mismatched.fix", { close: `{{/${open.name}}}` }),
        };
    }
  }
  const open = stack.at(-1);
  if (!open) return undefined;
  return {
    ruleId: "handlebars/unclosed-block",
    line: open.line,
    column: open.column,
    message: t("templates:hb.unclosed", { open: `{{#${open.name}}}` }),
    fix: t("templates:hb.unclosed.fix", { close: `{{/${open.name}}}` }),
  };
}

/** Offset in the source → 1-based line and column (binary search over the line starts). */
function positions(source: string): (offset: number) => { line: number; column: number } {
  const starts = lineStarts(source);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}
