import { type AbTestRecord, SqlAbTests } from "./ab.js";
import { SqlAudiences } from "./audiences.js";
import { type BounceMessageRecord, type BounceRecord, type BounceStore, SqlBounces, type UnverifiedBounceRecord } from "./bounces.js";
import { type CampaignStore, SqlCampaigns } from "./campaigns.js";
import {
  type ClickRecord,
  type ClickStore,
  type EventTotalRecord,
  type IssueLinkRecord,
  type OpenRecord,
  SqlClicks,
  type TrackedIssueRecord,
} from "./clicks.js";
import { insertMissing, pageRows } from "./copy.js";
import type { StateOptions } from "./db.js";
import { type LedgerStore, SqlLedger } from "./ledger.js";
import type { StateLocation } from "./location.js";
import { type MigrationResult, migrate, schemaVersion } from "./migrations.js";
import { type PollRecord, type PollStore, SqlPolls, type VoteRecord } from "./polls.js";
import { type ReportStore, SqlReport } from "./report.js";
import { SqlSchedule } from "./schedule.js";
import { SqlSendsayLists } from "./sendsay-lists.js";
import type { Db } from "./sql.js";
import { SqlSubscribers, SUBSCRIBER_COLUMNS, type SubscriberRecord, type SubscriberStore } from "./subscribers.js";
import { SqlSuppressions, type Suppression, type SuppressionReason } from "./suppressions.js";

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
  return (await import("./db.js")).openSqliteStore(location.file, options);
}

/**
 * The storage seam: one class, by subject — suppressions, the send ledger, campaign records, subscribers,
 * bounces, clicks, polls, schedules — each written once over the SQL seam (src/state/sql.ts), on either
 * database: SQLite (src/state/sqlite.ts, the embedded default: the state file, better-sqlite3) or
 * PostgreSQL (src/state/postgres.ts, a `pg` Pool: one database every machine shares); the adapters add
 * what is theirs (closing, the WAL checkpoint). Promise-based because PostgreSQL is. One test suite runs
 * against both (tests/state/, `describe.each(backends())`).
 */
export abstract class StateStore {
  readonly suppressions: SuppressionStore;
  /** The Sendsay campaign records (src/state/campaigns.ts). */
  readonly campaigns: CampaignStore;
  readonly subscribers: SubscriberStore;
  readonly bounces: BounceStore;
  /** Tracked links and clicks (src/state/clicks.ts, docs/report.md). */
  readonly clicks: ClickStore;
  /** The figures of `rassylka report`, aggregated by the database (src/state/report.ts). */
  readonly report: ReportStore;
  /** Polls and their votes (src/state/polls.ts, docs/polls.md). */
  readonly polls: PollStore;
  /** The send ledger (src/state/ledger.ts): runs, readers, leases, workers. */
  readonly ledger: LedgerStore;
  /** Scheduled issues (src/state/schedule.ts, docs/schedule.md). */
  readonly schedule: SqlSchedule;
  readonly ab: SqlAbTests;
  /** Which audience each send went to (src/state/audiences.ts, docs/audiences.md). */
  readonly audiences: SqlAudiences;
  readonly sendsayLists: SqlSendsayLists;

  constructor(
    readonly kind: StateLocation["kind"],
    /** Where it is, fit to print: a file path, or the URL with its password masked. */
    readonly location: string,
    readonly sql: Db,
    worker?: string,
  ) {
    this.suppressions = new SqlSuppressions(sql);
    this.campaigns = new SqlCampaigns(sql);
    this.subscribers = new SqlSubscribers(sql);
    this.bounces = new SqlBounces(sql);
    this.clicks = new SqlClicks(sql);
    this.report = new SqlReport(sql);
    this.polls = new SqlPolls(sql);
    this.ledger = new SqlLedger(sql, location, worker, () => this.checkpoint());
    this.schedule = new SqlSchedule(sql);
    this.ab = new SqlAbTests(sql);
    this.audiences = new SqlAudiences(sql);
    this.sendsayLists = new SqlSendsayLists(sql);
  }

