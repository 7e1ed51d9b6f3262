import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import {
  assertCampaignable,
  type CampaignEvent,
  type CampaignOutcome,
  campaignRequest,
  describeStatus,
  readerFields,
} from "../campaign/campaign.js";
import type { SourceFile } from "../campaign/proscript.js";
import type { CampaignStats } from "../campaign/stats.js";
import { sendCampaign, syncStopListsAt } from "../campaign/stored.js";
import { compileOrThrow } from "../compile/compile.js";
import { CONFIG_FILE, loadConfig, parseConfig } from "../config/load.js";
import type { NewsletterConfig } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { loadProject } from "../project/project.js";
import type { TemplateSet } from "../render/templates.js";
import { refuseDraft } from "../send/guards.js";
import type { Transport } from "../send/transport.js";
import { pingSendsay, SendsayTransport } from "../send/transports/sendsay/transport.js";
import { SendsayClient, type SendsayClientOptions, sendsayCredentials } from "../sendsay/client.js";
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
    if (e.type === "retry") io.err(`  Sendsay ${e.action}: ${e.reason}, trying again in ${(e.delayMs / 1000).toFixed(1)} s`);
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
    io.out(`Sendsay: the key and the login "${result.login}"${name} work (${result.endpoint}).`);
  }
  return 0;
}

