import { createHash } from "node:crypto";
import { addressKey } from "../identity/address.js";
import { type Db, join, raw, sql } from "./sql.js";

/**
 * The subscriber list rassylka keeps: one row per reader, keyed by the canonical identity
 * (src/identity/address.ts `addressKey`, what the send step and the suppression list use), with the
 * address as written, the reader's fields, a status and the consent record.
 *
 *   pending       asked to subscribe (the form, an import without --confirmed), not confirmed yet: never sent to
 *   confirmed     confirmed by the link in the confirmation email (or imported/added with --confirmed)
 *   unsubscribed  left (one-click unsubscribe); subscribing again goes through confirmation again
 *
 * The consent record is what 38-FZ art. 18 and 152-FZ ask a sender to prove: when, from which IP and
 * user agent, on which page, and the exact consent text the reader ticked (kept whole, with its
 * SHA-256 so a text changed later is told apart). The confirmation (when, IP, user agent of the
 * button press) is kept beside it: together they are the double opt-in.
 *
 * The decisions (what a request, a confirmation, an import does to a row) are pure functions here;
 * the store reads and writes the row inside one transaction — on PostgreSQL holding an advisory lock on
 * the address, so two `serve`s answering the same address at once apply one after the other.
 */
export type SubscriberStatus = "pending" | "confirmed" | "unsubscribed";
export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = ["pending", "confirmed", "unsubscribed"];

/** Where a subscriber came from: the web form, `subscribers import` (with the file), or `subscribers add`. */
export type SubscriberSource = "form" | "cli" | `import:${string}` | string;

export interface Consent {
  /** ISO 8601 time the consent was given (the form submitted, or the import/add). */
  at: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The page the form was on (its URL), or for an import the file. */
  page: string | null;
  /** The consent text shown, exactly. */
  text: string | null;
  /** SHA-256 (hex) of `text`: its version. */
  textHash: string | null;
}

export interface Subscriber {
  /** The canonical key (addressKey). */
  email: string;
  /** As the reader (or the list) wrote it: where the mail goes. */
  address: string;
  status: SubscriberStatus;
  fields: Record<string, string>;
  source: string;
  consent: Consent;
  confirmed: { at: string | null; ip: string | null; userAgent: string | null };
  unsubscribedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The topics the reader chose (ids), or null: never chosen, they get newsletter.yaml's default topics. */
  topics: string[] | null;
  /** The last change of `topics`: when, and from where (`form`, `preferences`, `one-click`, `import:…`). */
  topicsChanged: { at: string | null; source: string | null };
}

/** The row as both backends store it (times ISO text, fields JSON text): also what `state copy` moves. */
export interface SubscriberRecord {
  email: string;
  address: string;
  fields: string;
  status: string;
  source: string;
  consent_at: string | null;
  consent_ip: string | null;
  consent_user_agent: string | null;
  consent_page: string | null;
  consent_text: string | null;
  consent_hash: string | null;
  /** The nonce inside the one confirmation link that is valid now; cleared when used (single use). */
  confirm_nonce: string | null;
  confirm_sent_at: string | null;
  confirmed_at: string | null;
  confirmed_ip: string | null;
  confirmed_user_agent: string | null;
  unsubscribed_at: string | null;
  created_at: string;
  updated_at: string;
  /** JSON array of topic ids, or NULL (never chosen). */
  topics: string | null;
  topics_at: string | null;
  topics_source: string | null;
}

export const SUBSCRIBER_COLUMNS = [
  "email",
  "address",
  "fields",
  "status",
  "source",
  "consent_at",
  "consent_ip",
  "consent_user_agent",
  "consent_page",
  "consent_text",
  "consent_hash",
  "confirm_nonce",
  "confirm_sent_at",
  "confirmed_at",
  "confirmed_ip",
  "confirmed_user_agent",
  "unsubscribed_at",
  "created_at",
  "updated_at",
  "topics",
  "topics_at",
  "topics_source",
] as const satisfies readonly (keyof SubscriberRecord)[];

export interface SubscriberInput {
  address: string;
  fields?: Record<string, string>;
  consent?: Partial<Consent>;
  /** The topics chosen (the form's checkboxes, an import's `topics` column); left out: unchanged. */
  topics?: readonly string[];
}

/** A change of a reader's topics: when, and from where. */
export interface TopicChange {
  at: string;
  source: string;
}

/** A form request: the reader's address, fields, consent record, and the nonce of the link about to be mailed. */
export interface SubscribeRequest extends SubscriberInput {
  nonce: string;
  /** ISO time. */
  at: string;
}

