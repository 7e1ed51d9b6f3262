import type { BounceMessageRecord, BounceRecord, BounceStore } from "./bounces.js";
import type { CampaignStore } from "./campaigns.js";
import type { StateOptions } from "./db.js";
import type { LedgerStore } from "./ledger.js";
import type { StateLocation } from "./location.js";
import type { MigrationResult } from "./migrations.js";
import { SUBSCRIBER_COLUMNS, type SubscriberRecord, type SubscriberStore } from "./subscribers.js";
import type { Suppression, SuppressionReason } from "./suppressions.js";

/**
 * The storage seam (issue 13): one interface, two implementations — SQLite (src/state/sqlite.ts, the
 * embedded default: today's file, better-sqlite3) and PostgreSQL (src/state/postgres.ts, a `pg` Pool:
 * one database every machine shares). Promise-based because PostgreSQL is; the SQLite implementation
 * answers from its synchronous driver. One test suite runs against both (tests/state/).
 *
 * Phase 1 put the suppression list, the schema migrations and the table copy behind it. Phase 2 put
 * the send ledger here, as `Store.ledger` (src/state/ledger.ts, ledger-sqlite.ts, ledger-postgres.ts), with
 * these operations — every one a single transaction, the same meaning on both backends:
 *
 *   getRun(issue) / issues()                     the run row(s), for status and resuming
 *   beginRun(issue, contentHash, subject, { allowChanged, worker })
 *                                                → runId; refuses a changed issue; no pid lock (leases instead).
 *                                                A second worker of the same run joins it rather than starting a new one.
 *   addRecipients(issue, runId, rows[])          batched upsert ON CONFLICT (issue, email) → duplicates
 *   recordAndClaim(issue, runId, worker, outcomes[], limit, { at, leaseMs })
 *                                                → { claimed, suppressed, resent }. Records only rows this worker
 *                                                still holds (claimed_by = worker), then claims due deferred,
 *                                                pending, and in-flight rows whose lease expired (resent + 1,
 *                                                reported). PostgreSQL: UPDATE … WHERE id IN (SELECT id … ORDER BY id
 *                                                LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …, setting claimed_by and
 *                                                lease_expires_at = now() + leaseMs; SQLite: the same in one
 *                                                BEGIN IMMEDIATE (short, so other issues' sends never see "locked").
 *                                                The suppression check stays inside the claim statement (EXISTS on
 *                                                `suppressed`), so an unsubscribe `serve` recorded is honoured at claim.
 *   heartbeat(worker, issue, leaseMs)            extends the leases of this worker's in-flight rows (default
 *                                                lease 60 s, heartbeat every lease/3); a lost lease stops the worker
 *   release(worker, ids[])                       claimed but never handed over: back to pending
 *   nextDue(issue, runId), counts(issue, runId?), failures(issue, runId?, limit), isSent(issue, email), clear(issue)
 *   checkpoint()                                 SQLite WAL checkpoint; nothing on PostgreSQL
 * Ledger ids are bigint on PostgreSQL (`pg` gives them as strings): phase 2 converts at the seam.
 * The Sendsay campaign records are behind it already: `Store.campaigns` (src/state/campaigns.ts, its PostgreSQL
 * side src/state/postgres-campaigns.ts): latest, all, begin, update.
 */
export interface Store {
  readonly kind: StateLocation["kind"];
  /** Where it is, fit to print: a file path, or the URL with its password masked. */
  readonly location: string;
  readonly suppressions: SuppressionStore;
  /** The Sendsay campaign records (src/state/campaigns.ts). */
  readonly campaigns: CampaignStore;
  readonly subscribers: SubscriberStore;
  readonly bounces: BounceStore;
  /** The send ledger (src/state/ledger.ts): runs, readers, leases, workers. */
  readonly ledger: LedgerStore;
  /** Applies the missing schema migrations (an open already did, unless opened with `migrate: false`). */
  migrate(): Promise<MigrationResult>;
  /** The schema version the database has now (0: never migrated). */
  schemaVersion(): Promise<number>;
  /** The rows of a table in batches, in insertion order, for `rassylka state copy`. A missing table has none. */
  rows<T extends StateTable>(table: T, batchSize?: number): AsyncIterable<StateRows[T][]>;
  /**
   * Inserts the rows this store does not hold yet, matched by what they are (`COPY_KEYS`), not by
   * their ids (which are local to a database), and brings the ones it holds up to date where the given
   * row is newer (`COPY_UPDATES`); returns how many it inserted or updated. Re-running changes none.
   */
  insertMissing<T extends StateTable>(table: T, rows: StateRows[T][]): Promise<number>;
  close(): Promise<void>;
}

export interface SuppressionStore {
  /** True when the address was not suppressed before (repeating is harmless). */
  add(email: string, reason?: SuppressionReason | string, source?: string): Promise<boolean>;
  /** Several in one transaction (one commit): `added[i]` for `entries[i]`; an address twice counts once. */
  addMany(entries: readonly { email: string; reason?: SuppressionReason | string; source?: string }[]): Promise<boolean[]>;
  remove(email: string): Promise<boolean>;
  has(email: string): Promise<boolean>;
  /** Oldest first. */
  list(): Promise<Suppression[]>;
  count(): Promise<number>;
}

export interface OpenStoreOptions {
  /** Apply the missing migrations on open (default true); `rassylka state migrate` opens without. */
  migrate?: boolean;
  /** SQLite: open an existing file read-only (the source of `state copy`); implies no migration. */
  readonly?: boolean;
  /** SQLite durability (src/state/db.ts). */
  durability?: StateOptions["durability"];
  /** PostgreSQL: errors of idle pooled connections (a restarted server); the next query fails too. */
  onError?: (error: unknown) => void;
  /** The ledger's worker id (default: host:pid:random, src/state/ledger.ts `workerId`). */
  worker?: string;
  /** SQLite: called when this open created the state file (a send says where its new ledger is). */
  onCreate?: (file: string) => void;
}

