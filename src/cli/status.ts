import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { describeStatus } from "../campaign/campaign.js";
import { type CampaignStats, readCampaignStats } from "../campaign/stats.js";
import { loadConfig } from "../config/load.js";
import { isRassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { parseIssue } from "../issue/load.js";
import { loadProject, resolveIssueFile } from "../project/project.js";
import { SendsayClient, sendsayCredentials } from "../sendsay/client.js";
import type { BounceCounts } from "../state/bounces.js";
import type { CampaignStore } from "../state/campaigns.js";
import type { InvalidListRow, LedgerFailure, LedgerStore, WorkerInfo } from "../state/ledger.js";
import { isPostgresUrl, stateLocation } from "../state/location.js";
import { openStore } from "../state/store.js";
import { type Io, replyText } from "./print.js";
import { describeStats } from "./sendsay.js";

/** `rassylka status [issue]`: the ledger's counts and failures for one issue (or every issue it knows). */
export interface StatusFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export interface IssueStatus {
  issue: string;
  subject?: string;
  counts: { total: number; sent: number; failed: number; pending: number; suppressed: number; invalid: number; duplicates: number };
  failures: { email: string; code: number | null; message: string }[];
  /** The list's rows of the latest run that are not addresses (the send's summary names only the first ones). */
  invalidRows: InvalidListRow[];
  /** Readers sent again after a process died while their message was in flight (they may have it twice). */
  resent: { count: number; readers: { email: string; times: number }[] };
  updatedAt?: string;
  /** Every worker that sent the issue (several when a send was shared), with what each delivered. */
  workers: WorkerInfo[];
  /** The issue's latest Sendsay campaign, with its figures read from Sendsay (see campaignStatus). */
  campaign?: CampaignStatus;
}

export interface CampaignStatus {
  groupId: string;
  trackId: string | null;
  state: string;
  trackStatus: number | null;
  updatedAt: string;
  /** Sendsay's figures (stat.uni); null when not read or not counted yet. */
  stats: CampaignStats | null;
  statsError?: string;
}

/** The latest campaign of an issue, its figures read from Sendsay when the key and login are there. */
async function campaignStatus(
  campaigns: CampaignStore,
  slug: string,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<CampaignStatus | undefined> {
  const row = (await campaigns.all(slug)).filter((r) => r.state !== "rejected").pop();
  if (!row) return undefined;
  const status: CampaignStatus = {
    groupId: row.groupId,
    trackId: row.trackId,
    state: row.state,
    trackStatus: row.trackStatus,
    updatedAt: row.updatedAt,
    stats: null,
  };
  if (!row.trackId) return status;
  let client: SendsayClient | undefined;
  try {
    const config = await loadConfig(root).then(
      (c) => c.config,
      () => undefined,
    );
    client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3 });
    status.stats = await readCampaignStats(client, row.trackId);
  } catch (error) {
    const reason = isRassylkaError(error) ? (error.diagnostics[0]?.message ?? error.message) : (error as Error).message;
    status.statsError = client ? client.mask(reason) : reason;
  }
  return status;
}

export async function issueStatus(ledger: LedgerStore, slug: string): Promise<IssueStatus> {
  const run = await ledger.getRun(slug);
  const c = await ledger.counts(slug);
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
      message: f.message,
    })),
    invalidRows: await ledger.invalidRows(slug),
    resent: { count: await ledger.resentCount(slug), readers: await ledger.resent(slug, 100_000) },
    workers: await ledger.workers(slug),
    updatedAt: run?.updatedAt,
  };
}

/** A slug the ledger knows, or an issue file / slug resolved to its slug. */
async function slugOf(root: string, ref: string, ledger: LedgerStore, campaigns: CampaignStore): Promise<string> {
  if ((await ledger.getRun(ref)) || (await campaigns.all(ref)).length) return ref;
  const project = await loadProject(root);
  const file = await resolveIssueFile(project.root, ref);
  const { issue } = parseIssue(await readFile(file, "utf8"), relative(project.root, file), project.config.config);
  return issue?.slug ?? ref;
}

