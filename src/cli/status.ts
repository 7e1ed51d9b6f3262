import { resolve } from "node:path";
import type { Command } from "commander";
import { describeStatus } from "../campaign/campaign.js";
import { t, tr } from "../i18n/index.js";
import { abLines } from "../status/ab.js";
import { type BounceCounts, sendStatus } from "../status/status.js";
import { addressReasons, type Io, replyText } from "./print.js";
import { describeStats } from "./sendsay.js";
import { stateFromFlags } from "./state-flag.js";

/** `rassylka status [issue]`: the ledger's counts and failures for one issue (or every issue it knows). */
export interface StatusFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export async function runStatus(
  ref: string | undefined,
  flags: StatusFlags,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const root = resolve(flags.root);
  const all = await sendStatus(stateFromFlags(flags, env), root, ref, env);
  if (flags.json) {
    io.out(JSON.stringify(ref ? all[0] : all, null, 2));
    return 0;
  }
  if (!all.length) io.out(t("send:status.nothing"));
  // the state's times (ISO, UTC) as the editor reads a date: in the language, on this machine's clock
  const when = (at: string) => tr().date(at, true);
  for (const s of all) {
    const c = s.counts;
    io.out(`${s.issue}${s.subject ? ` «${s.subject}»` : ""}${s.updatedAt ? t("send:status.lastRun", { at: when(s.updatedAt) }) : ""}`);
    const campaign = s.campaign;
    if (campaign) {
      const track = !campaign.trackId
        ? t("send:status.noTrack")
        : campaign.sendAt
          ? t("send:status.scheduledTrack", { id: campaign.trackId, at: when(campaign.sendAt) })
          : t("send:status.track", { id: campaign.trackId, status: describeStatus(campaign.trackStatus ?? 0) });
      io.out(t("send:status.campaign", { group: campaign.groupId, state: campaign.state, track, at: when(campaign.updatedAt) }));
      if (campaign.split)
        io.out(
          `  ${
            campaign.split.winner
              ? t("ab:splitDecided", { group: campaign.groupId, id: campaign.split.splitId, n: campaign.split.winner })
              : t("ab:splitRunning", { group: campaign.groupId, id: campaign.split.splitId, status: campaign.split.status ?? "—" })
          }`,
        );
      else if (campaign.asked) io.out(`  ${describeStats(campaign.stats, campaign.note ?? campaign.statsError)}`);
      if (!c.total) continue;
    }
    if (!c.total) io.out(t("send:status.notSent"));
    if (s.audience) io.out(t("topics:status.audience", { audience: s.audience }));
    io.out(t("send:status.counts", { ...c }));
    if (s.ab) for (const line of abLines(s.ab, s.issue)) io.out(line);
    for (const f of s.failures.slice(0, 100)) io.out(`  ✗ ${f.email} — ${replyText(f.code, f.message)}`);
    if (s.failures.length > 100) io.out(t("send:status.more", { count: s.failures.length - 100 }));
    if (s.invalidRows.length) io.out(t("send:status.invalidHeading"));
    for (const r of s.invalidRows.slice(0, 100)) io.out(t("send:invalidRow", { ...r, reason: addressReasons(r.reason) }));
    if (s.invalidRows.length > 100) io.out(t("send:status.more", { count: s.invalidRows.length - 100 }));
    if (s.resent.count) {
      io.out(t("send:status.resent", { count: s.resent.count }));
      for (const r of s.resent.readers.slice(0, 100)) io.out(`  ↻ ${r.email}${r.times > 1 ? ` (${r.times}×)` : ""}`);
      if (s.resent.count > 100) io.out(t("send:status.more", { count: s.resent.count - 100 }));
    }
    const b = c as Partial<BounceCounts>;
    if (b.bounced || b.softBounced || b.complained)
      io.out(t("send:status.bounces", { bounced: b.bounced, soft: b.softBounced, complained: b.complained }));
    // every run names its transport; a shared run lists its workers
    const transport = (name: string | null) => name ?? t("send:status.noTransport");
    for (const run of s.runs) {
      const state = t(`send:status.run.${run.state}`);
      io.out(
        t("send:status.run", {
          run: run.runId,
          transport: transport(run.transport),
          state,
          sent: run.sent,
          failed: run.failed,
          at: when(run.startedAt),
        }),
      );
      const workers = s.workers.filter((w) => w.runId === run.runId);
      for (const w of workers.length > 1 ? workers : []) {
        const state = t(`send:status.run.${w.live ? "sending" : w.ended ? "finished" : "stopped"}`);
        io.out(t("send:status.worker", { ...w, state, at: when(w.updatedAt) }));
      }
      if (run.inFlight) io.out(t("send:status.inFlight", { count: run.inFlight }));
    }
    if (c.pending) io.out(t("send:status.pending", { count: c.pending }));
    if (s.trial)
      io.out(t("send:status.trial", { ...s.trial.counts, transport: transport(s.trial.transport), at: when(s.trial.updatedAt) }));
  }
  return 0;
}

export function registerStatus(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("status")
    .description(t("cli:command.status"))
    .argument("[issue]", t("cli:flag.issue"))
    .option("--state <file|url>", t("cli:flag.state"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("send:status.flag.json"))
    .action(async (issue: string | undefined, flags: StatusFlags) => setCode(await runStatus(issue, flags, io)));
}
