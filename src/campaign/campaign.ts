import type { NewsletterConfig } from "../config/schema.js";
import { type Diagnostic, errorMessage, errorMessageInEnglish, RassylkaError } from "../diagnostics.js";
import { type Translator, t, tr } from "../i18n/index.js";
import { abTestOf } from "../issue/ab-test.js";
import { type SendsayLetter, toSendsayLetter } from "../message/message.js";
import { createPersonaliser } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { SendsayApiError, type SendsayClient, SendsayTransportError } from "../sendsay/client.js";
import type { CampaignRow, CampaignState, CampaignStore } from "../state/campaigns.js";
import { sha256 } from "../util/fs.js";
import {
  type CampaignLetterParts,
  literalToProscript,
  MEMBER_EMAIL,
  type SourceFile,
  toProscript,
  UNSET_IN_CAMPAIGN,
  UNSUBSCRIBE_DIRECTIVE,
} from "./proscript.js";
import { readSplit, SPLIT_PREFIX, type SplitDecision, type SplitRequest, splitRefused, splitRequest } from "./split.js";
import { type CampaignStats, readCampaignStats } from "./stats.js";
import { campaignTarget } from "./topic-list.js";

/**
 * Campaign mode: one `issue.send` to a Sendsay list (group), which Sendsay fans out on its own
 * infrastructure, then `track.get` polled until the track's `obj.status` is final:
 *   -1 done · -2 error · -3 cancelled · other negative values: deferred or under moderation · 0…6 in progress
 *
 * A send mode of its own beside the engine (src/send/engine.ts), not a transport. Its records (table
 * `sendsay_campaigns` in the state store, src/state/campaigns.ts) make it crash-safe the other way round
 * from the per-recipient ledger: the row says "submitting" (committed: synchronous=FULL on SQLite, a committed statement on PostgreSQL) before the
 * request leaves, and gets the track id right after. A row still "submitting" means the process died or
 * the answer was lost mid-request: Sendsay may or may not have the campaign, so it is never submitted
 * again automatically — the editor checks the account and re-runs with --force.
 */

/**
 * Subscriber fields Sendsay fills itself in a campaign, not reader data: `email` is the member's address
 * (`[% anketa.member.email %]`), `unsubscribeUrl` Sendsay's own unsubscribe link (`[% param.url_unsub %]`).
 * Every other field needs a mapping in `sendsay.fields` (src/campaign/proscript.ts).
 */
export const OWN_SUBSCRIBER_FIELDS = ["unsubscribeUrl", "email"];
// where rassylka's own rendering (--without-subscriber-fields) put these two: replaced by PROScript
const EMAIL_MARKER = "rsksendsayemailmarkerz";
const UNSUBSCRIBE_MARKER = "rsksendsayunsubscribemarkerz";

export type CampaignConfig = Pick<NewsletterConfig, "from" | "replyTo" | "unsubscribe" | "sendsay">;

export interface LetterOptions {
  /** Send with reader fields empty (the templates' fallbacks) instead of translating them. */
  withoutFields?: boolean;
  /** The issue's file and the templates, to name the line of a tag that cannot be translated. */
  sources?: SourceFile[];
}

/**
 * Both parts (and the subject) of the one letter every list member gets, in PROScript: subscriber tags
 * translated, unsubscribe links Sendsay's, literal `[%` escaped. Throws, naming every tag that cannot be
 * translated with its file, line and fix, before anything is submitted.
 */
export function campaignParts(compiled: CompiledIssue, config: CampaignConfig, options: LetterOptions = {}): CampaignLetterParts {
  if (options.withoutFields) {
    const filled = createPersonaliser(compiled).render({ email: EMAIL_MARKER, unsubscribeUrl: UNSUBSCRIBE_MARKER });
    return literalToProscript(
      compiled,
      filled,
      { [EMAIL_MARKER]: MEMBER_EMAIL, [UNSUBSCRIBE_MARKER]: UNSUBSCRIBE_DIRECTIVE },
      config.unsubscribe,
    );
  }
  const result = toProscript(compiled, { fields: config.sendsay?.fields ?? {}, unsubscribe: config.unsubscribe, sources: options.sources });
  if (result.problems.length) throw new RassylkaError(result.problems);
  return { html: result.html, text: result.text, subject: result.subject };
}

/** The reader-data fields an issue reads (not `email` or `unsubscribeUrl`). */
export function readerFields(compiled: CompiledIssue): string[] {
  return compiled.subscriberFields.filter((f) => !OWN_SUBSCRIBER_FIELDS.includes(f) && !UNSET_IN_CAMPAIGN.includes(f)).sort();
}

