/**
 * What every template check (one file per rule here) works on and returns. A check reports places in the
 * template's own lines; `checkTemplate` (index.ts) names the file and shifts the line to the file's.
 */

export interface Finding {
  ruleId: string;
  /** 1-based line in the template's source. */
  line: number;
  /** 1-based; absent where the parser does not say (a syntax error). */
  column?: number;
  message: string;
  fix: string;
}

/** A parsed template and what it may refer to. */
export interface TemplateInput {
  source: string;
  ast: hbs.AST.Program;
  /** Partial files of the newsletter (`templates/partials/<name>.hbs`). */
  partials: ReadonlySet<string>;
  /** Our helpers (Handlebars' own are always known). */
  helpers: readonly string[];
}

/** A check over the parsed tree, written as a `Handlebars.Visitor`. */
export type TreeRule = (input: TemplateInput) => Finding[];

/** Where a statement starts, as a Finding's line and column. */
export function placeOf(node: hbs.AST.Node): Pick<Finding, "line" | "column"> {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}

/** The name a block or a call is made with (`each`, `formatDate`, `issue.title`). */
export function nameOf(node: { path: hbs.AST.Node }): string {
  return String((node.path as hbs.AST.Node & { original?: unknown }).original);
}
