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
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      ruleId: "yaml/syntax",
      severity: "error",
      message: `YAML syntax error: ${firstLine(e.message)}`,
      file,
      line: pos.line + lineOffset,
      column: pos.col,
      fix: "check indentation, the colon after each key, and quote values that contain ': ' or start with a special character",
    };
  });
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
  for (const issue of error.issues) {
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
    const message = missing ? `"${field}" is required` : `"${field}": ${issue.message}`;
    out.push({
      ruleId: `${opts.ruleId}/${missing ? "missing" : "invalid"}`,
      severity: "error",
      message,
      file: opts.file,
      ...where,
      field,
      fix: missing ? `add "${field}:" ${hintFor(issue)}` : hintFor(issue) || `correct the value of "${field}"`,
    });
  }
  return out;
}

function hintFor(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: { fix?: string } }).params;
  if (params?.fix) return params.fix;
  if (issue.code === "invalid_type") return `with a ${issue.expected} value`;
  return "";
}