/** Refuse, before anything is submitted, an issue whose subscriber tags cannot become PROScript. */
export function assertCampaignable(compiled: CompiledIssue, config: CampaignConfig, options: LetterOptions = {}): void {
  campaignParts(compiled, config, options);
}

/** The letter of an issue as Sendsay's issue.send takes it (src/message builds it for every Sendsay path). */
export function letterFor(
  compiled: CompiledIssue,
  config: Pick<NewsletterConfig, "from" | "replyTo">,
  parts: { html: string; text: string },
  subject = compiled.subject,
): SendsayLetter {
  return toSendsayLetter({ subject, from: config.from, replyTo: config.replyTo, ...parts });
}

/**
 * The exact issue.send body of a campaign. An A/B test of subjects goes to Sendsay's split test instead
 * (sendsayRequest); issue.send would send the first subject to the whole list, so it is refused here — the
 * case left is a campaign handed to Sendsay for later (`schedule push`), which the split test does not serve.
 */
export function campaignRequest(compiled: CompiledIssue, config: CampaignConfig, groupId: string, options: LetterOptions = {}) {
  if (abTestOf(compiled))
    throw new RassylkaError({
      ruleId: "sendsay/ab-test",
      severity: "error",
      file: compiled.source,
      field: "subject",
      message: t("ab:sendsayCampaign"),
      fix: t("ab:sendsayCampaign.fix"),
    });
  const parts = campaignParts(compiled, config, options);
  return {
    action: "issue.send" as const,
    letter: letterFor(compiled, config, parts, parts.subject),
    group: groupId,
    sendwhen: "now",
  };
}

/** What a list campaign sends now: issue.send, or for an A/B test of subjects Sendsay's split test (src/campaign/split.ts). */
export function sendsayRequest(
  compiled: CompiledIssue,
  config: CampaignConfig,
  groupId: string,
  options: LetterOptions = {},
): ReturnType<typeof campaignRequest> | SplitRequest {
  const test = abTestOf(compiled);
  if (!test) return campaignRequest(compiled, config, groupId, options);
  const parts = campaignParts(compiled, config, options);
  return splitRequest(groupId, letterFor(compiled, config, parts, parts.subject), test);
}

export type TrackPhase = "in-progress" | "done" | "error" | "cancelled" | "waiting";

export function trackPhase(status: number): TrackPhase {
  if (status === -1) return "done";
  if (status === -2) return "error";
  if (status === -3) return "cancelled";
  if (status < 0) return "waiting";
  return "in-progress";
}

/** A track status in words, in the editor's language (or `w`'s). */
export function describeStatus(status: number, w: Translator = tr()): string {
  const phase = trackPhase(status);
  if (phase === "in-progress") return w.t(status === 0 ? "sendsay:status.accepted" : "sendsay:status.running", { status });
  return w.t(`sendsay:status.${phase}`, { status });
}

export type CampaignEvent =
  /** `topic`: the issue's topic chose the list (sendsay.topics, or the issue's own `audience: {sendsay}`). */
  | { type: "submitting"; groupId: string; topic?: string; via?: "topic" | "issue" }
  | { type: "submitted"; trackId: string }
  | { type: "resuming"; trackId: string; since: string }
  | { type: "status"; trackId: string; status: number; text: string; elapsedMs: number; obj: Record<string, unknown> };

export interface CampaignOptions {
  client: SendsayClient;
  /** The campaign records of the state store (`Store.campaigns`: SQLite or PostgreSQL). */
  campaigns: CampaignStore;
  compiled: CompiledIssue;
  config: CampaignConfig;
  /** The list asked for; an issue with `topic:` goes to its topic's list instead (src/campaign/topic-list.ts). */
  groupId: string;
  /** The issue's file and the templates, for the file and line of a tag that cannot be translated. */
  sources?: SourceFile[];
  /** Submit even when an earlier attempt is in doubt or already sent. */
  force?: boolean;
  /** Send with subscriber fields empty instead of refusing. */
  withoutFields?: boolean;
  /** Between track.get calls; default 5000 ms. */
  pollIntervalMs?: number;
  onEvent?: (event: CampaignEvent) => void;
  /** Asked right before a new submission (not when following an earlier one); false: nothing is sent. */
  confirm?: (info: { subject: string; groupId: string; login: string }) => Promise<boolean>;
  /** Stops polling (Ctrl-C): the campaign goes on in Sendsay; re-running follows it again. */
  signal?: AbortSignal;
}

