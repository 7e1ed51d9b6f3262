import { storeNote } from "../i18n/notes.js";
import { addressKey } from "../identity/address.js";
import { mailtoReaderTag } from "../identity/mailto.js";
import { issueTag, messageIdTag, readerTag, splitToken } from "../identity/verp.js";
import { type BounceEvent, bareMessageId } from "../state/bounces.js";
import type { Store } from "../state/store.js";
import { type ParsedBounce, parseBounce } from "./parse.js";

/**
 * What a bounce does. Each recipient a report names is attributed to a reader and an issue —
 * by the VERP token (envelope headers, or X-Rassylka-Bounce in the quoted original), else by the original
 * Message-ID (the ledger keeps one per reader), else by the original recipient (the latest issue sent to
 * that address) — and then:
 *   hard bounce or complaint → the reader is suppressed at once (reason `bounced` / `complained`, the
 *     status and date in the source) and the bounce is recorded against the issue;
 *   soft bounce → recorded; the reader is suppressed when their last `softLimit` issues all bounced.
 * A message to a reader's own unsubscribe address (`<local>+u-<token>@<domain>`, src/identity/mailto.ts)
 * unsubscribes the reader its token names (reason `unsubscribed`, source `mailto`); a forged token, nobody.
 * A message is processed once: its Message-ID (or a hash of its bytes) is recorded with it, so importing
 * it again changes nothing and counts as a duplicate.
 */
export interface ProcessOptions {
  store: Store;
  /** `newsletterId(config)`. */
  listId: string;
  /** RASSYLKA_SECRET: without it, tokens cannot be resolved (Message-ID and recipient still work). */
  secret?: string;
  /** `bounces.softLimit` in newsletter.yaml. */
  softLimit: number;
  /**
   * `bounces.verp` in newsletter.yaml (default true). With it and the secret, a bounce acts only when it
   * proves it saw our message — a valid token, or the reader's keyed Message-ID; one that names a reader
   * without proof is kept as `unverified` and changes nothing (a forged DSN or ARF report could otherwise
   * unsubscribe anyone).
   */
  verp?: boolean;
  /** `bounces import --trust-unverified`: apply the unverified ones too (also those an earlier import kept). */
  trustUnverified?: boolean;
  /** `unsubscribe.mailto`: messages to a reader's own address of it unsubscribe that reader (src/identity/mailto.ts). */
  unsubscribeMailto?: string;
}

export type Attribution = "token" | "message-id" | "recipient";

export interface RecipientOutcome {
  kind: "hard" | "soft" | "complaint" | "unsubscribe";
  status?: string;
  diagnostic?: string;
  /** The reader (their ledger address key) and the issue, when attributed. */
  email?: string;
  issue?: string;
  via?: Attribution;
  /** The reader was put on the suppression list by this message. */
  suppressed: boolean;
  /** Attributed without proof (no valid token, none of our Message-IDs) with VERP on: kept, not applied. */
  unverified?: boolean;
}

export interface MessageOutcome {
  label: string;
  key: string;
  type: ParsedBounce["type"];
  why?: string;
  /** Processed before: nothing done. */
  duplicate: boolean;
  recipients: RecipientOutcome[];
}

export interface BounceCounts {
  messages: number;
  hard: number;
  soft: number;
  complained: number;
  /** Readers unsubscribed by a message to their own unsubscribe address. */
  unsubscribed: number;
  notBounce: number;
  unattributed: number;
  /** Attributed by the address alone with VERP on: kept for `bounces list --unverified`, not applied. */
  unverified: number;
  duplicates: number;
  suppressed: number;
}

export function emptyCounts(): BounceCounts {
  return {
    messages: 0,
    hard: 0,
    soft: 0,
    complained: 0,
    unsubscribed: 0,
    notBounce: 0,
    unattributed: 0,
    unverified: 0,
    duplicates: 0,
    suppressed: 0,
  };
}

export function addToCounts(counts: BounceCounts, outcome: MessageOutcome): void {
  counts.messages++;
  if (outcome.duplicate) {
    counts.duplicates++;
    return;
  }
  if (outcome.type === "not-bounce") counts.notBounce++;
  for (const r of outcome.recipients) {
    if (!r.email) {
      counts.unattributed++;
      continue;
    }
    if (r.unverified) {
      counts.unverified++;
      continue;
    }
    if (r.kind === "hard") counts.hard++;
    else if (r.kind === "soft") counts.soft++;
    else if (r.kind === "unsubscribe") counts.unsubscribed++;
    else counts.complained++;
    if (r.suppressed) counts.suppressed++;
  }
}