export type RequestOutcome =
  /** New, or pending again, or back after an unsubscribe: pending now, a confirmation is to be sent with this nonce. */
  | { kind: "pending"; previous: SubscriberStatus | undefined }
  /** Already confirmed: nothing changes and no email is sent (the page says the same either way). */
  | { kind: "already-confirmed" };

export type ConfirmOutcome = "confirmed" | "already-confirmed" | "invalid";

/** One limit: at most `max` events with this key in the last `windowMs`. */
export interface LimitCheck {
  key: string;
  max: number;
  windowMs: number;
}

export interface SubscriberStore {
  get(email: string): Promise<Subscriber | undefined>;
  /** By address; with a status, only those. */
  list(filter?: { status?: SubscriberStatus }): Promise<Subscriber[]>;
  count(status?: SubscriberStatus): Promise<number>;
  /**
   * `subscribers add` and `import`, one transaction: new readers get `status` (pending, or confirmed with
   * --confirmed); existing ones get the new fields merged; pending becomes confirmed with `confirmed`;
   * an unsubscribed reader stays unsubscribed (an old list must not undo an unsubscribe).
   */
  /**
   * Adds or updates readers in one transaction. Confirming never overrides a reader's own way out: one who
   * unsubscribed (on the list, or by a one-click link of any send: the suppression list) or is suppressed
   * for another reason stays as they are (`kept-unsubscribed`, `kept-suppressed`), unless `resubscribe`
   * states how they agreed again, which confirms those who unsubscribed (never a bounce, complaint or
   * manual suppression: `rassylka suppress remove` first).
   */
  upsertMany(entries: readonly SubscriberInput[], options: UpsertOptions): Promise<UpsertOutcome[]>;
  /** Deletes them (the right to be forgotten); true for each that was there. */
  removeMany(emails: readonly string[]): Promise<boolean[]>;
  /** The form's request, in one transaction (see decideRequest). */
  request(input: SubscribeRequest): Promise<RequestOutcome>;
  /** What the confirmation page shows on GET: nothing changes. */
  peek(email: string, nonce: string): Promise<ConfirmOutcome>;
  /** The button: pending with this nonce → confirmed, the nonce spent, an unsubscribe suppression lifted. */
  confirm(email: string, nonce: string, by: { at: string; ip: string | null; userAgent: string | null }): Promise<ConfirmOutcome>;
  /** One-click unsubscribe: those that are subscribers become `unsubscribed`; returns how many changed. */
  markUnsubscribed(emails: readonly string[], at: string): Promise<number>;
  /** The reader's topics become `topics` (the preference page); false when there is no such subscriber. */
  setTopics(email: string, topics: readonly string[], change: TopicChange): Promise<boolean>;
  /**
   * A one-click unsubscribe from one topic (`unsubscribe.scope: topic`): `topic` leaves the reader's topics
   * (a reader who never chose gets `defaults` without it); false when there is no such subscriber.
   */
  dropTopic(email: string, topic: string, defaults: readonly string[], change: TopicChange): Promise<boolean>;
  /** Confirmed and not suppressed, in pages by key (for `send --subscribers`). */
  confirmedPage(after: string, limit: number): Promise<Subscriber[]>;
  /**
   * Abuse limits kept in the store (they hold across restarts and machines): when every check is under
   * its max, records one event for each key and returns undefined; otherwise records nothing and returns
   * the first check that is full. One transaction, so parallel requests never overshoot.
   */
  takeLimits(checks: readonly LimitCheck[], nowMs: number): Promise<LimitCheck | undefined>;
}

export type UpsertOutcome = "added" | "updated" | "confirmed" | "kept-unsubscribed" | "kept-suppressed" | "resubscribed";

export interface UpsertOptions {
  status: "pending" | "confirmed";
  source: string;
  at: string;
  /** With `confirmed`: how the readers who unsubscribed agreed again (recorded as the source): they are confirmed. */
  resubscribe?: string;
}

export function consentHash(text: string | null | undefined): string | null {
  return text ? createHash("sha256").update(text, "utf8").digest("hex") : null;
}

export function toSubscriber(r: SubscriberRecord): Subscriber {
  let fields: Record<string, string> = {};
  try {
    fields = typeof r.fields === "string" ? JSON.parse(r.fields) : (r.fields ?? {});
  } catch {}
  return {
    email: r.email,
    address: r.address,
    status: r.status as SubscriberStatus,
    fields,
    source: r.source,
    consent: {
      at: r.consent_at,
      ip: r.consent_ip,
      userAgent: r.consent_user_agent,
      page: r.consent_page,
      text: r.consent_text,
      textHash: r.consent_hash,
    },
    confirmed: { at: r.confirmed_at, ip: r.confirmed_ip, userAgent: r.confirmed_user_agent },
    unsubscribedAt: r.unsubscribed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    topics: parseTopics(r.topics),
    topicsChanged: { at: r.topics_at ?? null, source: r.topics_source ?? null },
  };
}