  /** Applies the missing schema migrations (an open already did, unless opened with `migrate: false`). */
  migrate(migrations?: Parameters<typeof migrate>[2]): Promise<MigrationResult> {
    return migrate(this.sql, this.location, migrations);
  }
  /** The schema version the database has now (0: never migrated). */
  schemaVersion(): Promise<number> {
    return schemaVersion(this.sql);
  }
  /** The rows of a table in batches, in insertion order, for `rassylka state copy`. A missing table has none. */
  rows<T extends StateTable>(table: T, batchSize = 1000): AsyncIterable<StateRows[T][]> {
    return pageRows(this.sql, table, batchSize);
  }
  /**
   * Inserts the rows this store does not hold yet, matched by what they are (`COPY_KEYS`), not by their
   * ids (which are local to a database), and brings the ones it holds up to date where the given row is
   * newer (`COPY_UPDATES`); returns how many it inserted or updated. Re-running changes none.
   */
  insertMissing<T extends StateTable>(table: T, rows: StateRows[T][]): Promise<number> {
    return insertMissing(this.sql, table, rows);
  }
  /** SQLite: copy the WAL into the database file; nothing on PostgreSQL. */
  abstract checkpoint(): Promise<void>;
  abstract close(): Promise<void>;
}
/** A store, on whichever database. */
export type Store = StateStore;

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
  polls: {},
  poll_votes: {},
  // a schedule row the target has already started (or sent) is never moved back by a copy
  scheduled_issues: { guard: "state NOT IN ('sending', 'sent')" },
  // a decided test is never taken back by an undecided copy
  ab_tests: { guard: "winner IS NULL" },
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
  "unverified_bounces",
  "tracked_issues",
  "issue_links",
  "click_events",
  "open_events",
  "event_totals",
  "polls",
  "poll_votes",
  "scheduled_issues",
  "ab_tests",
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
  /** The A/B sample group the reader was sent in (migration 12); null outside a sample. */
  variant?: number | null;
  /** The reader's key in click events (migration 13); null for rows written before it. */
  reader_key: string | null;
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
  unverified_bounces: UnverifiedBounceRecord;
  tracked_issues: TrackedIssueRecord;
  issue_links: IssueLinkRecord;
  click_events: ClickRecord;
  open_events: OpenRecord;
  event_totals: EventTotalRecord;
  polls: PollRecord;
  poll_votes: VoteRecord;
  scheduled_issues: ScheduledRecord;
  ab_tests: AbTestRecord;
}

/** A scheduled issue as `scheduled_issues` keeps it (src/state/schedule.ts, docs/schedule.md). */
export interface ScheduledRecord {
  slug: string;
  subject: string;
  send_at: string;
  late_limit_ms: number;
  state: string;
  audience: string;
  content_hash: string;
  /** JSON text: the compiled issue and the newsletter's config. */
  issue: string;
  sendsay_issue_id: string | null;
  started_by: string | null;
  started_at: string | null;
  finished_at: string | null;
  note: string | null;
  created_at: string;
  updated_at: string;
}

/** A list row that is not an address, of an issue's run (`status` lists them). */
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
    "variant",
    "reader_key",
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
  unverified_bounces: ["message_key", "issue", "email", "kind", "status", "diagnostic", "bounced_at", "created_at"],
  tracked_issues: ["issue", "clicks", "opens", "anonymous", "keep_days", "started_at"],
  issue_links: ["issue", "trial", "link", "url"],
  click_events: ["event_id", "issue", "link", "reader", "ua_class", "rule", "trial", "at"],
  open_events: ["event_id", "issue", "reader", "ua_class", "rule", "trial", "at"],
  event_totals: ["issue", "kind", "link", "ua_class", "day", "events", "readers"],
  polls: ["poll", "issue", "question", "answers", "closes", "updated_at"],
  poll_votes: ["poll", "voter", "answer", "updated_at"],
  scheduled_issues: [
    "slug",
    "subject",
    "send_at",
    "late_limit_ms",
    "state",
    "audience",
    "content_hash",
    "issue",
    "sendsay_issue_id",
    "started_by",
    "started_at",
    "finished_at",
    "note",
    "created_at",
    "updated_at",
  ],
  ab_tests: [
    "issue",
    "subjects",
    "sample",
    "wait_minutes",
    "metric",
    "list_id",
    "sample_done_at",
    "decide_at",
    "winner",
    "decided_by",
    "reason",
    "figures",
    "decided_at",
    "created_at",
    "updated_at",
  ],
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
  unverified_bounces: ["message_key", "email", "kind"],
  tracked_issues: ["issue"],
  issue_links: ["issue", "trial", "link"],
  click_events: ["event_id"],
  open_events: ["event_id"],
  event_totals: ["issue", "kind", "link", "ua_class", "day"],
  polls: ["poll"],
  poll_votes: ["poll", "voter"],
  scheduled_issues: ["slug"],
  ab_tests: ["issue"],
};