export interface CampaignOutcome {
  issue: string;
  groupId: string;
  trackId: string | null;
  /** Last track status seen, if any. */
  status: number | null;
  phase: TrackPhase | "detached" | "untracked" | "declined" | "split";
  /** An A/B test handed to Sendsay's split test: its state and winner as Sendsay answers them (phase "split"). */
  split?: SplitDecision;
  /** True when this run submitted the campaign (false: it followed an earlier submission). */
  submitted: boolean;
  /** Sendsay's error text of a track that ended in error. */
  error?: string;
  /** Why a campaign is "detached" (no longer followed): an abort or a track that could not be read. */
  detachedReason?: "aborted" | "unreadable" | "no-status";
  /** The underlying error text, in English, when the track could not be read (secrets masked). */
  detail?: string;
  /** Sendsay's figures of a finished campaign (stat.uni); null: not counted yet. */
  stats?: CampaignStats | null;
  /** Why the figures could not be read (the campaign itself is done), in English. */
  statsError?: string;
  /** `detail` or `statsError` in the editor's language (the only one of them that changes with it). */
  note?: string;
}

/** A track or a split that could not be read: the error in English for scripts, and in the editor's language. */
function unreadable(client: SendsayClient, error: unknown): { detail: string; note: string } {
  return { detail: client.mask(errorMessageInEnglish(error)), note: client.mask(errorMessage(error)) };
}

function issueKey(compiled: CompiledIssue): string {
  return compiled.slug;
}

function contentHash(request: { letter: SendsayLetter; group: string }): string {
  return sha256(JSON.stringify(request.letter), request.group);
}

function inDoubtError(row: CampaignRow, groupId: string, compiled: CompiledIssue): RassylkaError {
  const d: Diagnostic = {
    ruleId: "sendsay/campaign-in-doubt",
    severity: "error",
    message: t("sendsay:campaign.inDoubt", { group: groupId, at: row.createdAt, error: row.error ? ` (${row.error})` : "" }),
    file: compiled.source,
    fix: t("sendsay:campaign.inDoubt.fix"),
  };
  return new RassylkaError(d);
}

/** Submit (or resume following) a campaign and poll its track to a final status. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignOutcome> {
  const { client, compiled } = options;
  const ledger = options.campaigns;
  const issue = issueKey(compiled);
  // a topic's issue goes to its topic's list, or is refused here, before anything is recorded or submitted
  const target = campaignTarget(compiled, options.config, options.groupId, options.sources?.find((s) => s.file === compiled.source)?.text);
  const groupId = target.groupId;
  // translated (or refused) before anything is recorded or submitted
  const request = sendsayRequest(compiled, options.config, groupId, { withoutFields: options.withoutFields, sources: options.sources });
  const hash = contentHash(request);
  const previous = await ledger.latest(issue, groupId, client.login);

  let rowId: number;
  let trackId: string | null;
  let submitted = false;
  if (previous && !options.force && previous.state === "submitting") throw inDoubtError(previous, groupId, compiled);
  if (previous && !options.force && previous.trackId?.startsWith(SPLIT_PREFIX) && request.action === "issue.split.create") {
    // a split test runs in Sendsay on its own: a second run reads its decision back, never creates it again
    options.onEvent?.({ type: "resuming", trackId: previous.trackId, since: previous.createdAt });
    return splitOutcome(client, previous.trackId, request, issue, groupId, false);
  }
  if (previous && !options.force && (previous.state === "submitted" || previous.state === "waiting") && previous.trackId) {
    rowId = previous.id;
    trackId = previous.trackId;
    options.onEvent?.({ type: "resuming", trackId, since: previous.createdAt });
  } else {
    if (previous && !options.force) {
      const when = previous.updatedAt;
      throw new RassylkaError({
        ruleId: "sendsay/campaign-exists",
        severity: "error",
        message: t("sendsay:campaign.exists", {
          group: groupId,
          track: previous.trackId ? t("sendsay:track", { id: previous.trackId }) : t("sendsay:campaign.noTrack"),
          status: describeStatus(previous.trackStatus ?? 0),
          when,
        }),
        file: compiled.source,
        fix: t("sendsay:campaign.exists.fix"),
      });
    }
    if (options.confirm && !(await options.confirm({ subject: request.letter.subject, groupId, login: client.login }))) {
      return { issue, groupId, trackId: null, status: null, phase: "declined", submitted: false };
    }
    rowId = await ledger.begin(issue, groupId, client.login, hash, request.letter.subject);
    options.onEvent?.({ type: "submitting", groupId, ...(target.via !== "given" ? { topic: target.topic, via: target.via } : {}) });
    let answer: Record<string, unknown>;
    try {
      answer = await client.request(request, { idempotent: false });
    } catch (error) {
      if (error instanceof SendsayApiError || (error instanceof SendsayTransportError && !error.inDoubt)) {
        // Refused or never reached Sendsay: nothing was sent, a later run may submit again.
        await ledger.update(rowId, { state: "rejected", error: error instanceof SendsayApiError ? error.errorId : error.message });
        // a refused split test stops the send: the list never gets issue.send with one subject instead
        if (error instanceof SendsayApiError && request.action === "issue.split.create" && error.kind !== "auth")
          throw splitRefused(error, compiled.source, groupId);
        throw error;
      }
      if (error instanceof SendsayTransportError) {
        await ledger.update(rowId, { error: client.mask(error.diagnostics[0]?.message ?? error.message) });
        const row = (await ledger.latest(issue, groupId, client.login))!;
        throw inDoubtError(row, groupId, compiled);
      }
      throw error;
    }
    submitted = true;
    if (request.action === "issue.split.create") {
      const splitId = answer.id === undefined || answer.id === null ? "" : String(answer.id);
      await ledger.update(rowId, { state: "submitted", trackId: `${SPLIT_PREFIX}${splitId}` });
      options.onEvent?.({ type: "submitted", trackId: `${SPLIT_PREFIX}${splitId}` });
      return splitOutcome(client, `${SPLIT_PREFIX}${splitId}`, request, issue, groupId, true);
    }
    const raw = answer["track.id"];
    trackId = raw === undefined || raw === null || raw === "" ? null : String(raw);
    if (!trackId) {
      await ledger.update(rowId, { state: "submitted" });
      return {
        issue,
        groupId,
        trackId: null,
        status: null,
        phase: "untracked",
        submitted,
      };
    }
    await ledger.update(rowId, { state: "submitted", trackId });
    options.onEvent?.({ type: "submitted", trackId });
  }

  return follow(options, ledger, rowId, trackId, submitted, issue, groupId);
}

/** The split test read back (issue.split.get); an answer that cannot be read leaves it recorded, not followed. */
async function splitOutcome(
  client: SendsayClient,
  key: string,
  request: SplitRequest,
  issue: string,
  groupId: string,
  submitted: boolean,
): Promise<CampaignOutcome> {
  const base = { issue, groupId, trackId: key, status: null, submitted };
  try {
    const subjects = request.variants.map((v) => v.subject);
    return { ...base, phase: "split", split: await readSplit(client, key.slice(SPLIT_PREFIX.length), subjects) };
  } catch (error) {
    if (error instanceof SendsayApiError && error.kind === "auth") throw error;
    return { ...base, phase: "detached", detachedReason: "unreadable", ...unreadable(client, error) };
  }
}

