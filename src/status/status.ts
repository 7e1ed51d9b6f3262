import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { readSplit, SPLIT_PREFIX, type SplitDecision } from "../campaign/split.js";
import { type CampaignStats, readCampaignStats } from "../campaign/stats.js";
import { loadConfig } from "../config/load.js";
import { errorMessage, errorMessageInEnglish } from "../diagnostics.js";
import { noteText } from "../i18n/notes.js";
import { parseIssue } from "../issue/load.js";
import { loadProject, resolveIssueFile } from "../project/project.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import type { AbSummary } from "../state/ab.js";
import type { BounceCounts } from "../state/bounces.js";
import type { CampaignStore } from "../state/campaigns.js";
import { type InvalidListRow, type LedgerFailure, type LedgerStore, TRIAL_PREFIX, trialKey, type WorkerInfo } from "../state/ledger.js";
import type { StateLocation } from "../state/location.js";
import { openStore, type Store } from "../state/store.js";

export type { BounceCounts };

/** `rassylka status [issue]`: what the ledger knows of one issue (or of every issue it knows). */
export interface IssueStatus {
  issue: string;
  subject?: string;
  /** Who the send went to, as recorded when it started (`--subscribers --audience x (topic y)`, the CSV's path); docs/audiences.md. */
  audience?: string;
  counts: { total: number; sent: number; failed: number; pending: number; suppressed: number; invalid: number; duplicates: number };
  failures: { email: string; code: number | null; message: string }[];
  /** The list's rows of the latest run that are not addresses (the send's summary names only the first ones). */
  invalidRows: InvalidListRow[];
  /** Readers sent again after a process died while their message was in flight (they may have it twice). */
  resent: { count: number; readers: { email: string; times: number }[] };
  updatedAt?: string;
  /**
   * Every worker that sent the issue (several when a send was shared), with what each delivered. A worker
   * that stopped before it sent anything (killed while reading its list) is none.
   */
  workers: WorkerInfo[];
  /** The runs of the real send, each with its transport and what its workers delivered. */
  runs: RunStatus[];
  /** The latest trial (a send to the outbox): apart from the real send, never counted as delivery. */
  trial?: TrialStatus;
  /** An A/B test of subjects: each variant's figures, the readers held, the decision (docs/ab-testing.md). */
  ab?: AbSummary;
  /** The issue's latest Sendsay campaign, with its figures read from Sendsay (see campaignStatus). */
  campaign?: CampaignStatus;
}

export interface RunStatus {
  runId: number;
  /** How it delivered; null for runs before migration 7. */
  transport: string | null;
  /** `sending`: a worker is sending now; `stopped`: none is and one vanished (killed, its lease ran out). */
  state: "sending" | "finished" | "stopped";
  startedAt: string;
  sent: number;
  failed: number;
  /** Readers its stopped workers held in flight: they may have the issue; the next run resends and reports them. */
  inFlight: number;
}

export interface TrialStatus {
  transport: string | null;
  /** `sent`: messages written (to the outbox), not delivered. */
  counts: { total: number; sent: number; failed: number; pending: number; suppressed: number };
  updatedAt: string;
}

export interface CampaignStatus {
  groupId: string;
  trackId: string | null;
  state: string;
  trackStatus: number | null;
  updatedAt: string;
  /** For a campaign `schedule push` handed Sendsay: when Sendsay sends it (ISO, UTC); its figures are read after it. */
  sendAt?: string;
  /** Sendsay's figures (stat.uni); null when not read or not counted yet (a scheduled campaign before its time). */
  stats: CampaignStats | null;
  /** Whether Sendsay was asked for the figures (not without a track id). */
  asked: boolean;
  /** Why the figures could not be read, in English (scripts read it); `note` says it in the editor's language. */
  statsError?: string;
  note?: string;
  /** An A/B test handed to Sendsay's split test: its state and winner read back (issue.split.get). */
  split?: SplitDecision;
}

/**
 * The latest campaign of an issue, its figures read from Sendsay when the key and login are there: a
 * campaign `send` made (sendsay_campaigns), else one `schedule push` handed Sendsay for later (a
 * `{sendsay: group}` audience, docs/schedule.md), whose figures Sendsay has once its time has come.
 */
async function campaignStatus(store: Store, slug: string, root: string, env: NodeJS.ProcessEnv): Promise<CampaignStatus | undefined> {
  const row = (await store.campaigns.all(slug)).filter((r) => r.state !== "rejected").pop();
  const scheduled = row ? undefined : await store.schedule.get(slug);
  const group = scheduled?.sendsayIssueId ? (JSON.parse(scheduled.audience) as { sendsay?: string }).sendsay : undefined;
  const status: CampaignStatus | undefined = row
    ? {
        groupId: row.groupId,
        trackId: row.trackId,
        state: row.state,
        trackStatus: row.trackStatus,
        updatedAt: row.updatedAt,
        stats: null,
        asked: false,
      }
    : scheduled && group !== undefined
      ? {
          groupId: group,
          trackId: scheduled.sendsayIssueId,
          state: scheduled.state,
          trackStatus: null,
          updatedAt: scheduled.updatedAt,
          sendAt: scheduled.sendAt,
          stats: null,
          asked: false,
        }
      : undefined;
  // a scheduled campaign's figures are there once Sendsay sent it (stat.uni has no row for it before)
  if (!status?.trackId) return status;
  let client: SendsayClient | undefined;
  status.asked = true;
  try {
    const config = await loadConfig(root).then(
      (c) => c.config,
      () => undefined,
    );
    client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3 });
    if (status.trackId.startsWith(SPLIT_PREFIX)) status.split = await readSplit(client, status.trackId.slice(SPLIT_PREFIX.length));
    else status.stats = await readCampaignStats(client, status.trackId);
  } catch (error) {
    const mask = (text: string) => (client ? client.mask(text) : text);
    status.statsError = mask(errorMessageInEnglish(error));
    status.note = mask(errorMessage(error));
  }
  return status;
}

