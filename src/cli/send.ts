import { join, relative, resolve } from "node:path";
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { RassylkaError } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { durationText } from "../i18n/notes.js";
import type { SendProgress, SendSummary } from "../send/engine.js";
import { sendRequest } from "../send/send-request.js";
import { SMTP_TLS_INSECURE_ENV } from "../send/transport-choice.js";
import { SMTP_URL_ENV } from "../send/transports/smtp.js";
import { abLines } from "../status/ab.js";
import { domainKey } from "../util/domain.js";
import { maskUrlPasswords, redactor, secretsIn } from "../util/redact.js";
import { nonNegative, positiveInt } from "./arguments.js";
import { type Io, redactingIo } from "./io.js";
import { addressReasons, formatDiagnostic, replyText } from "./print.js";
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
  /** `--audience <name>`: with --subscribers, only the readers of audiences/<name>.yaml (docs/audiences.md). */
  audience?: string;
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
  /** `--ab-decide`: decide the issue's A/B test of subjects now, then send the winner to the rest. */
  abDecide?: boolean;
  /** `--ab-winner N`: the editor picks subject N (1-based) as the winner, then the rest get it. */
  abWinner?: number;
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

/** `--retry-window 12h` (also `90m`, `2d`, `30s`, or milliseconds) → ms. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/i.exec(value);
  if (!m) throw new InvalidArgumentError(t("send:bad.duration"));
  const unit = (m[2] ?? "ms").toLowerCase();
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * factor[unit]);
}

/** `--domain-rate mail.ru=10`, repeatable: each one adds (or replaces) a domain. */
export function parseDomainRate(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([^=]+)=(.*)$/.exec(value.trim());
  const domain = m ? domainKey(m[1]) : undefined;
  if (!m || !domain) throw new InvalidArgumentError(t("send:bad.domainRate"));
  const n = m[2].trim() === "" ? Number.NaN : Number(m[2]);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(t("send:bad.domainRateValue", { domain }));
  return { ...previous, [domain]: n };
}

