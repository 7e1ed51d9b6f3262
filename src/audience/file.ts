import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Diagnostic, error } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { nearest } from "../util/suggest.js";
import { parseYaml } from "../util/yaml.js";
import type { AudienceFilter, Condition } from "./filter.js";

/** Where audience files live in a newsletter's repository. */
export const AUDIENCES_DIR = "audiences";
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const TOP_KEYS = ["description", "topics", "where"];
const OPERATORS = ["and", "or", "not"];

export const audienceFile = (name: string) => `${AUDIENCES_DIR}/${name}.yaml`;

/** The audience files there are (names without `.yaml`), sorted. */
export async function audienceNames(root: string): Promise<string[]> {
  try {
    return (await readdir(join(root, AUDIENCES_DIR)))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -5))
      .filter((n) => NAME.test(n))
      .sort();
  } catch {
    return [];
  }
}

/**
 * The text of `audiences/<name>.yaml` → the filter, or diagnostics naming the file, the line, the field
 * and the fix. `topics` are newsletter.yaml's topic ids (a topic the file names must be one of them).
 */
export function parseAudience(
  text: string,
  name: string,
  topics: readonly string[],
): { filter?: AudienceFilter; diagnostics: Diagnostic[] } {
  const file = audienceFile(name);
  const parsed = parseYaml(text, file);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const fail = (path: (string | number)[], message: string, fix: string) =>
    diagnostics.push(
      error("audience/invalid", t("topics:badFile", { message }), {
        file,
        line: parsed.locate(path).line,
        field: path.join(".") || undefined,
        fix,
      }),
    );
  const data = parsed.data ?? {};
  if (!isMapping(data)) {
    fail([], t("topics:file.mapping"), t("topics:badFile.fix"));
    return { diagnostics };
  }
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.includes(key)) {
      const near = nearest(key, TOP_KEYS);
      fail([key], t("topics:file.unknownKey", { key }), near ? t("topics:file.didYouMean", { key: near }) : t("topics:badFile.fix"));
    }
  }
  const filter: AudienceFilter = { name };
  if (data.description !== undefined) {
    if (typeof data.description !== "string") fail(["description"], t("topics:file.description"), t("topics:file.description.fix"));
    else filter.description = data.description;
  }
  if (data.topics !== undefined) {
    const list = Array.isArray(data.topics) ? data.topics : undefined;
    if (!list || list.length === 0 || list.some((x) => typeof x !== "string")) {
      fail(["topics"], t("topics:file.topics"), t("topics:file.topics.fix"));
    } else {
      list.forEach((x, i) => {
        if (!topics.includes(x as string))
          fail(
            ["topics", i],
            t("topics:unknownTopic", { topic: x }),
            topics.length ? t("topics:unknownTopic.fix", { known: topics.join(", ") }) : t("topics:noTopics.fix"),
          );
      });
      filter.topics = list as string[];
    }
  }
  if (data.where !== undefined) filter.where = condition(data.where, ["where"], fail);
  return diagnostics.length ? { diagnostics } : { filter, diagnostics };
}

type Fail = (path: (string | number)[], message: string, fix: string) => void;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** A mapping → its keys' conditions, all of which must hold. */
function condition(value: unknown, path: (string | number)[], fail: Fail): Condition | undefined {
  if (!isMapping(value)) {
    fail(path, t("topics:file.condition"), t("topics:badFile.fix"));
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) {
    fail(path, t("topics:emptyCondition"), t("topics:emptyCondition.fix"));
    return undefined;
  }
  const all: Condition[] = [];
  for (const key of keys) {
    const v = value[key];
    const at = [...path, key];
    if (key === "and" || key === "or") {
      if (!Array.isArray(v) || v.length === 0) {
        fail(at, t("topics:file.list", { op: key }), t("topics:file.list.fix", { op: key }));
        continue;
      }
      const parts = v.map((c, i) => condition(c, [...at, i], fail)).filter((c): c is Condition => !!c);
      all.push(key === "and" ? { kind: "and", all: parts } : { kind: "or", any: parts });
    } else if (key === "not") {
      const c = condition(v, at, fail);
      if (c) all.push({ kind: "not", condition: c });
    } else if (scalar(v)) {
      all.push({ kind: "eq", field: key, value: String(v) });
    } else if (Array.isArray(v) && v.length > 0 && v.every(scalar)) {
      all.push({ kind: "in", field: key, values: v.map(String) });
    } else if (isMapping(v) && Object.keys(v).length === 1 && typeof v.exists === "boolean") {
      all.push({ kind: "exists", field: key, exists: v.exists });
    } else {
      // a mapping or a list where a value was expected: most likely a misspelt and/or/not
      const near = isMapping(v) || Array.isArray(v) ? nearest(key, OPERATORS) : undefined;
      fail(
        at,
        t("topics:file.value", { field: key }),
        near ? t("topics:file.didYouMean", { key: near }) : t("topics:file.value.fix", { field: key }),
      );
    }
  }
  return all.length === 1 ? all[0] : { kind: "and", all };
}

/** `audiences/<name>.yaml` of the newsletter at `root`: the filter, or diagnostics (a missing file names the ones there are). */
export async function loadAudience(
  root: string,
  name: string,
  topics: readonly string[],
): Promise<{ filter?: AudienceFilter; diagnostics: Diagnostic[] }> {
  if (!NAME.test(name)) {
    return {
      diagnostics: [error("audience/bad-name", t("topics:badName", { name }), { field: "--audience", fix: t("topics:badName.fix") })],
    };
  }
  let text: string;
  try {
    text = await readFile(join(root, audienceFile(name)), "utf8");
  } catch {
    const known = await audienceNames(root);
    return {
      diagnostics: [
        error("audience/missing", t("topics:noAudience", { file: audienceFile(name) }), {
          file: audienceFile(name),
          fix: t("topics:noAudience.fix", { file: audienceFile(name), known: known.join(", ") || "—" }),
        }),
      ],
    };
  }
  return parseAudience(text, name, topics);
}
