import type { z } from "zod";
import type { Diagnostic } from "../diagnostics.js";
import { nearest } from "../util/suggest.js";
import type { ParsedYaml } from "../util/yaml.js";

/**
 * zod's issues → diagnostics with a dot path, the line of the YAML, the nearest known key for an unknown
 * one and a fix: the translation shared by newsletter.yaml (this folder) and issue front-matter.
 */
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
  for (const issue of error.issues.flatMap(unionBranch).map(keyIssue)) {
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

/** A record's bad key (`domainRates: { a@mail.ru: 1 }`): zod wraps the key's own issue; report that one, at the key. */
function keyIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  return issue.code === "invalid_key" && issue.issues[0] ? { ...issue.issues[0], path: issue.path } : issue;
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