export function registerSendsay(program: Command, io: Io, setCode: (c: number) => void): void {
  const sendsay = program.command("sendsay").description(t("cli:command.sendsay"));
  sendsay
    .command("ping")
    .description("check SENDSAY_APIKEY and the account login with a harmless request")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--json", "print the result as JSON")
    .action(async (flags: PingFlags) => setCode(await runSendsayPing(flags, io)));
  sendsay
    .command("sync")
    .description("one stop list on both sides: Sendsay's stop lists into our suppressions, ours into «Заблокированы вручную»")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--state <file>", "the state file")
    .option("--dry-run", "show what would be added on each side, add nothing")
    .option("--json", "print { dryRun, toLocal: [{ email, reason, source }], toSendsay: [{ email, reason }] }")
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
  const client = new SendsayClient({ ...sendsayCredentials(configNow(root), env), maxAttempts: 3, onEvent: retryNotes(io) });
  // the state store: a SQLite file or the PostgreSQL database every machine shares (RASSYLKA_DATABASE_URL, --state postgres://…)
  const result = await syncStopListsAt(stateFromFlags(flags, env, "root"), client, { dryRun: flags.dryRun });
  {
    if (flags.json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    const verb = result.dryRun ? "would add" : "added";
    const plural = (n: number) => (n === 1 ? "address" : "addresses");
    io.out(`Sendsay → our suppression list: ${verb} ${result.toLocal.length} ${plural(result.toLocal.length)}.`);
    for (const a of result.toLocal) io.out(`  + ${a.email} (${a.reason}, ${a.source})`);
    io.out(
      `Our suppression list → Sendsay «Заблокированы вручную»: ${verb} ${result.toSendsay.length} ${plural(result.toSendsay.length)}.`,
    );
    for (const a of result.toSendsay) io.out(`  + ${a.email} (${a.reason})`);
    io.out(result.dryRun ? "Dry run: nothing was changed on either side." : "Nothing was removed on either side.");
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

const usage = (message: string, fix: string, field?: string) =>
  new RassylkaError({ ruleId: "send/usage", severity: "error", message, fix, field });

/** newsletter.yaml read synchronously, for checks that must fail before the ledger is touched; undefined when unusable (the send reports that itself). */
function configNow(root: string): NewsletterConfig | undefined {
  try {
    return parseConfig(readFileSync(join(root, CONFIG_FILE), "utf8")).config;
  } catch {
    return undefined;
  }
}

/**
 * `--transport sendsay` without --group: the transport factory for the send engine. Missing key or login
 * fail here, before anything is recorded; the key and login are checked with Sendsay before the first letter.
 */
export function sendsayPersonalTransport(root: string, runtime: Pick<SendsayRuntime, "env">): () => Transport {
  const credentials = sendsayCredentials(configNow(resolve(root)), runtime.env);
  // retries belong to the engine's ledger: the transport tries once (and checks the key in open())
  return () => new SendsayTransport(new SendsayClient({ ...credentials, maxAttempts: 1 }));
}

/** 0 done (or accepted without a track); 1 declined at the prompt; 2 ended in error or cancelled; 3 still going, waiting or no longer followed. */
export function campaignExitCode(outcome: CampaignOutcome): number {
  switch (outcome.phase) {
    case "done":
    case "untracked":
      return 0;
    case "declined":
      return 1;
    case "error":
    case "cancelled":
      return 2;
    default:
      return 3;
  }
}

/** The sentence the CLI ends a campaign with. */
export function describeCampaign(o: CampaignOutcome): string {
  const track = `track ${o.trackId}`;
  const status = describeStatus(o.status ?? 0);
  switch (o.phase) {
    case "declined":
      return "Not sent.";
    case "untracked":
      return `Sendsay accepted the campaign to list "${o.groupId}" but gave no track id: follow it in the Sendsay account.`;
    case "done":
      return `Done: Sendsay sent the issue to list "${o.groupId}" (${track}).`;
    case "waiting":
      return `The campaign is ${status} in Sendsay (${track}): run the same command later to follow it.`;
    case "error":
    case "cancelled":
      return `The campaign ${status} in Sendsay (${track})${o.error ? `: ${o.error}` : ""}.`;
    default: {
      const why =
        o.detachedReason === "aborted"
          ? "Stopped following the campaign (it goes on in Sendsay)"
          : o.detachedReason === "no-status"
            ? `track.get gave no status for ${track}`
            : `Could not read the track: ${o.detail ?? "no answer"}`;
      return `${why}; ${track} is recorded: run the same command again to follow it (it will not be submitted twice).`;
    }
  }
}

/** One line of a campaign's figures (text output of `send --group` and `status`). */
export function describeStats(stats: CampaignStats | null | undefined, error?: string): string {
  if (error) return `figures: not read from Sendsay (${error})`;
  if (!stats) return "figures: Sendsay has not counted this issue yet (run `rassylka status <issue>` later)";
  return `recipients ${stats.members} · delivered ${stats.delivered} · not delivered ${stats.undelivered} · opened ${stats.opened} (unique) · clicked ${stats.clicked} (unique) · unsubscribed ${stats.unsubscribed}`;
}

/** The issue's file and the templates: where a tag that cannot become PROScript is looked up for its line. */
function campaignSources(root: string, issueFile: string, templates: TemplateSet): SourceFile[] {
  const sources: SourceFile[] = [];
  try {
    sources.push({ file: issueFile, text: readFileSync(join(root, issueFile), "utf8") });
  } catch {
    // compiled from the cache of a file gone since: the message names the issue without a line
  }
  for (const t of [...templates.layouts.values(), ...templates.partials.values()]) sources.push({ file: t.file, text: t.source });
  return sources;
}

/**
 * `rassylka send <issue> --transport sendsay --group <id>`. Exit codes: 0 the track ended done (-1);
 * 1 bad input, refused by Sendsay, or in doubt (nothing sent again); 2 the track ended in error or was
 * cancelled; 3 still going, deferred or under moderation: re-run the same command to follow it.
 */
export async function runSendsayCampaign(issue: string, flags: SendsaySendFlags, io: Io, runtime: SendsayRuntime): Promise<number> {
  const groupId = flags.group?.trim();
  if (flags.transport !== "sendsay")
    throw usage("--group is for Sendsay lists", "add --transport sendsay, or leave out --group and give readers with --to", "--group");
  if (!groupId)
    throw usage("--group needs the id of a Sendsay list", "pass --group <list id> as it is shown in the Sendsay account", "--group");
  if (flags.to)
    throw usage(
      "--group and --to together",
      "--group sends to a Sendsay list; --to sends personal letters to a CSV list: choose one",
      "--to",
    );
  if (flags.test)
    throw usage(
      "--test with --group",
      "send test copies as personal letters: --transport sendsay --test you@example.ru (without --group)",
      "--test",
    );
  const root = resolve(flags.root);
  const project = await loadProject(root);
  const config = project.config.config;
  const { compiled } = await compileOrThrow(project, issue);
  refuseDraft(compiled, "--transport sendsay --test you@example.ru");
  const letterOptions = {
    withoutFields: flags.withoutSubscriberFields,
    sources: campaignSources(root, compiled.source, project.templates),
  };
  assertCampaignable(compiled, config, letterOptions);
  const credentials = sendsayCredentials(config, runtime.env);

  if (flags.dryRun) {
    const request = campaignRequest(compiled, config, groupId, letterOptions);
    const size = Buffer.byteLength(JSON.stringify(request));
    const info = {
      dryRun: true,
      issue: compiled.source,
      subject: request.letter.subject,
      groupId,
      login: credentials.login,
      requestBytes: size,
      emptiedFields: flags.withoutSubscriberFields ? readerFields(compiled) : [],
    };
    if (flags.json) io.out(JSON.stringify(info, null, 2));
    else
      io.out(
        `Dry run (nothing submitted): «${info.subject}» to Sendsay list "${groupId}" of account "${info.login}" — one issue.send of ${(size / 1024).toFixed(1)} KB.`,
      );
    return 0;
  }
  if (!flags.yes && !runtime.tty)
    throw usage(
      "a real send needs confirmation, and this is not a terminal",
      "add --yes to send without asking (or --dry-run to try it first)",
      "--yes",
    );

  const client = new SendsayClient({ ...credentials, onEvent: retryNotes(io) });
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    io.err(`\n${sig}: no longer following the campaign; it goes on in Sendsay (re-run the same command to follow it again)`);
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const show = (e: CampaignEvent) => {
    if (flags.json) return;
    if (e.type === "submitting") io.err(`Submitting «${compiled.subject}» to Sendsay list "${e.groupId}" (account ${client.login})…`);
    else if (e.type === "submitted")
      io.err(`Sendsay accepted it: track ${e.trackId}. Following it (Ctrl-C stops following, not the send)…`);
    else if (e.type === "resuming") io.err(`Already submitted at ${e.since}: following track ${e.trackId} (not submitting again)…`);
    else io.err(`  track ${e.trackId}: ${e.text} · ${Math.round(e.elapsedMs / 1000)} s`);
  };
  let lastStatus: number | undefined;
  let lastShownAt = 0;
  const pollMs = Number(runtime.env[ENV_POLL_INTERVAL] ?? "") || undefined;
  try {
    const outcome = await sendCampaign(stateFromFlags(flags, runtime.env), {
      client,
      compiled,
      config,
      groupId,
      force: flags.force,
      withoutFields: flags.withoutSubscriberFields,
      sources: letterOptions.sources,
      signal: controller.signal,
      pollIntervalMs: pollMs,
      onEvent: (e) => {
        // a line per change of status, and one every 30 s while it stays the same
        if (e.type === "status") {
          if (e.status === lastStatus && Date.now() - lastShownAt < 30_000) return;
          lastStatus = e.status;
          lastShownAt = Date.now();
        }
        show(e);
      },
      confirm: flags.yes
        ? undefined
        : (info) =>
            confirmYesNo(
              `Send «${info.subject}» to every member of Sendsay list "${info.groupId}" (account ${info.login})? [y/N] `,
              runtime.ask,
            ),
    });
    const code = campaignExitCode(outcome);
    if (flags.json) io.out(JSON.stringify({ ...outcome, exitCode: code }, null, 2));
    else {
      io.out(describeCampaign(outcome));
      if (outcome.phase === "done") io.out(`  ${describeStats(outcome.stats, outcome.statsError)}`);
    }
    return code;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
