import { noteText, readNote } from "../i18n/notes.js";
import { requireAddresses } from "../identity/address.js";
import { csvFile } from "../send/audience.js";
import type { StateLocation } from "../state/location.js";
import { openStore, type SuppressionStore } from "../state/store.js";

/**
 * The suppression list as `rassylka suppress add|remove|list|import|export` uses it: the addresses no send
 * will ever deliver to (unsubscribed, bounced). `export` writes CSV (email,reason,source,created_at) that
 * `import` reads back, so unsubscribes recorded by `serve` on one machine move to the machine that sends.
 */
async function withSuppressions<T>(location: StateLocation, fn: (s: SuppressionStore) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    return await fn(store.suppressions);
  } finally {
    await store.close();
  }
}

export type Suppression = Awaited<ReturnType<SuppressionStore["list"]>>[number];

/** One transaction for all of them; an address given twice counts once. How many were new. */
export async function addSuppressions(location: StateLocation, emails: string[], reason: string): Promise<number> {
  requireAddresses(emails, "suppress/invalid-address");
  const added = await withSuppressions(location, (s) => s.addMany(emails.map((email) => ({ email, reason, source: "cli" }))));
  return added.filter(Boolean).length;
}

/** How many of `emails` were suppressed (and are allowed again). */
export function removeSuppressions(location: StateLocation, emails: string[]): Promise<number> {
  return withSuppressions(location, async (s) => {
    let n = 0;
    for (const e of emails) if (await s.remove(e)) n++;
    return n;
  });
}

/**
 * The list, each source as scripts have read it: a bounce's or complaint's source is stored as a note
 * (src/i18n/notes.ts) and given here in English (`bounce 5.1.1 2026-12-01, issue …`), as it was stored
 * before; `note` beside it says the same in the editor's language. Other sources are as they are.
 */
export async function listSuppressions(location: StateLocation): Promise<(Suppression & { note?: string })[]> {
  const list = await withSuppressions(location, (s) => s.list());
  return list.map((s) => (s.source && readNote(s.source) ? { ...s, source: noteText(s.source, "en"), note: noteText(s.source) } : s));
}

/** Every address of a CSV (an email column; reason and source columns kept), in batches of 500, one transaction each. */
export async function importSuppressions(
  location: StateLocation,
  file: { path: string; label: string; encoding?: string },
  defaultReason: string,
): Promise<{ added: number; known: number; invalid: string[] }> {
  const source = csvFile(file.path, { encoding: file.encoding, label: file.label });
  let added = 0;
  let known = 0;
  const invalid: string[] = [];
  await withSuppressions(location, async (s) => {
    let batch: { email: string; reason: string; source: string }[] = [];
    const write = async () => {
      for (const fresh of await s.addMany(batch)) {
        if (fresh) added++;
        else known++;
      }
      batch = [];
    };
    for await (const row of source.rows()) {
      if (row.invalid) {
        invalid.push(`${file.label}:${row.line}: "${row.address}" — ${row.invalid}`);
        continue;
      }
      const reason = row.fields.reason?.trim() || defaultReason;
      batch.push({ email: row.address, reason, source: row.fields.source?.trim() || `import:${file.label}` });
      if (batch.length >= 500) await write();
    }
    await write();
  });
  return { added, known, invalid };
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | null | undefined): string {
  const v = value ?? "";
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function suppressionsCsv(list: { email: string; reason: string; source: string | null; created_at: string }[]): string {
  return `email,reason,source,created_at\n${list.map((s) => [s.email, s.reason, s.source, s.created_at].map(csvField).join(",")).join("\n")}${list.length ? "\n" : ""}`;
}
