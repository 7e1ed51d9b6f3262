/**
 * What the Handlebars stage and its checks (render/checks/) both read off a template's tree:
 * whether a tag reads the subscriber, and where lines start in its source.
 */

export type Node = hbs.AST.Node & Record<string, unknown>;

/** `subscriber…`, `../subscriber…` (from inside a block) or `@root.subscriber…`. */
export const SUB_PATH = /^(@root\.|(\.\.\/)*)?subscriber(\.|$)/;

export function referencesSubscriber(node: unknown): boolean {
  if (!node || typeof node !== "object") return false;
  const n = node as Node;
  if (n.type === "PathExpression") return SUB_PATH.test(String(n.original));
  if (n.type === "SubExpression")
    return referencesSubscriber(n.path) || (n.params as unknown[]).some(referencesSubscriber) || referencesSubscriber(n.hash);
  if (n.type === "Hash") return (n.pairs as { value: unknown }[]).some((p) => referencesSubscriber(p.value));
  return false;
}

/** Whether a statement's head (its path, arguments and hash) reads the subscriber. */
export function headRefs(n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement): boolean {
  return referencesSubscriber(n.path) || (n.params ?? []).some(referencesSubscriber) || referencesSubscriber(n.hash);
}

export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return starts;
}
