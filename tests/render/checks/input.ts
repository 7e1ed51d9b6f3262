import Handlebars from "handlebars";
import type { Finding, TemplateInput } from "../../../src/render/checks/rule.js";
import { OUR_HELPERS } from "../../../src/render/handlebars.js";

/** A template as a tree rule sees it: parsed, with the partials `header` and `signature` on disk. */
export function input(source: string, partials: readonly string[] = ["header", "signature"]): TemplateInput {
  return { source, ast: Handlebars.parse(source), partials: new Set(partials), helpers: OUR_HELPERS };
}

/** rule id, line, column and the message of each finding: what the table rows compare. */
export function places(findings: Finding[]): [string, number, number | undefined, string][] {
  return findings.map((f) => [f.ruleId, f.line, f.column, f.message]);
}