export async function runStatus(
  ref: string | undefined,
  flags: StatusFlags,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const root = resolve(flags.root);
  const flag = flags.state && !isPostgresUrl(flags.state) ? resolve(flags.state) : flags.state;
  const store = await openStore(stateLocation(root, flag, env));
  try {
    const ledger = store.ledger;
    const slugs = ref
      ? [await slugOf(root, ref, ledger, store.campaigns)]
      : (await ledger.issues()).map((r) => r.issue).filter((s) => !s.includes(":"));
    const all: IssueStatus[] = [];
    for (const s of slugs) all.push(await issueStatus(ledger, s));
    // bounces and complaints that came back after the send (src/state/bounces.ts)
    for (const s of all) Object.assign(s.counts, await store.bounces.counts(s.issue));
    // a campaign's figures are Sendsay's: read only for the issue asked about
    if (ref && all[0]) all[0].campaign = await campaignStatus(store.campaigns, all[0].issue, root, env);
    if (flags.json) {
      io.out(JSON.stringify(ref ? all[0] : all, null, 2));
      return 0;
    }
    if (!all.length) io.out("Nothing sent yet (the ledger is empty).");
    for (const s of all) {
      const c = s.counts;
      io.out(`${s.issue}${s.subject ? ` «${s.subject}»` : ""}${s.updatedAt ? ` (last run ${s.updatedAt})` : ""}`);
      const campaign = s.campaign;
      if (campaign) {
        const track = campaign.trackId ? `track ${campaign.trackId}, ${describeStatus(campaign.trackStatus ?? 0)}` : "no track id";
        io.out(`  Sendsay campaign to list "${campaign.groupId}": ${campaign.state} (${track}, ${campaign.updatedAt})`);
        if (campaign.trackId) io.out(`  ${describeStats(campaign.stats, campaign.statsError)}`);
        if (!c.total) continue;
      }
      if (!c.total) io.out("  not sent yet");
      io.out(
        `  total ${c.total} · sent ${c.sent} · failed ${c.failed} · pending ${c.pending} · suppressed ${c.suppressed} · invalid ${c.invalid} · duplicates ${c.duplicates}`,
      );
      for (const f of s.failures.slice(0, 100)) io.out(`  ✗ ${f.email} — ${replyText(f.code, f.message)}`);
      if (s.failures.length > 100) io.out(`  … and ${s.failures.length - 100} more (--json lists all)`);
      if (s.invalidRows.length) io.out("  invalid addresses in the list (skipped):");
      for (const r of s.invalidRows.slice(0, 100)) io.out(`    line ${r.line}: "${r.address}" — ${r.reason}`);
      if (s.invalidRows.length > 100) io.out(`  … and ${s.invalidRows.length - 100} more (--json lists all)`);
      if (s.resent.count) {
        io.out(`  resent after a crash: ${s.resent.count} (in flight when a process died, sent again: they may have it twice)`);
        for (const r of s.resent.readers.slice(0, 100)) io.out(`  ↻ ${r.email}${r.times > 1 ? ` (${r.times}×)` : ""}`);
        if (s.resent.count > 100) io.out(`  … and ${s.resent.count - 100} more (--json lists all)`);
      }
      const b = c as Partial<BounceCounts>;
      if (b.bounced || b.softBounced || b.complained)
        io.out(`  after the send: bounced ${b.bounced} · soft bounces ${b.softBounced} · complained ${b.complained} (docs/bounces.md)`);
      if (s.workers.length > 1 || s.workers.some((w) => w.live)) {
        io.out(`  workers: ${s.workers.length}`);
        for (const w of s.workers) {
          const state = w.live ? "sending now" : w.ended ? "finished" : "gone (its lease ran out)";
          io.out(
            `    ${w.worker} (run ${w.runId}, ${state}, last seen ${w.updatedAt}): sent ${w.sent} · failed ${w.failed} · suppressed ${w.suppressed} · resent ${w.resent}`,
          );
        }
      }
      if (c.pending) io.out(`  ${c.pending} pending: re-run the same \`rassylka send\` to resume`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

export function registerStatus(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("status")
    .description(t("cli:command.status"))
    .argument("[issue]", "issue file or slug")
    .option("--state <file|url>", "the state: a SQLite file or postgres://… (default: $RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option(
      "--json",
      "print as JSON: { issue, counts: { total, sent, failed, pending, suppressed, invalid, duplicates, bounced, softBounced, complained }, failures: [{ email, code, message }], invalidRows: [{ line, address, reason }], resent: { count, readers: [{ email, times }] }, workers: [{ worker, host, pid, runId, live, ended, sent, failed, suppressed, resent }], campaign?: { groupId, trackId, state, trackStatus, stats: { members, delivered, undelivered, opened, clicked, unsubscribed } | null } }",
    )
    .action(async (issue: string | undefined, flags: StatusFlags) => setCode(await runStatus(issue, flags, io)));
}
