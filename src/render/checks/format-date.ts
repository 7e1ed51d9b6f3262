import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

/** What `formatDate` reads: a date as YYYY-MM-DD (an ISO time after it is fine) that exists. */
export function isDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** An argument as the template wrote it. */
function written(p: hbs.AST.Expression): string {
  if (p.type === "StringLiteral") return JSON.stringify((p as hbs.AST.StringLiteral).value);
  const n = p as hbs.AST.Expression & { original?: unknown };
  return n.original === undefined ? `(${p.type})` : String(n.original);
}

/**
 * Rule `handlebars/format-date`: `{{formatDate …}}` takes one date. Handlebars finds `{{formatDate "zz" "qq"}}`
 * only at render time, as "Invalid time value", and cannot say where.
 */
export function formatDateArguments({ ast }: TemplateInput): Finding[] {
  const findings: Finding[] = [];
  const check = (n: hbs.AST.MustacheStatement | hbs.AST.SubExpression) => {
    if (n.path.type !== "PathExpression" || nameOf(n) !== "formatDate") return;
    const params = n.params ?? [];
    const literal = params[0]?.type === "StringLiteral" ? (params[0] as hbs.AST.StringLiteral).value : undefined;
    if (params.length === 1 && (literal === undefined || isDate(literal))) return;
    findings.push({
      ruleId: "handlebars/format-date",
      ...placeOf(n),
      message: t("issue-text:formatDate", { got: params.map(written).join(" ") || "—" }),
      fix: t("issue-text:formatDate.fix", { example: '{{formatDate "2026-12-01"}}', field: "{{formatDate issue.date year=true}}" }),
    });
  };
  const visitor = new (class extends Handlebars.Visitor {
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      check(n);
      super.MustacheStatement(n);
    }
    SubExpression(n: hbs.AST.SubExpression): void {
      check(n);
      super.SubExpression(n);
    }
  })();
  visitor.accept(ast);
  return findings;
}

/**
 * Where a render-time failure of a template most likely is, for the errors Handlebars raises without a
 * place: a partial named by an expression that names none (`{{> (lookup …)}}`), a `formatDate` given
 * something that is not a date at run time. The first such tag, or undefined.
 */
export function renderFailureLine(ast: hbs.AST.Program, error: Error): number | undefined {
  const partialMissing = /partial .* could not be found/i.test(error.message);
  const badDate = error instanceof NotADate;
  let line: number | undefined;
  const first = (n: hbs.AST.Node) => {
    line ??= n.loc?.start.line;
  };
  // a call with a literal date cannot have failed: the first formatDate given a field or anything else
  const suspect = (n: hbs.AST.MustacheStatement | hbs.AST.SubExpression) => {
    const [p] = n.params ?? [];
    const literalDate = p?.type === "StringLiteral" && isDate((p as hbs.AST.StringLiteral).value);
    if (badDate && n.path.type === "PathExpression" && nameOf(n) === "formatDate" && !literalDate) first(n);
  };
  const visitor = new (class extends Handlebars.Visitor {
    PartialStatement(n: hbs.AST.PartialStatement): void {
      if (partialMissing && n.name.type === "SubExpression") first(n);
      super.PartialStatement(n);
    }
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      suspect(n);
      super.MustacheStatement(n);
    }
    SubExpression(n: hbs.AST.SubExpression): void {
      suspect(n);
      super.SubExpression(n);
    }
  })();
  visitor.accept(ast);
  return line;
}

/** `formatDate` given a value that is not a date when it renders. */
export class NotADate extends Error {
  constructor(readonly value: unknown) {
    super(t("issue-text:notADate", { value: String(value) }));
    this.name = "NotADate";
  }
}
