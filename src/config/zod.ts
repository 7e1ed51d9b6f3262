import type * as z from "zod";
import type { Diagnostic } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
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
          message: guess ? t("config:unknownKey.guess", { key, guess }) : t("config:unknownKey", { key }),
          file: opts.file,
          ...where,
          field,
          fix: guess ? t("config:rename", { key, guess }) : t("config:remove", { key, known: known.join(", ") }),
        });
      }
      continue;
    }
    const field = dotPath(issue.path);
    const missing = valueAt(opts.data, issue.path) === undefined;
    const where = opts.parsed.locate(issue.path, missing);
    const message = missing
      ? t("config:required", { field })
      : t("config:invalid", { field, message: issue.code === "invalid_union" ? unionMessage(issue) : issue.message });
    const wants = want(issue);
    out.push({
      ruleId: `${opts.ruleId}/${missing ? "missing" : "invalid"}`,
      severity: "error",
      message,
      file: opts.file,
      ...where,
      field,
      fix: missing ? addFix(field, wants) : invalidFix(field, wants),
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
  return t("config:expected", { what: unionWants(issue) });
}

/** What each branch of a failed union expected, joined with "or". */
function unionWants(issue: z.core.$ZodIssue & { code: "invalid_union" }): string {
  const wants = issue.errors.map((branch) => {
    const i = branch[0];
    if (i?.code === "invalid_value") return i.values.map((v) => JSON.stringify(v)).join(t("config:or"));
    if (i?.code === "invalid_type") return typeName(i.expected);
    return i?.message ?? "";
  });
  return [...new Set(wants.filter(Boolean))].join(t("config:or"));
}

const TYPES = new Set(["string", "number", "int", "boolean", "array", "object", "date", "null"]);

/** `a string`, `a list`, `true или false`: a zod type as the editor reads it. */
function typeName(type: string): string {
  if (TYPES.has(type)) return t(`config:type.${type}`);
  return `${/^[aeiou]/i.test(type) ? "an" : "a"} ${type}`;
}

/** What a field wants: a value (`a string value`, `false or a list`), or the schema's own fix sentence. */
interface Wants {
  what?: string;
  fix?: string;
}

function want(issue: z.core.$ZodIssue): Wants {
  const params = (issue as { params?: { fix?: string; fixKey?: string } }).params;
  if (params?.fixKey) return { fix: t(params.fixKey) };
  if (params?.fix) return { fix: params.fix };
  if (issue.code === "invalid_type") return { what: t("config:typeValue", { type: typeName(issue.expected) }) };
  if (issue.code === "invalid_union") {
    const expected = issue.errors.flatMap((b) => b.map((i) => (i.code === "invalid_type" ? i.expected : "")));
    // isoDate is string | Date (YAML reads an unquoted 2026-03-01 as a Date)
    if (expected.includes("date")) return { what: t("config:dateValue") };
    return { what: unionWants(issue) };
  }
  return {};
}

function addFix(field: string, wants: Wants): string {
  if (wants.fix) return t("config:add.fix", { field, fix: wants.fix });
  return wants.what ? t("config:add.with", { field, what: wants.what }) : t("config:add", { field });
}

function invalidFix(field: string, wants: Wants): string {
  if (wants.fix) return wants.fix;
  return wants.what ? t("config:set", { field, what: wants.what }) : t("config:correct", { field });
}

/**
 * zod's own messages in the editor's language (a per-parse error map: the schema's own messages,
 * written through the catalogue, come first). English keeps zod's messages as they are.
 */
export function zodErrorMap(): z.core.$ZodErrorMap | undefined {
  if (language() === "en") return undefined;
  return (issue) => {
    const min = "minimum" in issue ? String(issue.minimum) : "";
    const max = "maximum" in issue ? String(issue.maximum) : "";
    switch (issue.code) {
      case "invalid_type":
        return t("config:zod.type", { expected: typeName(issue.expected), received: typeName(typeOf(issue.input)) });
      case "too_small":
        if (issue.origin === "string") return issue.minimum === 1 ? t("config:zod.empty") : t("config:zod.minLength", { min });
        if (issue.origin === "array" || issue.origin === "set") return t("config:zod.minItems", { min });
        return t(issue.inclusive === false ? "config:zod.above" : "config:zod.min", { min });
      case "too_big":
        if (issue.origin === "string") return t("config:zod.maxLength", { max });
        if (issue.origin === "array" || issue.origin === "set") return t("config:zod.maxItems", { max });
        return t(issue.inclusive === false ? "config:zod.below" : "config:zod.max", { max });
      case "invalid_format":
        if (issue.format === "email") return t("config:zod.email");
        if (issue.format === "url") return t("config:zod.url");
        return t("config:zod.format", { format: issue.format });
      case "invalid_value":
        return t("config:zod.oneOf", { values: issue.values.map((v) => JSON.stringify(v)).join(", ") });
      default:
        return undefined;
    }
  };
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date";
  return typeof value;
}