function progressReporter(io: Io, runtime: SendRuntime) {
  if (runtime.tty && runtime.stream) {
    const bar = new cliProgress.SingleBar(
      {
        stream: runtime.stream,
        format: ` {bar} {value}/{total} | {speed}/s | ETA {eta_formatted} | ${t("send:bar", { failed: "{failed}", retrying: "{retrying}" })}`,
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
        io.err(t("send:progress", { ...p, percent: pct, rate: p.rate.toFixed(1) }));
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

/**
 * A transport's description (src/send/transports/: `dry run (would use smtp://…)`, `sendsay://login
 * (personal letters)`) in the editor's language. The summary's JSON keeps the description as it is:
 * scripts read it, and only the human texts change with the language.
 */
export function transportText(description: string): string {
  const dry = /^dry run(?: \(would use (.*)\))?$/.exec(description);
  if (dry) return dry[1] ? t("send:transport.dryRunVia", { transport: transportText(dry[1]) }) : t("send:transport.dryRun");
  const sendsay = /^sendsay:\/\/(.*) \(personal letters(?: at (.*))?\)$/.exec(description);
  if (sendsay) return t("send:transport.sendsay", { login: sendsay[1], at: sendsay[2] ? t("send:transport.at", { url: sendsay[2] }) : "" });
  return description;
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
  lines.push(t(`send:head.${head}`, { subject: s.subject, transport: transportText(s.transport), seconds }));
  const already = s.alreadySent ? t("send:already", { count: s.alreadySent }) : "";
  // a dry run delivered nothing and a trial wrote files: neither says "sent"
  lines.push(t(s.mode === "dry-run" ? "send:counts.dryRun" : s.trial ? "send:counts.trial" : "send:counts", { ...s, already }));
  if (s.ab) lines.push(...abLines(s.ab, s.slug));
  if (s.workers > 1) lines.push(t("send:shared", { others: s.workers - 1, count: s.sentByOthers, slug: s.slug }));
  if (s.retried) lines.push(t("send:retried", { count: s.retried }));
  if (s.resent) {
    lines.push(t("send:resent", { count: s.resent }));
    for (const a of s.resentAddresses.slice(0, 20)) lines.push(`    ${a}`);
  }
  if (s.failures.length) {
    lines.push(t("send:failedHeading"));
    for (const f of s.failures.slice(0, 50)) lines.push(`    ${f.email} — ${replyText(f.code, f.message)}`);
    if (s.failed > 50) lines.push(t("send:moreInStatus", { count: s.failed - 50, slug: s.slug }));
  }
  for (const d of s.domains.filter((x) => x.slowdowns > 0)) {
    const pace = d.rate === null ? t("send:slowdown.noLimit") : t("send:slowdown.now", { rate: d.rate });
    lines.push(
      t("send:slowdown", {
        domain: d.domain,
        times: d.slowdowns,
        reason: d.reason ?? "421/451",
        pace,
        configured: d.configured ? t("send:slowdown.of", { rate: d.configured }) : "",
      }),
    );
  }
  if (s.bounced) lines.push(t("send:bounced", { count: s.bounced }));
  if (s.invalidRows.length) {
    lines.push(t("send:invalidHeading"));
    for (const r of s.invalidRows.slice(0, 50)) lines.push(t("send:invalidRow", { ...r, reason: addressReasons(r.reason) }));
    if (s.invalid > 50) lines.push(t("send:moreInvalid", { count: s.invalid - 50, slug: s.slug }));
  }
  if (s.stopped === "sender") {
    lines.push(t("send:stoppedSender", { reason: s.note ?? s.pauseReason ?? t("send:stoppedSender.reason"), count: s.pending }));
    if (s.fix) lines.push(t("send:fix", { fix: s.fix }));
    lines.push(t("send:rerun", { command }));
  } else if (s.stopped === "paused") {
    lines.push(t("send:paused", { reason: s.note ?? s.pauseReason ?? "?", count: s.pending, command }));
  } else if (s.stopped === "deferred") {
    const at = s.nextRetryAt ? new Date(s.nextRetryAt) : undefined;
    const when = at
      ? t("send:deferred.at", { at: at.toLocaleString("sv-SE").slice(0, 16), in: durationText(Math.max(0, at.getTime() - Date.now())) })
      : t("send:deferred.later");
    lines.push(t("send:deferred", { count: s.deferred, when, command }));
  } else if (s.stopped === "lease") {
    lines.push(t("send:lease", { reason: s.note ?? s.pauseReason ?? t("send:lease.reason"), lost: s.lost, count: s.pending, command }));
  } else if (s.stopped === "state") {
    lines.push(t("send:stateFailed", { sent: s.sent, reason: s.note ?? s.pauseReason ?? "?", count: s.pending }));
    if (s.fix) lines.push(t("send:fix", { fix: s.fix }));
    lines.push(t("send:rerunResume", { command }));
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
    if (!inFlightNote) io.err(t("send:signal", { signal: sig }));
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
        onCreateState: (file) => io.err(t("send:newState", { file: relative(process.cwd(), file) || file })),
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
        confirm: (info) => confirmYesNo(t("send:confirm", { ...info, transport: transportText(info.transport) }), runtime.ask),
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
    .argument("<issue>", t("cli:flag.issue"))
    .option("--to <list>", t("send:flag.to"))
    .option("--subscribers", t("send:flag.subscribers"))
    .option("--audience <name>", t("topics:flag.audience"))
    .option("--transport <name>", t("send:flag.transport"), "outbox")
    .option("--smtp-url <url>", t("send:flag.smtpUrl", { env: `$${SMTP_URL_ENV}` }))
    .option("--rate <n>", t("send:flag.rate"), nonNegative("--rate"))
    .option("--domain-rate <domain=n>", t("send:flag.domainRate"), parseDomainRate)
    .option("--concurrency <n>", t("send:flag.concurrency"), positiveInt("--concurrency"), 5)
    .option("--max-attempts <n>", t("send:flag.maxAttempts"), positiveInt("--max-attempts"))
    .option("--retry-delay <ms>", t("send:flag.retryDelay"), nonNegative("--retry-delay"), 60_000)
    // no commander default: it would print the window in ms (43200000); the engine's default is 12 h
    .option("--retry-window <duration>", t("send:flag.retryWindow"), parseDuration)
    .option("--retry-failed", t("send:flag.retryFailed"))
    .option("--insecure-tls", t("send:flag.insecureTls", { env: SMTP_TLS_INSECURE_ENV }))
    .option("--state <file|url>", t("send:flag.state"), undefined)
    .option("--dry-run", t("send:flag.dryRun"))
    .option("--test <addrs>", t("send:flag.test"))
    .option("--yes", t("send:flag.yes"))
    .option("--json", t("send:flag.json"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--encoding <name>", t("cli:flag.encoding"), "utf-8")
    .option("--allow-changed", t("send:flag.allowChanged"))
    .option("--allow-no-one-click", t("send:flag.allowNoOneClick"))
    .option("--allow-unaligned", t("send:flag.allowUnaligned"))
    .option("--ab-decide", t("ab:flag.decide"))
    .option("--ab-winner <n>", t("ab:flag.winner"), positiveInt("--ab-winner"))
    .option("--group <id>", t("send:flag.group"))
    .option("--force", t("send:flag.force"))
    .option("--without-subscriber-fields", t("send:flag.withoutSubscriberFields"))
    .action(async (issue: string, flags: SendFlags) => {
      const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY);
      setCode(await runSendCommand(issue, flags, io, { env: process.env, tty, stream: process.stderr }));
    });
}