export class BounceProcessor {
  private issues?: string[];
  private issueByTag?: Map<string, string>;
  private readonly readersByIssue = new Map<string, Map<string, string>>();
  private readonly mailtoReadersByIssue = new Map<string, Map<string, string>>();

  constructor(private readonly options: ProcessOptions) {}

  private async knownIssues(): Promise<string[]> {
    this.issues ??= await this.options.store.bounces.ledgerIssues();
    return this.issues;
  }

  /**
   * token → (issue, reader), computing the issues' and readers' tags once per issue: a VERP token's reader
   * half by `readerTag`, a mailto token's by `mailtoReaderTag` (each kept in its own map).
   */
  private async resolveToken(token: string, kind: "verp" | "mailto" = "verp"): Promise<{ issue: string; email: string } | undefined> {
    const { secret, listId, store } = this.options;
    if (!secret) return undefined;
    if (!this.issueByTag) {
      this.issueByTag = new Map();
      for (const issue of await this.knownIssues()) this.issueByTag.set(issueTag(secret, listId, issue), issue);
    }
    const parts = splitToken(token);
    const issue = this.issueByTag.get(parts.issue);
    if (!issue) return undefined;
    const cache = kind === "verp" ? this.readersByIssue : this.mailtoReadersByIssue;
    const tag = kind === "verp" ? readerTag : mailtoReaderTag;
    let readers = cache.get(issue);
    if (!readers) {
      readers = new Map();
      for (const r of await store.bounces.ledgerReaders(issue)) readers.set(tag(secret, listId, issue, r.email), r.email);
      cache.set(issue, readers);
    }
    const email = readers.get(parts.reader);
    return email ? { issue, email } : undefined;
  }

  /** A message to readers' own unsubscribe addresses: each reader a valid token names is unsubscribed; a forged token, nobody. */
  private async unsubscribe(parsed: ParsedBounce, outcome: MessageOutcome): Promise<void> {
    const { store } = this.options;
    for (const token of parsed.unsubscribeTokens ?? []) {
      const who = await this.resolveToken(token, "mailto");
      const result: RecipientOutcome = { kind: "unsubscribe", suppressed: false };
      outcome.recipients.push(result);
      if (!who) continue;
      Object.assign(result, { email: who.email, issue: who.issue, via: "token" });
      // as the one-click page does (src/server/unsubscribe.ts): suppressed, and marked in the subscriber list
      result.suppressed = await store.suppressions.add(who.email, "unsubscribed", "mailto");
      await store.subscribers.markUnsubscribed([who.email], parsed.date);
    }
  }

  private async attribute(
    parsed: ParsedBounce,
    recipient: string | undefined,
    single: boolean,
  ): Promise<{ issue: string; email: string; via: Attribution; verified: boolean } | undefined> {
    const byToken: { issue: string; email: string }[] = [];
    for (const t of parsed.tokens) {
      const r = await this.resolveToken(t);
      if (r) byToken.push(r);
    }
    const key = recipient ? addressKey(recipient) : undefined;
    const match = byToken.find((r) => r.email === key) ?? (single && byToken.length === 1 ? byToken[0] : undefined);
    if (match) return { ...match, via: "token", verified: true };
    if (parsed.originalMessageId && single) {
      const r = await this.options.store.bounces.ledgerMessage(parsed.originalMessageId, await this.knownIssues());
      if (r) return { ...r, via: "message-id", verified: this.ours(parsed.originalMessageId, r) };
    }
    if (key) {
      const [issue] = await this.options.store.bounces.ledgerIssuesOf(key, 1);
      if (issue) return { issue, email: key, via: "recipient", verified: false };
    }
    return undefined;
  }