/** A worker's state as `status` says it. */
function workerState(w: WorkerInfo): RunStatus["state"] {
  return w.live ? "sending" : w.ended ? "finished" : "stopped";
}

/** The workers grouped by run, oldest first. */
function runsOf(workers: readonly WorkerInfo[]): RunStatus[] {
  const runs = new Map<number, RunStatus>();
  for (const w of workers) {
    const run = runs.get(w.runId) ?? {
      runId: w.runId,
      transport: w.transport,
      state: "finished",
      startedAt: w.startedAt,
      sent: 0,
      failed: 0,
      inFlight: 0,
    };
    run.sent += w.sent;
    run.failed += w.failed;
    const state = workerState(w);
    if (state === "stopped") run.inFlight += w.inFlight;
    if (state === "sending" || (state === "stopped" && run.state === "finished")) run.state = state;
    if (w.startedAt < run.startedAt) run.startedAt = w.startedAt;
    run.transport ??= w.transport;
    runs.set(w.runId, run);
  }
  return [...runs.values()].sort((a, b) => a.runId - b.runId);
}

async function trialStatus(ledger: LedgerStore, slug: string): Promise<TrialStatus | undefined> {
  const key = trialKey(slug);
  const run = await ledger.getRun(key);
  if (!run) return undefined;
  const c = await ledger.counts(key, run.runId);
  return {
    transport: run.transport,
    counts: { total: c.total, sent: c.sent, failed: c.failed, pending: c.pending, suppressed: c.suppressed },
    updatedAt: run.updatedAt,
  };
}

export async function issueStatus(ledger: LedgerStore, slug: string): Promise<IssueStatus> {
  const run = await ledger.getRun(slug);
  const c = await ledger.counts(slug);
  // a worker killed before it sent anything never was one
  const workers = (await ledger.workers(slug)).filter((w) => w.live || w.ended || w.sent + w.failed + w.suppressed + w.inFlight > 0);
  return {
    issue: slug,
    subject: run?.subject,
    counts: {
      total: c.total,
      sent: c.sent,
      failed: c.failed,
      pending: c.pending,
      suppressed: c.suppressed,
      invalid: run?.invalid ?? 0,
      duplicates: run?.duplicates ?? 0,
    },
    failures: (await ledger.failures(slug, undefined, 100_000)).map((f: LedgerFailure) => ({
      email: f.email,
      code: f.code,
      // a note stored as data (a send that gave up) in the reader's language; a server's reply as it came
      message: noteText(f.message),
    })),
    invalidRows: await ledger.invalidRows(slug),
    resent: { count: await ledger.resentCount(slug), readers: await ledger.resent(slug, 100_000) },
    workers,
    runs: runsOf(workers),
    trial: await trialStatus(ledger, slug),
    updatedAt: run?.updatedAt,
  };
}

/** A slug the ledger knows, or an issue file / slug resolved to its slug. */
async function slugOf(root: string, ref: string, ledger: LedgerStore, campaigns: CampaignStore): Promise<string> {
  if ((await ledger.getRun(ref)) || (await ledger.getRun(trialKey(ref))) || (await campaigns.all(ref)).length) return ref;
  const project = await loadProject(root);
  const file = await resolveIssueFile(project.root, ref);
  const { issue } = parseIssue(await readFile(file, "utf8"), relative(project.root, file), project.config.config);
  return issue?.slug ?? ref;
}

/**
 * The status of the issue `ref` names (a slug the ledger knows, an issue file or slug), or of every issue
 * sent when `ref` is undefined; with the bounces counted after the send and, for one issue, its latest
 * Sendsay campaign with Sendsay's figures.
 */
export async function sendStatus(
  location: StateLocation,
  root: string,
  ref: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<IssueStatus[]> {
  const store = await openStore(location);
  try {
    const ledger = store.ledger;
    // the real sends and the trials, one entry per issue (test copies' and dry runs' scratch ledgers are none)
    const known = (await ledger.issues()).map((r) => (r.issue.startsWith(TRIAL_PREFIX) ? r.issue.slice(TRIAL_PREFIX.length) : r.issue));
    const slugs = ref ? [await slugOf(root, ref, ledger, store.campaigns)] : [...new Set(known.filter((s) => !s.includes(":")))];
    const all: IssueStatus[] = [];
    for (const s of slugs) all.push(await issueStatus(ledger, s));
    // bounces and complaints that came back after the send (src/state/bounces.ts)
    for (const s of all) Object.assign(s.counts, await store.bounces.counts(s.issue));
    for (const s of all) s.ab = await store.ab.summary(s.issue);
    for (const s of all) {
      const label = (await store.audiences.of(s.issue))?.label;
      if (label) s.audience = label;
    }
    // a campaign's figures are Sendsay's: read only for the issue asked about
    if (ref && all[0]) all[0].campaign = await campaignStatus(store, all[0].issue, root, env);
    return all;
  } finally {
    await store.close();
  }
}
