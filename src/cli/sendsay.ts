import { resolve } from "node:path";
import type { Command } from "commander";
import { type CampaignEvent, type CampaignOutcome, describeStatus } from "../campaign/campaign.js";
import type { CampaignStats } from "../campaign/stats.js";
import { syncStopListsAt } from "../campaign/stored.js";
import { submitCampaign } from "../campaign/submit.js";
import { loadConfig } from "../config/load.js";
import type { NewsletterConfig } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import { language, t, tr } from "../i18n/index.js";
import { pingSendsay } from "../send/transports/sendsay/transport.js";
import { SendsayClient, type SendsayClientOptions, sendsayCredentials } from "../sendsay/client.js";
import { maskAddress } from "../util/redact.js";
import type { Io } from "./print.js";
import { confirmYesNo } from "./prompt.js";
import { stateFromFlags } from "./state-flag.js";

/**
 * The Sendsay parts of the CLI: `rassylka sendsay ping`, and what `rassylka send --transport sendsay`
 * dispatches to (src/cli/send.ts only routes here):
 *   --group <id>      campaign: one issue.send to a Sendsay list, its track followed to the end
 *   --to FILE.csv     personal letters through the send engine and its ledger (also --test ADDRS)
 */

interface PingFlags {
  root: string;
  json?: boolean;
}

function retryNotes(io: Io): SendsayClientOptions["onEvent"] {
  return (e) => {
    if (e.type === "retry")
      io.err(t("sendsay:retry", { action: e.action, reason: e.reason, seconds: tr().number(Math.round(e.delayMs / 100) / 10) }));
  };
}

/**
 * `rassylka sendsay ping`: do SENDSAY_APIKEY and the login work? Exit 0 yes, 1 no (the error says why
 * and what to do; the key is never printed).
 */
export async function runSendsayPing(flags: PingFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: NewsletterConfig | undefined;
  try {
    config = (await loadConfig(resolve(flags.root))).config;
  } catch (error) {
    // no newsletter.yaml is fine when SENDSAY_LOGIN is set
    if (!env.SENDSAY_LOGIN) throw error;
  }
  const client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3, onEvent: retryNotes(io) });
  const result = await pingSendsay(client);
  if (flags.json) io.out(JSON.stringify({ ok: true, ...result }, null, 2));
  else {
    const name = result.accountName ? ` («${result.accountName}»)` : "";
    io.out(t("sendsay:ping", { login: result.login, name, endpoint: result.endpoint }));
  }
  return 0;
}