/** The stored topics: an array of ids, or null (never chosen; also for anything unreadable). */
export function parseTopics(text: string | null | undefined): string[] | null {
  if (text === null || text === undefined) return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;
  } catch {
    return null;
  }
}

/** The topics columns for a change, or nothing when the input leaves topics alone. */
function topicColumns(
  topics: readonly string[] | undefined,
  at: string,
  source: string,
): Partial<Pick<SubscriberRecord, "topics" | "topics_at" | "topics_source">> {
  if (!topics) return {};
  return { topics: JSON.stringify([...new Set(topics)].sort()), topics_at: at, topics_source: source };
}

function consentColumns(consent: Partial<Consent> | undefined, at: string) {
  return {
    consent_at: consent?.at ?? at,
    consent_ip: consent?.ip ?? null,
    consent_user_agent: consent?.userAgent ?? null,
    consent_page: consent?.page ?? null,
    consent_text: consent?.text ?? null,
    consent_hash: consent?.textHash ?? consentHash(consent?.text),
  };
}

function newRecord(input: SubscriberInput, status: SubscriberStatus, source: string, at: string): SubscriberRecord {
  return {
    email: addressKey(input.address),
    address: input.address.trim(),
    fields: JSON.stringify(input.fields ?? {}),
    status,
    source,
    ...consentColumns(input.consent, at),
    confirm_nonce: null,
    confirm_sent_at: null,
    confirmed_at: status === "confirmed" ? at : null,
    confirmed_ip: null,
    confirmed_user_agent: null,
    unsubscribed_at: null,
    created_at: at,
    updated_at: at,
    topics: null,
    topics_at: null,
    topics_source: null,
    ...topicColumns(input.topics, at, source),
  };
}

/**
 * The form's request on the row there is (or none) → the row to write (or none) and the outcome.
 * Already confirmed: untouched — a stranger's request must not change a reader's record, and the
 * answer page is the same. Otherwise pending with this request's consent record and a new nonce (the
 * link of an earlier confirmation email stops working: only the latest is valid). An unsubscribed
 * reader's suppression stays until they confirm.
 */
export function decideRequest(
  existing: SubscriberRecord | undefined,
  input: SubscribeRequest,
): { write?: SubscriberRecord; outcome: RequestOutcome } {
  if (existing?.status === "confirmed") return { outcome: { kind: "already-confirmed" } };
  const base = existing ?? newRecord(input, "pending", "form", input.at);
  const fields = { ...safeParse(base.fields), ...(input.fields ?? {}) };
  const write: SubscriberRecord = {
    ...base,
    address: input.address.trim(),
    fields: JSON.stringify(fields),
    status: "pending",
    source: existing ? existing.source : "form",
    ...consentColumns(input.consent, input.at),
    confirm_nonce: input.nonce,
    confirm_sent_at: input.at,
    updated_at: input.at,
    ...topicColumns(input.topics, input.at, "form"),
  };
  return { write, outcome: { kind: "pending", previous: existing?.status as SubscriberStatus | undefined } };
}

/** The button's POST (or the GET's look, `write` ignored). */
export function decideConfirm(
  existing: SubscriberRecord | undefined,
  nonce: string,
  by: { at: string; ip: string | null; userAgent: string | null },
): { write?: SubscriberRecord; outcome: ConfirmOutcome } {
  if (!existing) return { outcome: "invalid" };
  if (existing.status === "pending" && existing.confirm_nonce && existing.confirm_nonce === nonce) {
    return {
      outcome: "confirmed",
      write: {
        ...existing,
        status: "confirmed",
        confirm_nonce: null,
        confirmed_at: by.at,
        confirmed_ip: by.ip,
        confirmed_user_agent: by.userAgent,
        unsubscribed_at: null,
        updated_at: by.at,
      },
    };
  }
  // a used link (the reader pressing twice, a second tab) says "you are subscribed"; anything else is invalid
  if (existing.status === "confirmed") return { outcome: "already-confirmed" };
  return { outcome: "invalid" };
}

