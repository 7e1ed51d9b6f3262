import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";

export interface ParsedYaml {
  data: unknown;
  /** Line and column of the value (or key) at a dot path, in the file's own numbering. */
  locate(path: readonly PropertyKey[], key?: boolean): { line?: number; column?: number };
  diagnostics: Diagnostic[];
}

/**
 * Parse YAML keeping positions, so that schema errors can name a line.
 * `lineOffset` is the number of lines before this YAML in its file (front-matter starts after `---`).
 */
export function parseYaml(text: string, file: string, lineOffset = 0): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lines = text.split("\n");
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    // the yaml package often reports one mistake twice at one place
    if (seen.has(`${pos.line}:${pos.col}`)) continue;
    seen.add(`${pos.line}:${pos.col}`);
    diagnostics.push({
      ruleId: "yaml/syntax",
      severity: "error",
      message: t("config:yaml.syntax", { detail: firstLine(e.message) }),
      file,
      line: pos.line + lineOffset,
      column: pos.col,
      ...syntaxFix(lines[pos.line - 1] ?? ""),
    });
  }
  const locate = (path: readonly PropertyKey[], key = false) => {
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    let offset: number | undefined;
    const parent = parentPath.length ? doc.getIn(parentPath as unknown[], true) : doc.contents;
    if (key && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const k = pair?.key as { range?: [number, number, number] } | undefined;
      offset = k?.range?.[0];
    }
    if (offset === undefined) {
      const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
      offset = node?.range?.[0];
    }
    if (offset === undefined && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      offset = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
    }
    if (offset === undefined) {
      const p = parent as { range?: [number, number, number] } | undefined;
      offset = p?.range?.[0];
    }
    if (offset === undefined) return { line: lineOffset + 1 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line + lineOffset, column: pos.col };
  };
  if (diagnostics.length) return { data: undefined, locate, diagnostics };
  try {
    // the yaml package refuses an alias to an anchor not yet set, and an "alias bomb" (aliases of aliases
    // that would expand to millions of nodes: its default maxAliasCount is 100), by throwing a ReferenceError
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate, diagnostics };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return { data: undefined, locate, diagnostics: [aliasDiagnostic(doc, error, file, lineOffset, lineCounter)] };
  }
}

/** How many alias expansions a document may make (the yaml package's own default). */
export const MAX_ALIAS_COUNT = 100;

/** The alias at fault, found again in the document (the yaml package's error has no position). */
function aliasDiagnostic(doc: Document, error: ReferenceError, file: string, lineOffset: number, lineCounter: LineCounter): Diagnostic {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => void aliases.push(node) });
  const at = (node?: Alias) => {
    if (!node?.range) return { line: lineOffset + 1 };
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line + lineOffset, column: pos.col };
  };
  const unresolved = aliases.find((a) => !a.resolve(doc));
  if (unresolved) {
    return {
      ruleId: "yaml/alias",
      severity: "error",
      message: t("config:yaml.noAnchor", { name: unresolved.source }),
      file,
      ...at(unresolved),
      fix: t("config:yaml.noAnchor.fix", { name: unresolved.source }),
    };
  }
  // the alias that expands the most is the bomb's top; ties go to the first
  const sizes = new Map<Node, number>();
  const size = (node: unknown, depth = 0): number => {
    if (depth > 50 || !node || typeof node !== "object") return 1;
    const known = sizes.get(node as Node);
    if (known !== undefined) return known;
    let n = 1;
    if (isAlias(node)) n = size(node.resolve(doc), depth + 1);
    else if (isCollection(node))
      for (const item of node.items) n += isPair(item) ? size(item.key, depth + 1) + size(item.value, depth + 1) : size(item, depth + 1);
    sizes.set(node as Node, n);
    return n;
  };
  const worst = aliases.reduce<Alias | undefined>((w, a) => (!w || size(a) > size(w) ? a : w), undefined);
  return {
    ruleId: "yaml/alias",
    severity: "error",
    message: t("config:yaml.bomb", {
      detail: error.message.toLowerCase(),
      max: MAX_ALIAS_COUNT,
      example: worst ? t("config:yaml.bomb.example", { name: worst.source }) : "",
    }),
    file,
    ...at(worst),
    fix: t("config:yaml.bomb.fix"),
  };
}

/**
 * The key on the line YAML stumbled on, and the likeliest fix. An editor's commonest mistake is a value
 * with `: ` in it (`title: Дебиторка: что дальше?`) or one starting with a YAML character (`@`, `-`, `"…" и…`):
 * quoting it is the fix, and we can write it out.
 */
function syntaxFix(lineText: string): { field?: string; fix: string } {
  const generic = t("config:yaml.syntax.fix");
  const m = /^\s*(?:-\s+)?([^\s:#"'][^:#]*?):(?:\s+|$)/.exec(lineText);
  if (!m) return { fix: generic };
  const field = m[1];
  const value = lineText.slice(m[0].length).trim();
  const quoted = /^"[^"]*"$|^'[^']*'$/.test(value);
  const needsQuotes = /: | #/.test(value) || /^[@`!%&*?,\-"']/.test(value);
  if (!value || quoted || !needsQuotes) return { field, fix: generic };
  const q = value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value.replace(/\\/g, "\\\\")}"`;
  return { field, fix: t("config:yaml.quote.fix", { field, quoted: q }) };
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}