export function registerSendsay(program: Command, io: Io, setCode: (c: number) => void): void {
  const sendsay = program.command("sendsay").description(t("cli:command.sendsay"));
  sendsay
    .command("ping")
    .description(t("sendsay:ping.description"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("sendsay:flag.pingJson"))
    .action(async (flags: PingFlags) => setCode(await runSendsayPing(flags, io)));
  sendsay
    .command("sync")
    .description(t("sendsay:sync.description"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--state <file>", t("sendsay:flag.state"))
    .option("--dry-run", t("sendsay:flag.dryRun"))
    .option("--json", t("sendsay:flag.syncJson"))
    .action(async (flags: SyncFlags) => setCode(await runSendsaySync(flags, io)));
}

interface SyncFlags {
  root: string;
  state?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `rassylka sendsay sync [--dry-run]`: Sendsay's «Отписались» and «Заблокированы вручную» into our
 * suppression list, our suppressions into «Заблокированы вручную»; nothing removed anywhere. Exit 0, or 1
 * when Sendsay cannot be read (nothing is changed on our side then).
 */
export async function runSendsaySync(flags: SyncFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const root = resolve(flags.root);
  let config: NewsletterConfig | undefined;
  try {
    config = (await loadConfig(root)).config;
  } catch (error) {
    // no newsletter.yaml is fine (SENDSAY_LOGIN names the account); one with a mistake is not: its topic lists would be skipped
    if (!(error instanceof RassylkaError && error.diagnostics[0]?.ruleId === "config/missing")) throw error;
  }
  const client = new SendsayClient({ ...sendsayCredentials(config, env), maxAttempts: 3, onEvent: retryNotes(io) });
  // the state store: a SQLite file or the PostgreSQL database every machine shares (RASSYLKA_DATABASE_URL, --state postgres://…)
  const result = await syncStopListsAt(stateFromFlags(flags, env, "root"), client, { dryRun: flags.dryRun, config });
  {
    if (flags.json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    const what = (count: number) => t(result.dryRun ? "sendsay:wouldAdd" : "sendsay:added", { count });
    io.out(t("sendsay:toLocal", { what: what(result.toLocal.length) }));
    for (const a of result.toLocal) io.out(`  + ${a.email} (${a.reason}, ${a.source})`);
    io.out(t("sendsay:toSendsay", { what: what(result.toSendsay.length) }));
    for (const a of result.toSendsay) io.out(`  + ${a.email} (${a.reason})`);
    // topic unsubscribes, when newsletter.yaml maps topics to Sendsay lists (addresses masked)
    const topics = Object.keys(config?.sendsay?.topics ?? {}).length > 0;
    if (topics) {
      const dry = result.dryRun ? "would" : "did";
      io.out(t("sendsay:topics.toSendsay", { what: t(`sendsay:topics.${dry}TakeOut`, { count: result.topicsToSendsay.length }) }));
      for (const c of result.topicsToSendsay) io.out(t("sendsay:topics.line", { ...c, email: maskAddress(c.email) }));
      io.out(t("sendsay:topics.toLocal", { what: t(`sendsay:topics.${dry}DropTopic`, { count: result.topicsToLocal.length }) }));
      for (const c of result.topicsToLocal) io.out(t("sendsay:topics.line", { ...c, email: maskAddress(c.email) }));
    }
    const removed = result.topicsToSendsay.length + result.topicsToLocal.length > 0;
    io.out(t(result.dryRun ? "sendsay:dryRunEnd" : removed ? "sendsay:topics.nothingElse" : "sendsay:nothingRemoved"));
    return 0;
  }
}

/** The flags of `rassylka send` that the Sendsay paths read. */
export interface SendsaySendFlags {
  root: string;
  transport?: string;
  group?: string;
  to?: string;
  test?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  force?: boolean;
  withoutSubscriberFields?: boolean;
  state?: string;
}

export interface SendsayRuntime {
  env: NodeJS.ProcessEnv;
  tty: boolean;
  ask?: (question: string) => Promise<string>;
}

/** Milliseconds between track.get calls while following a campaign (default 5000). */
export const ENV_POLL_INTERVAL = "SENDSAY_POLL_INTERVAL";

const _usage = (message: string, fix: string, field?: string) =>
  new RassylkaError({ ruleId: "send/usage", severity: "error", message, fix, field });

/** 0 done (or accepted without a track); 1 declined at the prompt; 2 ended in error or cancelled; 3 still going, waiting or no longer followed. */
export function campaignExitCode(outcome: CampaignOutcome): number {
  switch (outcome.phase) {
    case "done":
    case "untracked":
      return 0;
    case "declined":
      return 1;
    case "split":
      // decided: Sendsay sends the winner to the rest of the list on its own
      return outcome.split?.winner ? 0 : 3;
    case "error":
    case "cancelled":
      return 2;
    default:
      return 3;
  }
}

/** The sentence the CLI ends a campaign with. */
export function describeCampaign(o: CampaignOutcome): string {
  const track = t("sendsay:track", { id: o.trackId });
  const status = describeStatus(o.status ?? 0);
  switch (o.phase) {
    case "declined":
      return t("sendsay:declined");
    case "split":
      return o.split?.winner
        ? t("ab:splitDecided", { group: o.groupId, id: o.split.splitId, n: o.split.winner })
        : t("ab:splitRunning", { group: o.groupId, id: o.split?.splitId, status: o.split?.status ?? "—" });
    case "untracked":
      return t("sendsay:untracked", { group: o.groupId });
    case "done":
      return t("sendsay:done", { group: o.groupId, track });
    case "waiting":
      return t("sendsay:waiting", { status, track });
    case "error":
    case "cancelled":
      return t("sendsay:ended", { status, track, error: o.error ? `: ${o.error}` : "" });
    default: {
      const why =
        o.detachedReason === "aborted"
          ? t("sendsay:aborted")
          : o.detachedReason === "no-status"
            ? t("sendsay:noStatus", { track })
            : t("sendsay:unreadable", { detail: o.note ?? o.detail ?? t("sendsay:noAnswer") });
      return t("sendsay:detached", { why, track });
    }
  }
}

/** One line of a campaign's figures (text output of `send --group` and `status`). */
export function describeStats(stats: CampaignStats | null | undefined, error?: string): string {
  if (error) return t("sendsay:statsError", { error });
  if (!stats) return t("sendsay:noStats");
  return t("sendsay:stats", { ...stats });
}

/**
 * `rassylka send <issue> --transport sendsay --group <id>`. Exit codes: 0 the track ended done (-1);
 * 1 bad input, refused by Sendsay, or in doubt (nothing sent again); 2 the track ended in error or was
 * cancelled; 3 still going, deferred or under moderation: re-run the same command to follow it.
 */
export async function runSendsayCampaign(issue: string, flags: SendsaySendFlags, io: Io, runtime: SendsayRuntime): Promise<number> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    io.err(t("sendsay:signal", { signal: sig }));
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // a line per change of status, and one every 30 s while it stays the same
  let lastStatus: number | undefined;
  let lastShownAt = 0;
  const show = (e: CampaignEvent, about: { subject: string; login: string }) => {
    if (flags.json) return;
    if (e.type === "status") {
      if (e.status === lastStatus && Date.now() - lastShownAt < 30_000) return;
      lastStatus = e.status;
      lastShownAt = Date.now();
    }
    if (e.type === "submitting") {
      io.err(t("sendsay:submitting", { subject: about.subject, group: e.groupId, login: about.login }));
      if (e.topic) io.err(t(`sendsay:topic.via.${e.via}`, { topic: e.topic, group: e.groupId }));
    } else if (e.type === "submitted") io.err(t("sendsay:submitted", { id: e.trackId }));
    else if (e.type === "resuming") io.err(t("sendsay:resuming", { since: e.since, id: e.trackId }));
    else io.err(t("sendsay:progress", { id: e.trackId, text: e.text, seconds: Math.round(e.elapsedMs / 1000) }));
  };
  try {
    const result = await submitCampaign(
      {
        ...flags,
        issue,
        interactive: runtime.tty,
        state: stateFromFlags(flags, runtime.env),
        env: runtime.env,
        pollIntervalMs: Number(runtime.env[ENV_POLL_INTERVAL] ?? "") || undefined,
      },
      {
        signal: controller.signal,
        onEvent: show,
        onRetry: retryNotes(io),
        confirm: (info) =>
          confirmYesNo(t("sendsay:confirm", { subject: info.subject, group: info.groupId, login: info.login }), runtime.ask),
      },
    );
    if ("dryRun" in result) {
      const info = result.dryRun;
      if (flags.json) io.out(JSON.stringify(info, null, 2));
      else {
        if (info.topic) io.out(t(`sendsay:topic.via.${info.via}`, { topic: info.topic, group: info.groupId }));
        io.out(
          t("sendsay:dryRun", {
            subject: info.subject,
            group: info.groupId,
            login: info.login,
            size: new Intl.NumberFormat(language(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
              info.requestBytes / 1024,
            ),
          }),
        );
      }
      return 0;
    }
    const { outcome } = result;
    const code = campaignExitCode(outcome);
    if (flags.json) io.out(JSON.stringify({ ...outcome, exitCode: code }, null, 2));
    else {
      io.out(describeCampaign(outcome));
      if (outcome.phase === "done") io.out(`  ${describeStats(outcome.stats, outcome.note ?? outcome.statsError)}`);
    }
    return code;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