export function decideUpsert(
  existing: SubscriberRecord | undefined,
  input: SubscriberInput,
  options: UpsertOptions,
  /** The reason the address is on the suppression list, if it is. */
  suppressed?: string,
): { write?: SubscriberRecord; outcome: UpsertOutcome } {
  if (options.status === "confirmed" && existing?.status !== "confirmed") {
    // a reader's own "no" is not overridden by a list: only a stated new consent does, and only for an unsubscribe
    if (suppressed && suppressed !== "unsubscribed") return { outcome: "kept-suppressed" };
    if (suppressed === "unsubscribed" || existing?.status === "unsubscribed") {
      if (!options.resubscribe) return { outcome: "kept-unsubscribed" };
      const source = `resubscribe: ${options.resubscribe}`;
      const fresh = newRecord(input, "confirmed", source, options.at);
      const fields = JSON.stringify({ ...safeParse(existing?.fields ?? "{}"), ...(input.fields ?? {}) });
      return {
        outcome: "resubscribed",
        write: { ...(existing ?? fresh), ...fresh, fields, created_at: existing?.created_at ?? fresh.created_at, unsubscribed_at: null },
      };
    }
  }
  if (!existing) return { write: newRecord(input, options.status, options.source, options.at), outcome: "added" };
  const fields = JSON.stringify({ ...safeParse(existing.fields), ...(input.fields ?? {}) });
  if (existing.status === "unsubscribed") {
    return fields === existing.fields
      ? { outcome: "kept-unsubscribed" }
      : { write: { ...existing, fields, updated_at: options.at }, outcome: "kept-unsubscribed" };
  }
  const chosen = topicColumns(input.topics, options.at, options.source);
  // the same topics again (an import run twice): the last change keeps its time and source
  const topics = chosen.topics === existing.topics ? {} : chosen;
  if (existing.status === "pending" && options.status === "confirmed") {
    return {
      outcome: "confirmed",
      write: {
        ...existing,
        fields,
        status: "confirmed",
        source: options.source,
        ...consentColumns(input.consent, options.at),
        confirm_nonce: null,
        confirmed_at: options.at,
        updated_at: options.at,
        ...topics,
      },
    };
  }
  return { write: { ...existing, fields, address: input.address.trim(), updated_at: options.at, ...topics }, outcome: "updated" };
}

function safeParse(fields: string): Record<string, string> {
  try {
    return typeof fields === "string" ? JSON.parse(fields) : (fields ?? {});
  } catch {
    return {};
  }
}

const SELECT = sql`SELECT ${raw(SUBSCRIBER_COLUMNS.join(", "))} FROM subscribers`;
const UPSERT = raw(
  `ON CONFLICT (email) DO UPDATE SET ${SUBSCRIBER_COLUMNS.filter((c) => c !== "email")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`,
);
const lockOf = (email: string) => `rassylka:subscriber:${addressKey(email)}`;

export class SqlSubscribers implements SubscriberStore {
  constructor(private readonly db: Db) {}

  private row(db: Db, email: string): Promise<SubscriberRecord | undefined> {
    return db.get<SubscriberRecord>(sql`${SELECT} WHERE email = ${addressKey(email)}`);
  }
  private async write(db: Db, r: SubscriberRecord): Promise<void> {
    await db.run(
      sql`INSERT INTO subscribers (${raw(SUBSCRIBER_COLUMNS.join(", "))}) VALUES (${join(SUBSCRIBER_COLUMNS.map((c) => r[c]))}) ${UPSERT}`,
    );
  }

  async get(email: string): Promise<Subscriber | undefined> {
    const r = await this.row(this.db, email);
    return r && toSubscriber(r);
  }

  async list(filter: { status?: SubscriberStatus } = {}): Promise<Subscriber[]> {
    const where = filter.status ? sql`WHERE status = ${filter.status}` : sql``;
    return (await this.db.all<SubscriberRecord>(sql`${SELECT} ${where} ORDER BY email`)).map(toSubscriber);
  }