  /**
   * A Message-ID the ledger sent to this reader, and keyed with the secret (src/identity/verp.ts
   * `messageIdTag`): one made before Message-IDs were keyed is in the ledger too, but anyone could compute it.
   */
  private ours(messageId: string, sent: { issue: string; email: string }): boolean {
    const { secret, listId } = this.options;
    return secret !== undefined && bareMessageId(messageId).startsWith(`${messageIdTag(secret, listId, sent.issue, sent.email)}.`);
  }

  /** With VERP on and the secret, only what proves it saw our message acts (see ProcessOptions.verp). */
  private get needsProof(): boolean {
    return this.options.secret !== undefined && this.options.verp !== false && !this.options.trustUnverified;
  }

  /** Soft bounces in each of the reader's last `softLimit` issues (this one included)? */
  private async softLimitReached(email: string, issue: string): Promise<boolean> {
    const limit = this.options.softLimit;
    const recent = await this.options.store.bounces.ledgerIssuesOf(email, limit);
    if (recent.length < limit) return false;
    const bounced = await this.options.store.bounces.bouncedIn(email, recent);
    bounced.add(issue);
    return recent.every((i) => bounced.has(i));
  }

  async process(raw: Buffer, label: string): Promise<MessageOutcome> {
    const parsed = await parseBounce(raw, { unsubscribeMailto: this.options.unsubscribeMailto });
    const { store } = this.options;
    const outcome: MessageOutcome = { label, key: parsed.key, type: parsed.type, why: parsed.why, duplicate: false, recipients: [] };
    const before = await store.bounces.resultOf(parsed.key);
    // imported before: a duplicate, unless it is trusted now and was kept as unverified then
    const reapply = before !== undefined && this.options.trustUnverified === true && before.split(",").includes("unverified");
    if (before !== undefined && !reapply) return { ...outcome, duplicate: true };
    if (parsed.type === "unsubscribe") {
      await this.unsubscribe(parsed, outcome);
      const result = outcome.recipients.map((r) => (r.email ? "unsubscribed" : "unattributed")).join(",");
      if (!(await store.bounces.record(parsed.key, result, []))) return { ...outcome, duplicate: true, recipients: [] };
      return outcome;
    }
    const events: BounceEvent[] = [];
    const unverified: BounceEvent[] = [];
    const day = parsed.date.slice(0, 10);
    for (const r of parsed.recipients) {
      const who = await this.attribute(parsed, r.recipient ?? parsed.originalTo, parsed.recipients.length === 1);
      const result: RecipientOutcome = { kind: r.kind, status: r.status, diagnostic: r.diagnostic, suppressed: false };
      outcome.recipients.push(result);
      if (!who) continue;
      Object.assign(result, { email: who.email, issue: who.issue, via: who.via });
      // a re-import that trusts what the first one kept: what was verified then was applied then
      if (reapply && who.verified) continue;
      const event = { issue: who.issue, email: who.email, kind: r.kind, status: r.status, diagnostic: r.diagnostic, at: parsed.date };
      if (!who.verified && this.needsProof) {
        result.unverified = true;
        unverified.push(event);
        continue;
      }
      events.push(event);
      // suppressed before the message is recorded: a crash in between re-runs the (harmless) suppression
      // the source is a note (src/i18n/notes.ts): `suppress list` writes it in the editor's language
      const about = { day, issue: who.issue };
      if (r.kind === "complaint") {
        result.suppressed = await store.suppressions.add(
          who.email,
          "complained",
          storeNote("suppress/complaint", { status: r.status ?? "abuse", ...about }),
        );
      } else if (r.kind === "hard") {
        result.suppressed = await store.suppressions.add(
          who.email,
          "bounced",
          storeNote("suppress/bounce", { status: r.status ?? "5.0.0", ...about }),
        );
      } else if (await this.softLimitReached(who.email, who.issue)) {
        const params = { count: this.options.softLimit, status: r.status ?? "4.0.0", ...about };
        result.suppressed = await store.suppressions.add(who.email, "bounced", storeNote("suppress/soft-bounces", params));
      }
    }
    const result =
      parsed.type === "not-bounce"
        ? "not-bounce"
        : outcome.recipients.map((r) => (!r.email ? "unattributed" : r.unverified ? "unverified" : r.kind)).join(",");
    if (!(await store.bounces.record(parsed.key, result || parsed.type, events, unverified, reapply)))
      return { ...outcome, duplicate: true, recipients: [] };
    return outcome;
  }
}
