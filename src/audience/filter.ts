/**
 * An audience as code (docs/audiences.md): a filter over the subscribers' topics and fields, written in
 * `audiences/<name>.yaml` and reviewed in a pull request like any other file. Pure data and a pure
 * match: the file's reading and checking is in src/audience/file.ts, the count in src/audience/count.ts.
 *
 *   topics: [treningi, vopros-otvet]     the reader has at least one of them
 *   where:                               every key of a mapping must hold (and)
 *     city: Москва                       equality (the field's text)
 *     plan: [gold, silver]               membership
 *     phone: {exists: true}              the field is there and not empty (false: it is not)
 *     or: [{city: Казань}, {city: Уфа}]  any of the conditions
 *     and: [{…}, {…}]                    all of them
 *     not: {plan: free}                  not this one
 */
export type Condition =
  | { kind: "eq"; field: string; value: string }
  | { kind: "in"; field: string; values: string[] }
  | { kind: "exists"; field: string; exists: boolean }
  | { kind: "and"; all: Condition[] }
  | { kind: "or"; any: Condition[] }
  | { kind: "not"; condition: Condition };

export interface AudienceFilter {
  /** The file's name without `.yaml`. */
  name: string;
  description?: string;
  /** Readers with at least one of these topics; undefined: any reader. */
  topics?: string[];
  where?: Condition;
}

/** What a filter looks at: a reader's topics (their own, or the default ones) and fields. */
export interface AudienceReader {
  topics: readonly string[];
  fields: Readonly<Record<string, string>>;
}

export function holds(c: Condition, reader: AudienceReader): boolean {
  switch (c.kind) {
    case "eq":
      return reader.fields[c.field] === c.value;
    case "in":
      return c.values.includes(reader.fields[c.field] ?? "\u0000");
    case "exists":
      return ((reader.fields[c.field] ?? "").trim() !== "") === c.exists;
    case "and":
      return c.all.every((x) => holds(x, reader));
    case "or":
      return c.any.some((x) => holds(x, reader));
    case "not":
      return !holds(c.condition, reader);
  }
}

export function matches(filter: AudienceFilter, reader: AudienceReader): boolean {
  if (filter.topics && !filter.topics.some((x) => reader.topics.includes(x))) return false;
  return !filter.where || holds(filter.where, reader);
}

/** A reader's topics: those they chose, or (never chosen: subscribed before topics, or imported without them) the defaults. */
export function readerTopics(chosen: readonly string[] | null, defaults: readonly string[]): readonly string[] {
  return chosen ?? defaults;
}

/** Who a send to the subscribers reaches: the topic, an audience file, both, or everyone. */
export interface Selection {
  topic?: string;
  audience?: AudienceFilter;
}

export function selects(selection: Selection, reader: AudienceReader): boolean {
  if (selection.topic && !reader.topics.includes(selection.topic)) return false;
  return !selection.audience || matches(selection.audience, reader);
}

/**
 * Which list a selection is, for the ledger (`send_runs.audience`): a run started for one selection is not
 * joined by a worker with another, and `rassylka audience` finds the last send of the same selection.
 */
export function selectionFingerprint(selection: Selection): string {
  if (!selection.audience && !selection.topic) return "subscribers";
  const parts = [selection.audience ? `audience:${selection.audience.name}` : "subscribers"];
  if (selection.topic) parts.push(`topic:${selection.topic}`);
  return parts.join("+");
}
