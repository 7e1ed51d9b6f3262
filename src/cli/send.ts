import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { compileOrThrow } from "../compile/compile.js";
import { RassylkaError } from "../diagnostics.js";
import { requireSecret } from "../identity/token.js";
import { dkimFromEnv } from "../message/message.js";
import { loadProject, type Project } from "../project/project.js";
import { type AudienceSource, addressList, csvFile } from "../send/audience.js";
import { runSend, type SendInput, type SendMode, type SendProgress, type SendSummary } from "../send/engine.js";
import { refuseDraft } from "../send/guards.js";
import { Ledger } from "../send/ledger.js";
import type { Transport } from "../send/transport.js";
import { DryRunTransport } from "../send/transports/dry-run.js";
import { OutboxTransport } from "../send/transports/outbox.js";
import { parseSmtpUrl, SMTP_URL_ENV, SmtpTransport } from "../send/transports/smtp.js";
import { openState, stateFile } from "../state/db.js";
import type { Io } from "./print.js";
import { runSendsayCampaign, sendsayPersonalTransport } from "./sendsay.js";

/**
 * `rassylka send <issue> --to list.csv`: exit codes
 *   0 every reader delivered · 1 bad input or config, nothing sent · 2 finished, some permanent failures
 *   3 stopped with readers still pending (paused, Ctrl-C): re-run the same command to resume
 */
/** What a send is given before anything is compiled: the newsletter, the issue, who and how. */
export interface SendOptions extends Omit<SendInput, "compiled" | "config" | "secret" | "audience" | "transport" | "ledger"> {
  /** The newsletter's folder. */
  root: string;
  /** Issue file (path) or slug. */
  issue: string;
  audience?: AudienceSource;
  /** The transport, or a factory called once the issue is compiled (the outbox needs the slug). */
  transport: Transport | ((issue: { slug: string; mode: SendMode }) => Transport | Promise<Transport>);
  /** State file; default `.rassylka/state.sqlite` under root. */
  stateFile?: string;
  /** Where RASSYLKA_SECRET is read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** An already loaded project (saves reloading config and templates). */
  project?: Project;
  /** fsync the ledger on every commit (see StateOptions.durability). Default: `normal`. */
  syncEveryCommit?: boolean;
}

/**
 * Everything before the engine, in order: load the newsletter, compile the issue, refuse a draft (but
 * for test copies), read the secret, make the transport, open the state file and its one ledger; then
 * `runSend`, and close what was opened.
 */
export async function sendIssue(options: SendOptions): Promise<SendSummary> {
  const mode = options.mode ?? "send";
  const project = options.project ?? (await loadProject(options.root));
  const { compiled } = await compileOrThrow(project, options.issue);
  const config = project.config.config;
  if (mode !== "test") refuseDraft(compiled);
  if (!options.audience) {
    throw new RassylkaError({
      ruleId: "send/no-recipients",
      severity: "error",
      message: "no recipients given",
      fix: "pass --to list.csv or --to a@x.ru,b@y.ru",
    });
  }
  // the secret signs every reader's unsubscribe link; without unsubscribe.url nothing needs it
  const secret = config.unsubscribe?.url ? requireSecret(options.env ?? process.env) : undefined;
  const db = openState(stateFile(project.root, options.stateFile), { durability: options.syncEveryCommit ? "full" : "normal" });
  let transport: Transport | undefined;
  try {
    const ledger = new Ledger(db);
    transport = typeof options.transport === "function" ? await options.transport({ slug: compiled.slug, mode }) : options.transport;
    return await runSend({ ...options, mode, compiled, config, secret, audience: options.audience, transport, ledger });
  } finally {
    try {
      await transport?.close();
    } finally {
      db.close();
    }
  }
}

export interface SendFlags {
  root: string;
  to?: string;
  transport: string;
  smtpUrl?: string;
  rate?: number;
  concurrency: number;
  maxAttempts: number;
  retryDelay: number;
  state?: string;
  dryRun?: boolean;
  test?: string;
  yes?: boolean;
  json?: boolean;
  encoding?: string;
  allowChanged?: boolean;
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

const bad = (message: string, fix: string, field?: string) =>
  new RassylkaError({ ruleId: "send/usage", severity: "error", message, fix, field });

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}
function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
    return n;
  };
}

export function audienceFrom(to: string, encoding: string | undefined, cwd = process.cwd()): AudienceSource {
  const path = resolve(cwd, to);
  if (existsSync(path)) return csvFile(path, { encoding, label: relative(cwd, path) || to });
  if (/\.(csv|tsv|txt)$/i.test(to) || !to.includes("@")) {
    throw bad(
      `no such recipient list: ${to}`,
      "give the path of a CSV file with an email column, or addresses: --to a@x.ru,b@y.ru",
      "--to",
    );
  }
  return addressList(to);
}