  async count(status?: SubscriberStatus): Promise<number> {
    const where = status ? sql`WHERE status = ${status}` : sql``;
    return (await this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM subscribers ${where}`))!.n;
  }

  async upsertMany(entries: readonly SubscriberInput[], options: UpsertOptions): Promise<UpsertOutcome[]> {
    if (!entries.length) return [];
    return this.db.tx(
      async (t) => {
        const out: UpsertOutcome[] = [];
        for (const e of entries) {
          const key = addressKey(e.address);
          const suppressed =
            options.status === "confirmed"
              ? (await t.get<{ reason: string }>(sql`SELECT reason FROM suppressed WHERE email = ${key}`))?.reason
              : undefined;
          const { write, outcome } = decideUpsert(await this.row(t, e.address), e, options, suppressed);
          if (write) await this.write(t, write);
          // they agreed again: their own unsubscribe no longer holds (a bounce or complaint never gets here)
          if (outcome === "resubscribed") await t.run(sql`DELETE FROM suppressed WHERE email = ${key} AND reason = 'unsubscribed'`);
          out.push(outcome);
        }
        return out;
      },
      entries.map((e) => lockOf(e.address)),
    );
  }

  async removeMany(emails: readonly string[]): Promise<boolean[]> {
    return this.db.tx(async (t) => {
      const out: boolean[] = [];
      for (const e of emails) out.push((await t.run(sql`DELETE FROM subscribers WHERE email = ${addressKey(e)}`)) === 1);
      return out;
    });
  }

  async request(input: SubscribeRequest): Promise<RequestOutcome> {
    return this.db.tx(
      async (t) => {
        const { write, outcome } = decideRequest(await this.row(t, input.address), input);
        if (write) await this.write(t, write);
        return outcome;
      },
      [lockOf(input.address)],
    );
  }

  async peek(email: string, nonce: string): Promise<ConfirmOutcome> {
    return decideConfirm(await this.row(this.db, email), nonce, { at: "", ip: null, userAgent: null }).outcome;
  }

  async confirm(email: string, nonce: string, by: { at: string; ip: string | null; userAgent: string | null }): Promise<ConfirmOutcome> {
    return this.db.tx(
      async (t) => {
        const { write, outcome } = decideConfirm(await this.row(t, email), nonce, by);
        if (write) {
          await this.write(t, write);
          // the reader came back: their own unsubscribe no longer holds (a bounce or complaint still does)
          await t.run(sql`DELETE FROM suppressed WHERE email = ${write.email} AND reason = 'unsubscribed'`);
        }
        return outcome;
      },
      [lockOf(email)],
    );
  }

  async markUnsubscribed(emails: readonly string[], at: string): Promise<number> {
    if (!emails.length) return 0;
    return this.db.run(sql`UPDATE subscribers SET status = 'unsubscribed', confirm_nonce = NULL, unsubscribed_at = ${at}, updated_at = ${at}
      WHERE email IN (${join(emails.map(addressKey))}) AND status <> 'unsubscribed'`);
  }

  async setTopics(email: string, topics: readonly string[], change: TopicChange): Promise<boolean> {
    const columns = topicColumns(topics, change.at, change.source);
    return (
      (await this.db.run(
        sql`UPDATE subscribers SET topics = ${columns.topics}, topics_at = ${change.at}, topics_source = ${change.source}, updated_at = ${change.at}
            WHERE email = ${addressKey(email)}`,
      )) === 1
    );
  }

  async dropTopic(email: string, topic: string, defaults: readonly string[], change: TopicChange): Promise<boolean> {
    return this.db.tx(
      async (t) => {
        const row = await this.row(t, email);
        if (!row) return false;
        const now = parseTopics(row.topics) ?? [...defaults];
        if (!now.includes(topic) && row.topics !== null) return true;
        await this.write(t, {
          ...row,
          ...topicColumns(
            now.filter((x) => x !== topic),
            change.at,
            change.source,
          ),
          updated_at: change.at,
        });
        return true;
      },
      [lockOf(email)],
    );
  }

  async confirmedPage(after: string, limit: number): Promise<Subscriber[]> {
    const rows = await this.db.all<SubscriberRecord>(
      sql`${SELECT} WHERE status = 'confirmed' AND email > ${after}
          AND NOT EXISTS (SELECT 1 FROM suppressed x WHERE x.email = subscribers.email) ORDER BY email LIMIT ${limit}`,
    );
    return rows.map(toSubscriber);
  }

  async takeLimits(checks: readonly LimitCheck[], nowMs: number): Promise<LimitCheck | undefined> {
    // events older than every window are of no use: dropped as we go, so the table stays small
    const oldest = nowMs - Math.max(86_400_000, ...checks.map((c) => c.windowMs));
    return this.db.tx(
      async (t) => {
        for (const c of checks) {
          const { n } = (await t.get<{ n: number }>(
            sql`SELECT count(*) AS n FROM subscribe_limits WHERE key = ${c.key} AND at > ${nowMs - c.windowMs}`,
          ))!;
          if (n >= c.max) return c;
        }
        for (const key of new Set(checks.map((c) => c.key)))
          await t.run(sql`INSERT INTO subscribe_limits (key, at) VALUES (${key}, ${nowMs})`);
        await t.run(sql`DELETE FROM subscribe_limits WHERE at < ${oldest}`);
        return undefined;
      },
      ["rassylka:subscribe_limits"],
    );
  }
}
