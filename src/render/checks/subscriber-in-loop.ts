import Handlebars from "handlebars";
import { t } from "../../i18n/index.js";
import { headRefs, referencesSubscriber, SUB_PATH } from "../hbs-ast.js";
import { type Finding, nameOf, placeOf, type TemplateInput } from "./rule.js";

/** Blocks that keep the context: inside them a path still names what it names outside. */
const SAME_CONTEXT = ["if", "unless"];

/**
 * Rule `handlebars/subscriber-in-loop`: a subscriber tag inside `{{#each}}` or `{{#with}}` is deferred to
 * personalise (render/personalise.ts), where only the subscriber and the issue-wide context exist; if it
 * also reads the loop's item (`{{title}}`) that item is gone by then and renders empty.
 */
export function subscriberInLoop({ ast }: TemplateInput): Finding[] {
  const findings: Finding[] = [];
  /** The enclosing blocks that change the context, innermost last. */
  const scopes: string[] = [];
  const inspect = (n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement) => {
    const scope = scopes.at(-1);
    if (!scope || !headRefs(n)) return;
    const locals = [...new Set(localPaths(n))];
    if (locals.length)
      findings.push({
        ruleId: "handlebars/subscriber-in-loop",
        ...placeOf(n),
        message: t("templates:hb.inLoop", { block: `{{#${scope}}}`, locals: locals.map((l) => `"${l}"`).join(", ") }),
        fix: t("templates:hb.inLoop.fix", { block: `{{#${scope}}}` }),
      });
  };
  const visitor = new (class extends Handlebars.Visitor {
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      inspect(n);
    }
    BlockStatement(n: hbs.AST.BlockStatement): void {
      inspect(n);
      const opens = !SAME_CONTEXT.includes(nameOf(n));
      if (opens) scopes.push(nameOf(n));
      this.acceptKey(n, "program");
      if (opens) scopes.pop();
      this.acceptKey(n, "inverse");
    }
  })();
  visitor.accept(ast);
  return findings;
}

/** `../subscriber…` from inside a block: the subscriber's, not the loop item's. */
const PARENT_SUBSCRIBER = /^(\.\.\/)+subscriber(\.|$)/;

/**
 * Paths a subscriber statement reads that are neither the subscriber's nor `@root.…`: inside an
 * `{{#each}}` or `{{#with}}` they name the loop's item. Helpers' names are not paths, and inside
 * `{{#with subscriber}}` (or `{{#each}}` over a subscriber list) paths are the subscriber's.
 */
function localPaths(statement: hbs.AST.MustacheStatement | hbs.AST.BlockStatement): string[] {
  const paths: string[] = [];
  const called = (n: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement) =>
    (n.params ?? []).length > 0 || (n.hash?.pairs ?? []).length > 0;
  const visitor = new (class extends Handlebars.Visitor {
    PathExpression(p: hbs.AST.PathExpression): void {
      if (!SUB_PATH.test(p.original) && !p.original.startsWith("@root.") && !PARENT_SUBSCRIBER.test(p.original)) paths.push(p.original);
    }
    MustacheStatement(n: hbs.AST.MustacheStatement): void {
      if (!called(n)) this.acceptKey(n, "path");
      this.acceptArray(n.params);
      this.acceptKey(n, "hash");
    }
    SubExpression(n: hbs.AST.SubExpression): void {
      if (!called(n)) this.acceptKey(n, "path");
      this.acceptArray(n.params);
      this.acceptKey(n, "hash");
    }
    BlockStatement(n: hbs.AST.BlockStatement): void {
      this.acceptArray(n.params);
      this.acceptKey(n, "hash");
      const intoSubscriber = ["with", "each"].includes(nameOf(n)) && referencesSubscriber(n.params[0]);
      if (!intoSubscriber) this.acceptKey(n, "program");
      this.acceptKey(n, "inverse");
    }
    // partial names and decorators are not paths the statement reads
    PartialStatement(): void {}
    PartialBlockStatement(): void {}
    DecoratorBlock(): void {}
    Decorator(): void {}
  })();
  visitor.accept(statement);
  return paths;
}