/** The transport the flags name, made once the issue's slug is known. Not the dry run: see withDryRun. */
function makeTransport(
  flags: SendFlags,
  runtime: SendRuntime,
  root: string,
): (issue: { slug: string; mode: SendMode }) => Transport | Promise<Transport> {
  const kind = flags.transport;
  if (kind === "sendsay") return sendsayPersonalTransport(root, runtime);
  if (kind !== "outbox" && kind !== "smtp")
    throw bad(`unknown transport "${kind}"`, "use --transport outbox (files), smtp or sendsay", "--transport");
  const dkim = dkimFromEnv(runtime.env);
  const url = flags.smtpUrl ?? runtime.env[SMTP_URL_ENV];
  if (kind === "smtp") {
    if (!url)
      throw bad(
        "no SMTP server given",
        `set ${SMTP_URL_ENV}=smtp://user:password@host:587 in the environment, or pass --smtp-url`,
        "--smtp-url",
      );
    parseSmtpUrl(url); // fail now, before the ledger is touched
    return () => new SmtpTransport({ url, maxConnections: flags.concurrency, dkim });
  }
  return ({ slug, mode }) =>
    new OutboxTransport({ dir: join(root, "outbox", mode === "test" ? `${slug}-test` : slug), dkim, description: `outbox/${slug}/` });
}

/** `--dry-run`, decided here only: the transport named is made (it checks its settings) and replaced. */
function withDryRun(
  make: (issue: { slug: string; mode: SendMode }) => Transport | Promise<Transport>,
): (issue: { slug: string; mode: SendMode }) => Promise<Transport> {
  return async (issue) => {
    const real = await make(issue);
    await real.close();
    return new DryRunTransport(real.description);
  };
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
  if (s.pending > 0) return 3;
  if (s.failed > 0) return 2;
  return 0;
}

export function formatSummary(s: SendSummary, command: string): string[] {
  const lines: string[] = [];
  if (s.stopped === "declined") return [`Not sent: «${s.subject}» went to nobody. Run the command again and answer y, or add --yes.`];
  const verb = s.mode === "dry-run" ? "Dry run (nothing delivered) of" : s.mode === "test" ? "Test copies of" : "Sent";
  lines.push(`${verb} «${s.subject}» via ${s.transport} in ${(s.elapsedMs / 1000).toFixed(1)} s`);
  lines.push(
    `  readers in the list: ${s.total} · sent now: ${s.sent}${s.alreadySent ? ` · already sent earlier: ${s.alreadySent}` : ""} · failed: ${s.failed} · suppressed: ${s.suppressed} · invalid: ${s.invalid} · duplicates: ${s.duplicates}`,
  );
  if (s.resent) {
    lines.push(`  resent after a crash: ${s.resent} (they were in flight when the previous run stopped; they may get the issue twice):`);
    for (const a of s.resentAddresses.slice(0, 20)) lines.push(`    ${a}`);
  }
  if (s.failures.length) {
    lines.push("  failed:");
    for (const f of s.failures.slice(0, 50)) lines.push(`    ${f.email} — ${f.code ?? ""} ${f.message}`.replace(/ {2,}/g, " "));
    if (s.failed > 50) lines.push(`    … and ${s.failed - 50} more (rassylka status ${s.slug})`);
  }
  if (s.invalidRows.length) {
    lines.push("  invalid addresses (skipped):");
    for (const r of s.invalidRows.slice(0, 50)) lines.push(`    line ${r.line}: "${r.address}" — ${r.reason}`);
    if (s.invalid > 50) lines.push(`    … and ${s.invalid - 50} more`);
  }
  if (s.stopped === "paused") {
    lines.push(
      `Paused: too many temporary failures in a row — the server looks down (last: ${s.pauseReason ?? "?"}). ${s.pending} reader(s) still pending; when the server is back, re-run: ${command}`,
    );
  } else if (s.stopped === "signal") {
    lines.push(`Stopped. ${s.pending} reader(s) still pending; re-run to resume: ${command}`);
  } else if (s.pending > 0) {
    lines.push(`${s.pending} reader(s) still pending; re-run to resume: ${command}`);
  }
  return lines;
}

async function defaultAsk(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Ctrl-C or Ctrl-D at the prompt is a "no" (readline would otherwise swallow the Ctrl-C and wait)
    return await new Promise<string>((resolve) => {
      rl.on("SIGINT", () => resolve(""));
      rl.on("close", () => resolve(""));
      rl.question(question).then(resolve, () => resolve(""));
    });
  } finally {
    rl.close();
  }
}

