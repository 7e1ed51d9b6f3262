import { join, relative, resolve } from "node:path";
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import type { SendProgress, SendSummary } from "../send/engine.js";
import { duration } from "../send/outcome.js";
import { sendRequest } from "../send/send-request.js";
import { SMTP_TLS_INSECURE_ENV } from "../send/transport-choice.js";
import { SMTP_URL_ENV } from "../send/transports/smtp.js";
import { domainKey } from "../util/domain.js";
import { maskUrlPasswords, redactor, secretsIn } from "../util/redact.js";
import { type Io, redactingIo } from "./io.js";
import { formatDiagnostic, replyText } from "./print.js";
import { confirmYesNo } from "./prompt.js";
import { runSendsayCampaign } from "./sendsay.js";
import { stateFromFlags } from "./state-flag.js";

/**
 * `rassylka send <issue> --to list.csv`: exit codes
 *   0 every reader delivered · 1 bad input or config, or the sender's problem with nothing delivered
 *   2 finished, some permanent failures · 3 stopped with readers still pending (paused, Ctrl-C, the
 *   sender's problem after some were delivered, retries due later): re-run the same command to resume
 */
export interface SendFlags {
  root: string;
  to?: string;
  /** `--subscribers`: the confirmed readers of the subscriber list in the state store (docs/subscribe.md). */
  subscribers?: boolean;
  transport: string;
  smtpUrl?: string;
  rate?: number;
  /** `--domain-rate mail.ru=10` (repeatable): messages per second per receiving domain, over the config's. */
  domainRate?: Record<string, number>;
  concurrency: number;
  maxAttempts?: number;
  retryDelay: number;
  /** `--retry-window 12h`: how long temporary failures are retried, ms. */
  retryWindow?: number;
  retryFailed?: boolean;
  /** `--insecure-tls` (or SMTP_TLS_INSECURE=1): do not verify the SMTP server's certificate. */
  insecureTls?: boolean;
  state?: string;
  dryRun?: boolean;
  test?: string;
  yes?: boolean;
  json?: boolean;
  encoding?: string;
  allowChanged?: boolean;
  /** `--allow-no-one-click`: a private list may go without unsubscribe.url (printed in the summary). */
  allowNoOneClick?: boolean;
  /** `--allow-unaligned`: DKIM or the return path may be off the From domain (printed in the summary). */
  allowUnaligned?: boolean;
  /** Sendsay (src/cli/sendsay.ts): a list to send to as one campaign, and its safety flags. */
  group?: string;
  force?: boolean;
  withoutSubscriberFields?: boolean;
}

export interface SendRuntime {
  env: NodeJS.ProcessEnv;
  /** Interactive terminal: prompt and progress bar. */
  tty: boolean;
  /** Asks a yes/no question on the terminal. */
  ask?: (question: string) => Promise<string>;
  /** Where the progress bar draws (stderr). */
  stream?: NodeJS.WriteStream;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}
/** `--retry-window 12h` (also `90m`, `2d`, `30s`, or milliseconds) → ms. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/i.exec(value);
  if (!m) throw new InvalidArgumentError("give a duration such as 12h, 90m, 2d or 30s");
  const unit = (m[2] ?? "ms").toLowerCase();
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * factor[unit]);
}

function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
    return n;
  };
}

/** `--domain-rate mail.ru=10`, repeatable: each one adds (or replaces) a domain. */
export function parseDomainRate(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([^=]+)=(.*)$/.exec(value.trim());
  const domain = m ? domainKey(m[1]) : undefined;
  if (!m || !domain)
    throw new InvalidArgumentError("give DOMAIN=N: a receiving domain and messages per second, e.g. --domain-rate mail.ru=10");
  const n = m[2].trim() === "" ? Number.NaN : Number(m[2]);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`the rate for ${domain} must be messages per second above 0, e.g. --domain-rate ${domain}=10`);
  return { ...previous, [domain]: n };
}

