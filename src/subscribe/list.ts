import { requireAddresses } from "../identity/address.js";
import { csvFile } from "../send/audience.js";
import type { StateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import {
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberInput,
  type SubscriberStatus,
  type SubscriberStore,
  type UpsertOutcome,
} from "../state/subscribers.js";
import { importedRow, subscribersCsv } from "./records.js";

export { SUBSCRIBER_STATUSES, type Subscriber, type SubscriberStatus };

/**
 * The subscriber list rassylka keeps, as `rassylka subscribers list|add|remove|import|export` uses it
 * (docs/subscribe.md): each opens the store at `location`, does its one job and closes it.
 */
async function withSubscribers<T>(location: StateLocation, fn: (s: SubscriberStore) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    return await fn(store.subscribers);
  } finally {
    await store.close();
  }
}

export type UpsertCounts = Record<UpsertOutcome, number>;
const noCounts = (): UpsertCounts => ({
  added: 0,
  updated: 0,
  confirmed: 0,
  "kept-unsubscribed": 0,
  "kept-suppressed": 0,
  resubscribed: 0,
});

/** A reader an import did not confirm because they unsubscribed or are suppressed, with the list's line. */
export interface KeptReader {
  line: number;
  address: string;
  outcome: "kept-unsubscribed" | "kept-suppressed";
}

export function listSubscribers(location: StateLocation, status?: SubscriberStatus): Promise<Subscriber[]> {
  return withSubscribers(location, (s) => s.list({ status }));
}

/** The topics of newsletter.yaml at `root` a reader who never chose gets; none without a readable newsletter.yaml. */
export async function defaultTopicsAt(root: string): Promise<string[]> {
  try {
    const { loadConfig } = await import("../config/load.js");
    const { config } = await loadConfig(root);
    return (config?.topics ?? []).filter((x) => x.default).map((x) => x.id);
  } catch {
    return [];
  }
}

export interface AddOptions {
  name?: string;
  /** They agreed elsewhere: confirmed at once (the record says source cli). */
  confirmed?: boolean;
  consent?: string;
  /** With `confirmed`: how the readers who unsubscribed agreed again (`--resubscribe`); they are confirmed too. */
  resubscribe?: string;
}

/** Readers given by address (pending, or confirmed); an address that is not one refuses them all. */
export async function addSubscribers(
  location: StateLocation,
  emails: string[],
  options: AddOptions = {},
): Promise<UpsertCounts & { kept: KeptReader[] }> {
  requireAddresses(emails, "subscribers/invalid-address");
  const entries: SubscriberInput[] = emails.map((address) => ({
    address,
    fields: options.name ? { name: options.name } : ({} as Record<string, string>),
    consent: { text: options.consent, page: "cli" },
  }));
  const outcomes = await withSubscribers(location, (s) =>
    s.upsertMany(entries, {
      status: options.confirmed ? "confirmed" : "pending",
      source: "cli",
      at: new Date().toISOString(),
      resubscribe: options.resubscribe,
    }),
  );
  const counts = noCounts();
  const kept: KeptReader[] = [];
  outcomes.forEach((o, i) => {
    counts[o]++;
    if (o === "kept-unsubscribed" || o === "kept-suppressed") kept.push({ line: i + 1, address: emails[i], outcome: o });
  });
  return { ...counts, kept };
}

/** How many of `emails` were on the list (and are gone, with their record). */
export async function removeSubscribers(location: StateLocation, emails: string[]): Promise<number> {
  return (await withSubscribers(location, (s) => s.removeMany(emails))).filter(Boolean).length;
}

/** The readers of a CSV (the same CSV as `send --to`), in batches of 500, one transaction each. */
export async function importSubscribers(
  location: StateLocation,
  file: { path: string; label: string; encoding?: string },
  options: Omit<AddOptions, "name"> = {},
): Promise<{ counts: UpsertCounts; skipped: string[]; kept: KeptReader[] }> {
  const source = csvFile(file.path, { encoding: file.encoding, label: file.label });
  const counts = noCounts();
  const skipped: string[] = [];
  const kept: KeptReader[] = [];
  const at = new Date().toISOString();
  await withSubscribers(location, async (s) => {
    let batch: SubscriberInput[] = [];
    let lines: number[] = [];
    const write = async () => {
      const status = options.confirmed ? "confirmed" : "pending";
      const outcomes = await s.upsertMany(batch, { status, source: `import:${file.label}`, at, resubscribe: options.resubscribe });
      outcomes.forEach((o, i) => {
        counts[o]++;
        if (o === "kept-unsubscribed" || o === "kept-suppressed") kept.push({ line: lines[i], address: batch[i].address, outcome: o });
      });
      batch = [];
      lines = [];
    };
    for await (const row of source.rows()) {
      const r = importedRow(row, file.label);
      if ("skip" in r) {
        skipped.push(`${file.label}:${row.line}: "${row.address}" — ${r.skip}`);
        continue;
      }
      if (options.consent && !r.input.consent?.text) r.input.consent = { ...r.input.consent, text: options.consent };
      batch.push(r.input);
      lines.push(row.line);
      if (batch.length >= 500) await write();
    }
    if (batch.length) await write();
  });
  return { counts, skipped, kept };
}

/** The list with every reader's consent record as CSV. */
export async function exportSubscribers(location: StateLocation, status?: SubscriberStatus): Promise<{ csv: string; count: number }> {
  const list = await listSubscribers(location, status);
  return { csv: subscribersCsv(list), count: list.length };
}