export async function runSendCommand(issue: string, flags: SendFlags, io: Io, runtime: SendRuntime): Promise<number> {
  if (flags.group !== undefined) return runSendsayCampaign(issue, flags, io, runtime);
  const root = resolve(flags.root);
  const mode: SendMode = flags.test ? "test" : flags.dryRun ? "dry-run" : "send";
  if (flags.test && flags.to)
    throw bad("--test and --to together", "send test copies with --test a@x.ru alone, then the real send with --to", "--test");
  if (!flags.test && !flags.to) throw bad("no recipients", "pass --to list.csv (a CSV with an email column) or --to a@x.ru,b@y.ru", "--to");
  const audience = flags.test ? addressList(flags.test) : audienceFrom(flags.to!, flags.encoding);
  if (mode === "send" && !flags.yes && !runtime.tty) {
    throw bad(
      "a real send needs confirmation, and this is not a terminal",
      "add --yes to send without asking (or --dry-run to try it first)",
      "--yes",
    );
  }
  const named = makeTransport(flags, runtime, root);
  const transport = mode === "dry-run" ? withDryRun(named) : named;

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
    summary = await sendIssue({
      root,
      issue,
      audience,
      mode,
      transport,
      stateFile: flags.state ? resolve(flags.state) : undefined, // a flag's path is relative to where you are
      rate: flags.rate,
      // SMTP: twice the pool size in flight, so a connection never waits for the ledger between messages
      concurrency: flags.transport === "smtp" && !flags.dryRun ? flags.concurrency * 2 : flags.concurrency,
      maxAttempts: flags.maxAttempts,
      retryDelay: flags.retryDelay,
      allowChanged: flags.allowChanged,
      signal: controller.signal,
      env: runtime.env,
      onProgress: (p) => progress.update(p),
      confirm: flags.yes
        ? undefined
        : async (info) => {
            const answer = await (runtime.ask ?? defaultAsk)(
              `Send «${info.subject}» to ${info.recipients} recipients via ${info.transport}? [y/N] `,
            );
            return /^(y|yes|д|да)$/i.test(answer.trim());
          },
    });
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const command = `rassylka ${process.argv.slice(2).join(" ")}`;
  if (flags.json) io.out(JSON.stringify({ ...summary, exitCode: exitCode(summary) }, null, 2));
  else for (const line of formatSummary(summary, command)) io.out(line);
  if (mode === "send" && flags.transport === "outbox" && summary.sent > 0 && !flags.json) {
    io.out(`Open the messages in ${relative(process.cwd(), join(root, "outbox", summary.slug)) || "."}/ (one .eml per reader).`);
  }
  return exitCode(summary);
}

export function registerSend(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("send")
    .description("deliver an issue to a list over SMTP or into outbox/<slug>/*.eml, with a crash-safe ledger (re-run to resume)")
    .argument("<issue>", "issue file or slug")
    .option("--to <list>", "recipients: a CSV file with an email column, or a@x.ru,b@y.ru")
    .option("--transport <name>", "outbox (one .eml per reader, the default), smtp or sendsay", "outbox")
    .option("--smtp-url <url>", `smtp://user:pass@host:587 or smtps://… (default: $${SMTP_URL_ENV})`)
    .option("--rate <n>", "at most N messages per second (default: no limit)", nonNegative("--rate"))
    .option(
      "--concurrency <n>",
      "SMTP connections (pool size); up to twice as many messages are in flight",
      positiveInt("--concurrency"),
      5,
    )
    .option("--max-attempts <n>", "attempts per reader on temporary failures", positiveInt("--max-attempts"), 5)
    .option("--retry-delay <ms>", "base of the exponential backoff between attempts", nonNegative("--retry-delay"), 2000)
    .option("--state <file>", "the state file (ledger and suppressions)", undefined)
    .option("--dry-run", "do everything except deliver")
    .option("--test <addrs>", "send test copies ([TEST] in the subject) to these addresses; not counted as the send")
    .option("--yes", "do not ask for confirmation (needed when not on a terminal)")
    .option("--json", "print the summary as JSON")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--encoding <name>", "encoding of the CSV: utf-8 (default) or windows-1251", "utf-8")
    .option("--allow-changed", "continue a send although the issue changed since it started")
    .option("--group <id>", "with --transport sendsay: send to this Sendsay list as one campaign (docs/sendsay.md)")
    .option("--force", "with --group: submit although an earlier submission is in doubt or already sent")
    .option("--without-subscriber-fields", "with --group: send everyone the version with subscriber fields empty")
    .action(async (issue: string, flags: SendFlags) => {
      const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY);
      setCode(await runSendCommand(issue, flags, io, { env: process.env, tty, stream: process.stderr }));
    });
}
