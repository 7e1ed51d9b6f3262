import { stringify } from "csv-stringify/sync";
import type { AudienceRow } from "../send/audience.js";
import type { Consent, Subscriber, SubscriberInput } from "../state/subscribers.js";

/**
 * The subscriber list as JSON (`subscribers list --json`) and as CSV (`subscribers export`), and a CSV
 * row read back by `subscribers import` (the same CSV as `send --to`: an `email` column, the others the
 * reader's fields). An export holds the consent record in `consent_*` columns, so it answers a legal
 * request on its own and an import of it keeps the record instead of making them fields.
 */
export interface SubscriberJson {
  email: string;
  address: string;
  status: Subscriber["status"];
  fields: Record<string, string>;
  source: string;
  consent: Consent;
  confirmed: Subscriber["confirmed"];
  unsubscribedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The topics the reader gets: those chosen, or for one who never chose, `defaults` (docs/audiences.md). */
  topics: string[];
  /** The last change of the topics (time and source); nulls when never chosen. */
  topicsChanged: Subscriber["topicsChanged"];
}

export function subscriberJson(s: Subscriber, defaults: readonly string[] = []): SubscriberJson {
  return {
    email: s.email,
    address: s.address,
    status: s.status,
    fields: s.fields,
    source: s.source,
    consent: s.consent,
    confirmed: s.confirmed,
    unsubscribedAt: s.unsubscribedAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    topics: s.topics ?? [...defaults],
    topicsChanged: s.topicsChanged,
  };
}

/** The record's columns, after `email` and the readers' own fields. */
export const RECORD_COLUMNS = [
  // the topics chosen, ids separated by `;`; empty: never chosen (the reader gets the default topics)
  "topics",
  "status",
  "source",
  "consent_at",
  "consent_ip",
  "consent_user_agent",
  "consent_page",
  "consent_text",
  "consent_hash",
  "confirmed_at",
  "confirmed_ip",
  "confirmed_user_agent",
  "unsubscribed_at",
  "created_at",
  "updated_at",
] as const;

const RESERVED = new Set<string>(["email", "e-mail", ...RECORD_COLUMNS]);

/** RFC 4180 CSV (csv-stringify): email, the fields any reader has (sorted), then the record's columns. */
export function subscribersCsv(list: readonly Subscriber[]): string {
  const fieldNames = [...new Set(list.flatMap((s) => Object.keys(s.fields)))].filter((k) => !RESERVED.has(k.toLowerCase())).sort();
  const rows = list.map((s) => [
    s.address,
    ...fieldNames.map((k) => s.fields[k] ?? ""),
    topicsCell(s.topics),
    s.status,
    s.source,
    s.consent.at,
    s.consent.ip,
    s.consent.userAgent,
    s.consent.page,
    s.consent.text,
    s.consent.textHash,
    s.confirmed.at,
    s.confirmed.ip,
    s.confirmed.userAgent,
    s.unsubscribedAt,
    s.createdAt,
    s.updatedAt,
  ]);
  return stringify([["email", ...fieldNames, ...RECORD_COLUMNS], ...rows], { cast: { boolean: String }, record_delimiter: "\n" });
}

/**
 * The `topics` cell (docs/audiences.md): the ids separated by `;`; empty for a reader who never chose (they
 * get the default topics); NO_TOPICS for one who unticked every topic, so an import gives them none again.
 */
export const NO_TOPICS = "-";

function topicsCell(topics: readonly string[] | null): string {
  if (!topics) return "";
  return topics.length ? topics.join(";") : NO_TOPICS;
}

/** A `topics` cell → the ids; undefined for an empty cell (the reader's topics stay as they are). */
function topicsOf(cell: string | undefined): string[] | undefined {
  if (cell === undefined) return undefined;
  if (cell.trim() === NO_TOPICS) return [];
  return cell
    .split(";")
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * A row of an imported CSV → what to store, or why it is skipped. Fields are the columns that are not
 * the record's; the record's columns (from an export) become the consent record. A row an export marks
 * `unsubscribed` is never imported: an old list must not undo an unsubscribe.
 */
export function importedRow(row: AudienceRow, file: string): { input: SubscriberInput } | { skip: string } {
  if (row.invalid) return { skip: row.invalid };
  const fields: Record<string, string> = {};
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.fields)) {
    if (RESERVED.has(k.toLowerCase())) record[k.toLowerCase()] = v;
    else fields[k] = v;
  }
  if (record.status?.trim().toLowerCase() === "unsubscribed") return { skip: "unsubscribed in the file" };
  const or = (v: string | undefined) => (v?.trim() ? v : undefined);
  const topics = topicsOf(or(record.topics));
  return {
    input: {
      address: row.address,
      fields,
      ...(topics ? { topics } : {}),
      consent: {
        at: or(record.consent_at),
        ip: or(record.consent_ip),
        userAgent: or(record.consent_user_agent),
        page: or(record.consent_page) ?? `import:${file}`,
        text: or(record.consent_text),
        textHash: or(record.consent_hash),
      },
    },
  };
}