async function follow(
  options: CampaignOptions,
  ledger: CampaignStore,
  rowId: number,
  trackId: string,
  submitted: boolean,
  issue: string,
  groupId: string,
): Promise<CampaignOutcome> {
  const { client } = options;
  const interval = options.pollIntervalMs ?? 5000;
  const started = Date.now();
  let last: number | null = null;
  const base = { issue, groupId, trackId, submitted };
  for (;;) {
    if (options.signal?.aborted) return { ...base, status: last, phase: "detached", detachedReason: "aborted" };
    let obj: Record<string, unknown>;
    try {
      const answer = await client.request<{ obj?: Record<string, unknown> }>({ action: "track.get", id: trackId }, { idempotent: true });
      obj = answer.obj ?? {};
    } catch (error) {
      if (error instanceof SendsayApiError && error.kind === "auth") throw error;
      return { ...base, status: last, phase: "detached", detachedReason: "unreadable", ...unreadable(client, error) };
    }
    const status = Number(obj.status);
    if (!Number.isFinite(status)) return { ...base, status: last, phase: "detached", detachedReason: "no-status" };
    if (status !== last) {
      last = status;
      await ledger.update(rowId, { trackStatus: status });
    }
    options.onEvent?.({ type: "status", trackId, status, text: describeStatus(status), elapsedMs: Date.now() - started, obj });
    const phase = trackPhase(status);
    if (phase !== "in-progress") {
      const error = obj.error === undefined || obj.error === null || obj.error === "" ? undefined : String(obj.error);
      const state: CampaignState =
        phase === "done" ? "done" : phase === "error" ? "failed" : phase === "cancelled" ? "cancelled" : "waiting";
      await ledger.update(rowId, { state, error: error ?? null });
      if (phase !== "done") return { ...base, status, phase, error };
      try {
        return { ...base, status, phase, error, stats: await readCampaignStats(client, trackId) };
      } catch (e) {
        return {
          ...base,
          status,
          phase,
          error,
          stats: null,
          statsError: client.mask(errorMessageInEnglish(e)),
          note: client.mask(errorMessage(e)),
        };
      }
    }
    await wait(interval, options.signal);
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
