import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { Diagnostic } from "../diagnostics.js";
import { nearest } from "./suggest.js";

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
      message: `YAML syntax error: ${firstLine(e.message)}`,
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
  const data = diagnostics.length ? undefined : doc.toJS();
  return { data, locate, diagnostics };
}

/**
 * The key on the line YAML stumbled on, and the likeliest fix. An editor's commonest mistake is a value
 * with `: ` in it (`title: Дебиторка: что дальше?`) or one starting with a YAML character (`@`, `-`, `"…" и…`):
 * quoting it is the fix, and we can write it out.
 */
function syntaxFix(lineText: string): { field?: string; fix: string } {
  const generic = "check indentation, the colon after each key, and quote values that contain ': ' or start with a special character";
  const m = /^\s*(?:-\s+)?([^\s:#"'][^:#]*?):(?:\s+|$)/.exec(lineText);
  if (!m) return { fix: generic };
  const field = m[1];
  const value = lineText.slice(m[0].length).trim();
  const quoted = /^"[^"]*"$|^'[^']*'$/.test(value);
  const needsQuotes = /: | #/.test(value) || /^[@`!%&*?,\-"']/.test(value);
  if (!value || quoted || !needsQuotes) return { field, fix: generic };
  const q = value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value.replace(/\\/g, "\\\\")}"`;
  return { field, fix: `put the value in quotes: ${field}: ${q}` };
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

/** The keys an object schema accepts at a dot path (for "did you mean …?"). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  const unwrap = () => {
    for (let i = 0; i < 10; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return;
      if (["optional", "default", "nullable", "prefault", "readonly", "catch"].includes(def.type as string)) s = def.innerType;
      else if (def.type === "pipe") s = def.in;
      else if (def.type === "union") {
        const opts = def.options as unknown[];
        s = opts.find((o) => (o as { _zod: { def: { type: string } } })._zod.def.type !== "literal") ?? opts[0];
        // a union of boolean | array: prefer the structured member
        const obj = opts.find((o) => ["object", "array"].includes((o as { _zod: { def: { type: string } } })._zod.def.type));
        if (obj) s = obj;
      } else return;
    }
  };
  unwrap();
  for (const seg of path) {
    const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") s = (def.shape as Record<string, unknown>)[String(seg)];
    else if (def.type === "array") s = def.element;
    else return [];
    if (!s) return [];
    unwrap();
  }
  const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

export function dotPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** zod issues → diagnostics that name the line, the field and the fix. */
export function zodDiagnostics(
  error: z.ZodError,
  opts: { schema: z.ZodType; parsed: ParsedYaml; file: string; ruleId: string; data: unknown },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of error.issues.flatMap(unionBranch)) {
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(opts.schema, issue.path);
      for (const key of issue.keys) {
        const guess = nearest(key, known);
        const where = opts.parsed.locate([...issue.path, key], true);
        const field = dotPath([...issue.path, key]);
        out.push({
          ruleId: `${opts.ruleId}/unknown-key`,
          severity: "error",
          message: `unknown key "${key}"${guess ? ` — did you mean ${guess}?` : ""}`,
          file: opts.file,
          ...where,
          field,
          fix: guess ? `rename "${key}" to "${guess}"` : `remove "${key}"; known keys here: ${known.join(", ")}`,
        });
      }
      continue;
    }
    const field = dotPath(issue.path);
    const missing = valueAt(opts.data, issue.path) === undefined;
    const where = opts.parsed.locate(issue.path, missing);
    const message = missing
      ? `"${field}" is required`
      : `"${field}": ${issue.code === "invalid_union" ? unionMessage(issue) : issue.message}`;
    out.push({
      ruleId: `${opts.ruleId}/${missing ? "missing" : "invalid"}`,
      severity: "error",
      message,
      file: opts.file,
      ...where,
      field,
      fix: missing ? `add "${field}:" ${hintFor(issue)}`.trim() : invalidFix(field, hintFor(issue)),
    });
  }
  return out;
}

/**
 * zod reports a failed union (`events: false | [...]`, a date as string | Date) as one "Invalid input" at
 * the union. When a branch got past the union's own level (the value is a list, one item is wrong),
 * report that branch's issues instead: they name the item, the key and the nearest known key.
 */
function unionBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return [issue];
  const deeper = issue.errors.find((branch) => branch.some((i) => i.path.length > 0));
  if (!deeper) return [issue];
  return deeper.map((i) => ({ ...i, path: [...issue.path, ...i.path] })).flatMap(unionBranch);
}

/** What each branch of a failed union expected: `expected false or a list`. */
function unionMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_union") return issue.message;
  const wants = issue.errors.map((branch) => {
    const i = branch[0];
    if (i?.code === "invalid_value") return i.values.map((v) => JSON.stringify(v)).join(" or ");
    if (i?.code === "invalid_type") return article(i.expected === "array" ? "list" : i.expected);
    return i?.message ?? "";
  });
  return `expected ${[...new Set(wants.filter(Boolean))].join(" or ")}`;
}

function invalidFix(field: string, hint: string): string {
  if (!hint) return `correct the value of "${field}"`;
  return hint.startsWith("with ") ? `set "${field}" to ${hint.slice(5)}` : hint;
}

function article(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

function hintFor(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: { fix?: string } }).params;
  if (params?.fix) return params.fix;
  if (issue.code === "invalid_type") return `with ${article(issue.expected)} value`;
  if (issue.code === "invalid_union") {
    const expected = issue.errors.flatMap((b) => b.map((i) => (i.code === "invalid_type" ? i.expected : "")));
    // isoDate is string | Date (YAML reads an unquoted 2026-03-01 as a Date)
    if (expected.includes("date")) return "with a date written YYYY-MM-DD, e.g. 2026-03-15";
    return `with ${unionMessage(issue).replace(/^expected /, "")}`;
  }
  return "";
}
