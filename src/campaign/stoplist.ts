import { addressKey } from "../identity/address.js";
import type { SendsayClient } from "../sendsay/client.js";
import type { SuppressionStore } from "../state/store.js";

/**
 * One stop list on both sides (`rassylka sendsay sync`). Sendsay keeps two kinds of stop-list records
 * (docs/subscribers/contacts/stop-lists.md): «Отписались от всех рассылок», the readers who unsubscribed
 * themselves (the API's `member` records: the account may not remove them), and «Заблокированы вручную»,
 * the account's own (`owner` records). The actions are `stoplist.get`, `stoplist.add`, `stoplist.delete`
 * and `stoplist.erase`; sync uses only the first two, so it never removes anything from either list.
 *
 *   Sendsay «Отписались»          → ours, reason "unsubscribed", source "sendsay:unsubscribed"
 *   Sendsay «Заблокированы вручную» → ours, reason "manual",       source "sendsay:blocked"
 *   ours (serve's one-click, bounces, `suppress add`, …) → Sendsay «Заблокированы вручную»
 *
 * Addresses already on the other side are skipped, and addresses that came from Sendsay are never sent
 * back: running it twice adds nothing the second time.
 */
export type StopListKind = "member" | "owner";

export const SENDSAY_SOURCES: Record<StopListKind, { reason: string; source: string }> = {
  member: { reason: "unsubscribed", source: "sendsay:unsubscribed" },
  owner: { reason: "manual", source: "sendsay:blocked" },
};

/** Addresses per stoplist.add request. */
const CHUNK = 500;

export interface SyncResult {
  /** Added to our suppression list, with the reason and source recorded. */
  toLocal: { email: string; reason: string; source: string }[];
  /** Added to Sendsay's «Заблокированы вручную», with our reason. */
  toSendsay: { email: string; reason: string }[];
  dryRun: boolean;
}

/** The addresses of one kind of Sendsay's stop list. */
export async function readStopList(client: SendsayClient, kind: StopListKind): Promise<string[]> {
  const answer = await client.request<{ list?: unknown[] }>({ action: "stoplist.get", type: kind }, { idempotent: true });
  return addressesOf(answer.list);
}

/** The addresses of an answer's `list`: each an address, or a record carrying one (`email`, `member.email`). */
export function addressesOf(list: unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const item of list ?? []) {
    // an address, or a record carrying one
    const email =
      typeof item === "string"
        ? item
        : Array.isArray(item)
          ? item[0]
          : item && typeof item === "object"
            ? ((item as Record<string, unknown>).email ?? (item as Record<string, unknown>)["member.email"])
            : undefined;
    if (typeof email === "string" && email.includes("@")) out.push(email.trim());
  }
  return out;
}

export async function syncStopLists(
  client: SendsayClient,
  suppressions: SuppressionStore,
  options: { dryRun?: boolean } = {},
): Promise<SyncResult> {
  const dryRun = Boolean(options.dryRun);
  const theirs = new Map<string, StopListKind>();
  // «Отписались» first: an address on both lists is recorded as unsubscribed
  for (const kind of ["member", "owner"] as const)
    for (const email of await readStopList(client, kind)) if (!theirs.has(addressKey(email))) theirs.set(addressKey(email), kind);

  const ours = await suppressions.list();
  const known = new Set(ours.map((s) => addressKey(s.email)));
  const toLocal: SyncResult["toLocal"] = [];
  for (const [email, kind] of theirs) {
    if (known.has(email)) continue;
    const { reason, source } = SENDSAY_SOURCES[kind];
    toLocal.push({ email, reason, source });
  }
  const toSendsay = ours
    .filter((s) => !s.source?.startsWith("sendsay:") && !theirs.has(addressKey(s.email)))
    .map((s) => ({ email: addressKey(s.email), reason: s.reason }));

  if (!dryRun) {
    for (let i = 0; i < toSendsay.length; i += CHUNK) {
      const list = toSendsay.slice(i, i + CHUNK).map((s) => s.email);
      await client.request({ action: "stoplist.add", type: "owner", list }, { idempotent: true });
    }
    await suppressions.addMany(toLocal);
  }
  return { toLocal, toSendsay, dryRun };
}