function progressReporter(io: Io, runtime: SendRuntime) {
  if (runtime.tty && runtime.stream) {
    const bar = new cliProgress.SingleBar(
      {
        stream: runtime.stream,
        format: " {bar} {value}/{total} | {speed}/s | ETA {eta_formatted} | failed {failed} | retrying {retrying}",
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: SendProgress) {
        if (!started) {
          bar.start(p.total, 0, { speed: "0", failed: 0, retrying: 0 });
          started = true;
        }
        bar.update(p.done, { speed: p.rate.toFixed(1), failed: p.failed, retrying: p.retrying });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  // not a terminal: a plain line every 10 % or 10 seconds
  let lastShown = 0;
  let lastAt = 0;
  return {
    update(p: SendProgress) {
      const step = Math.max(1, Math.ceil(p.total / 10));
      const now = Date.now();
      if (p.done === p.total || p.done - lastShown >= step || now - lastAt >= 10_000) {
        if (p.done === lastShown && p.done !== 0) return;
        lastShown = p.done;
        lastAt = now;
        const pct = p.total ? Math.round((p.done * 100) / p.total) : 100;
        io.err(
          `progress: ${p.done}/${p.total} (${pct}%) · sent ${p.sent} · failed ${p.failed} · retrying ${p.retrying} · ${p.rate.toFixed(1)}/s`,
        );
      }
    },
    stop() {},
  };
}

export function exitCode(s: SendSummary): number {
  if (s.stopped === "declined") return 1;
  // the sender's problem (login, TLS, a relay refusing everyone): nothing delivered is a config error
  if (s.stopped === "sender") return s.sent === 0 ? 1 : 3;
  if (s.stopped === "lease") return 3;
  // the state store or its disk failed after readers were delivered: re-run to resume
  if (s.stopped === "state") return s.sent === 0 ? 1 : 3;
  if (s.pending > 0) return 3;
  if (s.failed > 0) return 2;
  return 0;
}

export function formatSummary(s: SendSummary, command: string): string[] {
  const lines: string[] = [];
  if (s.stopped === "declined") return [t("send:declined", { subject: s.subject })];
  const head =
    s.mode === "dry-run"
      ? "dryRun"
      : s.trial
        ? "trial"
        : s.mode === "test"
          ? "test"
          : s.stopped && s.sent === 0
            ? "nothing"
            : s.stopped || s.pending > 0
              ? "partly"
              : "sent";
  const seconds = new Intl.NumberFormat(language(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(s.elapsedMs / 1000);
  lines.push(t(`send:head.${head}`, { subject: s.subject, transport: s.transport, seconds }));
  const already = s.alreadySent ? t("send:already", { count: s.alreadySent }) : "";
  // a dry run delivered nothing and a trial wrote files: neither says "sent"
  lines.push(t(s.mode === "dry-run" ? "send:counts.dryRun" : s.trial ? "send:counts.trial" : "send:counts", { ...s, already }));
  if (s.workers > 1)
    lines.push(
      `  a shared send: ${s.workers - 1} other worker(s) sent ${s.sentByOthers} of this list (rassylka status ${s.slug} shows each)`,
    );
  if (s.retried) lines.push(`  failed readers retried (--retry-failed): ${s.retried}`);
  if (s.resent) {
    lines.push(`  resent after a crash: ${s.resent} (they were in flight when an earlier run stopped; they may get the issue twice):`);
    for (const a of s.resentAddresses.slice(0, 20)) lines.push(`    ${a}`);
  }
  if (s.failures.length) {
    lines.push(t("send:failedHeading"));
    for (const f of s.failures.slice(0, 50)) lines.push(`    ${f.email} — ${replyText(f.code, f.message)}`);
    if (s.failed > 50) lines.push(t("send:moreInStatus", { count: s.failed - 50, slug: s.slug }));
  }
  for (const d of s.domains.filter((x) => x.slowdowns > 0)) {
    const pace = d.rate === null ? "back to no limit" : `now ${d.rate}/s`;
    lines.push(
      `  ${d.domain} asked to slow down (${d.slowdowns}×, last: ${d.reason ?? "421/451"}): ${pace}${d.configured ? ` of ${d.configured}/s` : ""}; consider sending.domainRates in newsletter.yaml`,
    );
  }
  if (s.bounced) lines.push(`  added to the suppression list as bounced (their mailbox does not exist): ${s.bounced}`);
  if (s.invalidRows.length) {
    lines.push(t("send:invalidHeading"));
    for (const r of s.invalidRows.slice(0, 50)) lines.push(t("send:invalidRow", { ...r }));
    if (s.invalid > 50) lines.push(`    … and ${s.invalid - 50} more (rassylka status ${s.slug} lists them all)`);
  }
  if (s.stopped === "sender") {
    lines.push(
      `Stopped: ${s.pauseReason ?? "the server refused the sender"}. No reader was recorded as failed for it; ${s.pending} reader(s) still pending.`,
    );
    if (s.fix) lines.push(`  fix: ${s.fix}`);
    lines.push(`  then re-run: ${command}`);
  } else if (s.stopped === "paused") {
    lines.push(
      `Paused: too many temporary failures in a row — the server looks down (last: ${s.pauseReason ?? "?"}). ${s.pending} reader(s) still pending; when the server is back, re-run: ${command}`,
    );
  } else if (s.stopped === "deferred") {
    const at = s.nextRetryAt ? new Date(s.nextRetryAt) : undefined;
    const when = at ? `${at.toLocaleString("sv-SE").slice(0, 16)} (in ${duration(Math.max(0, at.getTime() - Date.now()))})` : "later";
    lines.push(
      `Deferred: ${s.deferred} reader(s) had temporary failures (e.g. greylisting) and are retried for the retry window; the next retry is due at ${when}. Run the same command again then (a cron job or timer can): ${command}`,
    );
  } else if (s.stopped === "lease") {
    lines.push(
      `Stopped: ${s.pauseReason ?? "this worker lost its lease"}. Those ${s.lost} reader(s) may get the issue twice (the worker that took them over reports them as resent); ${s.pending} reader(s) still pending. Keep the machine awake during a send (or set a longer RASSYLKA_LEASE_MS), then re-run: ${command}`,
    );
  } else if (s.stopped === "state") {
    lines.push(
      `Stopped: the state store failed after ${s.sent} reader(s) were delivered: ${s.pauseReason ?? "?"}. ${s.pending} reader(s) still pending; those delivered but not yet recorded are sent again and reported as resent.`,
    );
    if (s.fix) lines.push(`  fix: ${s.fix}`);
    lines.push(`  then re-run to resume: ${command}`);
  } else if (s.stopped === "signal") {
    lines.push(t("send:stopped", { pending: t("send:pending", { count: s.pending, command }) }));
  } else if (s.pending > 0) {
    lines.push(t("send:pending", { count: s.pending, command }));
  }
  return lines;
}

/**
 * The command line to repeat, safe to print: a password in a URL becomes `***`
 * (`smtp://user:***@host:587`), and nothing else on it is a secret (those live in the environment).
 */
export function rerunCommand(argv: string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return `rassylka ${argv.map((a) => quote(maskUrlPasswords(a))).join(" ")}`;
}

export async function runSendCommand(issue: string, flags: SendFlags, rawIo: Io, runtime: SendRuntime): Promise<number> {
  const clean = redactor(secretsIn(runtime.env, [flags.smtpUrl]));
  try {
    return await sendCommand(issue, flags, redactingIo(rawIo, clean), runtime);
  } catch (e) {
    // src/cli/index.ts prints a RassylkaError's diagnostics: they too must not carry a secret
    if (e instanceof RassylkaError) {
      const diagnostics = e.diagnostics.map((d) => ({ ...d, message: clean(d.message), fix: d.fix && clean(d.fix) }));
      throw new RassylkaError(diagnostics, { cause: e.cause });
    }
    throw e;
  }
}

async function sendCommand(issue: string, flags: SendFlags, io: Io, runtime: SendRuntime): Promise<number> {
  if (flags.group !== undefined) return runSendsayCampaign(issue, flags, io, runtime);
  const controller = new AbortController();
  let inFlightNote = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!inFlightNote)
      io.err(`\n${sig}: stopping — no new messages; letting those in flight finish and recording them (${sig} again to quit at once)`);
    inFlightNote = true;
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = progressReporter(io, runtime);
  let summary: SendSummary;
  try {
    summary = await sendRequest(
      {
        ...flags,
        issue,
        domainRates: flags.domainRate,
        state: stateFromFlags(flags, runtime.env),
        interactive: runtime.tty,
        env: runtime.env,
      },
      {
        onWarning: (d) => io.err(formatDiagnostic(d)),
        onCreateState: (file) => io.err(`note: a new state file (the ledger of who got what): ${relative(process.cwd(), file) || file}`),
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
        confirm: (info) =>
          confirmYesNo(`Send «${info.subject}» to ${info.recipients} recipients via ${info.transport}? [y/N] `, runtime.ask),
      },
    );
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const command = rerunCommand(process.argv.slice(2));
  // what this send was told to overlook, said where the editor reads the outcome
  const allowed = [
    ...(flags.allowNoOneClick ? [["--allow-no-one-click", t("deliverability:allowedNoOneClick")]] : []),
    ...(flags.allowUnaligned ? [["--allow-unaligned", t("deliverability:allowedUnaligned")]] : []),
  ];
  if (flags.json) io.out(JSON.stringify({ ...summary, allowed: allowed.map(([flag]) => flag), exitCode: exitCode(summary) }, null, 2));
  else {
    for (const line of formatSummary(summary, command)) io.out(line);
    for (const [, text] of allowed) io.out(`  ${text}`);
  }
  if (summary.trial && !flags.json) {
    if (summary.sent > 0)
      io.out(t("send:outbox", { dir: relative(process.cwd(), join(resolve(flags.root), "outbox", summary.slug)) || "." }));
    io.out(t("send:trialNote"));
  }
  return exitCode(summary);
}

export function registerSend(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("send")
    .description(t("cli:command.send"))
    .argument("<issue>", "issue file or slug")
    .option("--to <list>", "recipients: a CSV file with an email column, or a@x.ru,b@y.ru")
    .option("--subscribers", "recipients: every confirmed, not suppressed subscriber (rassylka subscribers)")
    .option("--transport <name>", "outbox (one .eml per reader, the default), smtp or sendsay", "outbox")
    .option("--smtp-url <url>", `smtp://user:pass@host:587 or smtps://… (default: $${SMTP_URL_ENV})`)
    .option("--rate <n>", "at most N messages per second from this worker (default: no limit)", nonNegative("--rate"))
    .option(
      "--domain-rate <domain=n>",
      "at most N messages per second to one receiving domain and its subdomains, from this worker; repeatable; over sending.domainRates",
      parseDomainRate,
    )
    .option(
      "--concurrency <n>",
      "SMTP connections (pool size); up to twice as many messages are in flight",
      positiveInt("--concurrency"),
      5,
    )
    .option(
      "--max-attempts <n>",
      "at most N attempts per reader on temporary failures (default: as many as the window allows)",
      positiveInt("--max-attempts"),
    )
    .option(
      "--retry-delay <ms>",
      "base of the exponential backoff between attempts (the first retry after 0.5–1.5× this)",
      nonNegative("--retry-delay"),
      60_000,
    )
    .option(
      "--retry-window <duration>",
      "how long temporary failures are retried before a reader is failed: 12h, 2d, 90m",
      parseDuration,
      12 * 3600_000,
    )
    .option("--retry-failed", "send again to the failed readers of this list (never to those sent or suppressed since)")
    .option(
      "--insecure-tls",
      `do not verify the SMTP server's certificate (also ${SMTP_TLS_INSECURE_ENV}=1): a relay on a trusted network only`,
    )
    .option(
      "--state <file|url>",
      "the state: a SQLite file, or postgres://… shared by every machine (default: $RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)",
      undefined,
    )
    .option("--dry-run", "do everything except deliver")
    .option("--test <addrs>", "send test copies ([TEST] in the subject) to these addresses; not counted as the send")
    .option("--yes", "do not ask for confirmation (needed when not on a terminal)")
    .option("--json", "print the summary as JSON")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--encoding <name>", "encoding of the CSV: utf-8 (default) or windows-1251", "utf-8")
    .option("--allow-changed", "continue a send although the issue changed since it started")
    .option("--allow-no-one-click", "send without unsubscribe.url (a private list): no one-click unsubscribe, printed in the summary")
    .option("--allow-unaligned", "send although DKIM_DOMAIN or returnPath is off the From domain, printed in the summary")
    .option("--group <id>", "with --transport sendsay: send to this Sendsay list as one campaign (docs/sendsay.md)")
    .option("--force", "with --group: submit although an earlier submission is in doubt or already sent")
    .option("--without-subscriber-fields", "with --group: send everyone the version with subscriber fields empty")
    .action(async (issue: string, flags: SendFlags) => {
      const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY);
      setCode(await runSendCommand(issue, flags, io, { env: process.env, tty, stream: process.stderr }));
    });
}