/** Opens the store a location names; PostgreSQL's driver is loaded only when it is used. */
export async function openStore(location: StateLocation, options: OpenStoreOptions = {}): Promise<Store> {
  if (location.kind === "postgres") return (await import("./postgres.js")).openPostgresStore(location.url, options);
  return (await import("./sqlite.js")).openSqliteStore(location.file, options);
}

/**
 * Tables whose rows change after they are written, and when a re-copy brings a row the target already has
 * up to date: the source's row is newer (`updated_at`) and the target's has not moved past it. A ledger
 * row `sent` in the target is never taken back; one `sent` in the source is never left `pending` in the
 * target (that left 136 readers to be mailed twice by the next send there). Other tables only gain rows.
 */
export const COPY_UPDATES: { [T in StateTable]?: { guard?: string } } = {
  send_runs: {},
  send_ledger: { guard: "state <> 'sent'" },
  subscribers: {},
  bounces: {},
};

/**
 * What an insert of copied rows does with a row the target holds (`ON CONFLICT (keys) …`, the same text on
 * both backends): nothing, or for COPY_UPDATES' tables the newer row's columns.
 */
export function copyConflict(table: StateTable, columns: readonly string[], keys: readonly string[], target: string): string {
  const update = COPY_UPDATES[table];
  if (!update) return "DO NOTHING";
  const set = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = excluded.${c}`);
  const guard = update.guard ? ` AND ${target}.${update.guard}` : "";
  return `DO UPDATE SET ${set.join(", ")} WHERE excluded.updated_at > ${target}.updated_at${guard}`;
}

/** Every table a state holds, in the order `state copy` copies them (runs before their ledger rows). */
export const STATE_TABLES = [
  "send_runs",
  "send_ledger",
  "suppressed",
  "sendsay_campaigns",
  "subscribers",
  "bounces",
  "bounce_messages",
  "send_invalid",
] as const;
export type StateTable = (typeof STATE_TABLES)[number];

/** Rows as both backends read and write them: times as ISO 8601 text (UTC, milliseconds), JSON as text. */
export interface RunRecord {
  issue: string;
  content_hash: string;
  subject: string;
  run_id: number;
  total: number;
  invalid: number;
  duplicates: number;
  started_at: string;
  updated_at: string;
}

export interface LedgerRecord {
  issue: string;
  email: string;
  address: string;
  /** JSON text of the reader's fields. */
  fields: string;
  line: number | null;
  run_id: number;
  state: string;
  attempts: number;
  last_code: number | null;
  last_response: string | null;
  message_id: string;
  provider_id: string | null;
  /** ms since the epoch. */
  next_at: number;
  resent: number;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface CampaignRecord {
  issue: string;
  group_id: string;
  login: string;
  content_hash: string;
  subject: string;
  state: string;
  track_id: string | null;
  track_status: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface StateRows {
  send_runs: RunRecord;
  send_ledger: LedgerRecord;
  suppressed: Suppression;
  sendsay_campaigns: CampaignRecord;
  subscribers: SubscriberRecord;
  bounces: BounceRecord;
  bounce_messages: BounceMessageRecord;
  send_invalid: InvalidRecord;
}

/** A list row that is not an address, of an issue's run (issue 17: `status` lists them). */
export interface InvalidRecord {
  issue: string;
  run_id: number;
  line: number;
  address: string;
  reason: string;
}

/** The columns copied, per table (ids and the SQLite-only pid lock are not). */
export const COPY_COLUMNS: { [T in StateTable]: readonly (keyof StateRows[T] & string)[] } = {
  send_runs: ["issue", "content_hash", "subject", "run_id", "total", "invalid", "duplicates", "started_at", "updated_at"],
  send_ledger: [
    "issue",
    "email",
    "address",
    "fields",
    "line",
    "run_id",
    "state",
    "attempts",
    "last_code",
    "last_response",
    "message_id",
    "provider_id",
    "next_at",
    "resent",
    "created_at",
    "updated_at",
    "sent_at",
  ],
  suppressed: ["email", "reason", "source", "created_at"],
  sendsay_campaigns: [
    "issue",
    "group_id",
    "login",
    "content_hash",
    "subject",
    "state",
    "track_id",
    "track_status",
    "error",
    "created_at",
    "updated_at",
  ],
  subscribers: SUBSCRIBER_COLUMNS,
  bounces: ["issue", "email", "kind", "status", "diagnostic", "message_key", "messages", "bounced_at", "created_at", "updated_at"],
  bounce_messages: ["message_key", "result", "created_at"],
  send_invalid: ["issue", "run_id", "line", "address", "reason"],
};

/**
 * What makes a row the same row in another database: the table's key, or for campaign records (one
 * row per submission attempt, keyed by a local id) the attempt's identity and its start time.
 */
export const COPY_KEYS: { [T in StateTable]: readonly (keyof StateRows[T] & string)[] } = {
  send_runs: ["issue"],
  send_ledger: ["issue", "email"],
  suppressed: ["email"],
  sendsay_campaigns: ["issue", "group_id", "login", "content_hash", "created_at"],
  subscribers: ["email"],
  bounces: ["issue", "email", "kind"],
  bounce_messages: ["message_key"],
  send_invalid: ["issue", "run_id", "line"],
};
