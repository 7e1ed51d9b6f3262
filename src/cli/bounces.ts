import type { Command } from "commander";
import { DEFAULT_MOVE_TO, IMAP_URL_ENV } from "../bounces/imap.js";
import type { MessageOutcome } from "../bounces/process.js";
import { type BounceReport, type BounceRun, fetchBounceMailbox, importBounces } from "../bounces/run.js";
import { t } from "../i18n/index.js";
import { formatDiagnostic, type Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

/**
 * `rassylka bounces import FILE…` and `rassylka bounces fetch`: bounces and complaints that came back
 * after a send (docs/bounces.md). Exit codes: 0 every file (or the mailbox) could be read — messages that
 * are not bounces are counted, not errors; 1 a file or message could not be read, or the mailbox not reached.
 */
export interface BouncesFlags {
  root: string;
  state?: string;
  json?: boolean;
  moveTo?: string;
  insecureTls?: boolean;
}

function describe(o: MessageOutcome): string {
  if (o.duplicate) return `${o.label}: already imported`;
  if (o.type === "unsubscribe")
    return o.recipients
      .map((r) =>
        !r.email
          ? t("deliverability:mailto.forged", { label: o.label })
          : t(r.suppressed ? "deliverability:mailto.unsubscribed" : "deliverability:mailto.already", {
              label: o.label,
              email: r.email,
              issue: r.issue,
            }),
      )
      .join("\n");
  if (o.type === "not-bounce") return `${o.label}: not a bounce (${o.why ?? "?"})`;
  const what = o.recipients.map((r) => {
    const kind = r.kind === "complaint" ? "complaint" : `${r.kind} bounce`;
    const code = r.status ? ` ${r.status}` : "";
    if (!r.email) return `${kind}${code}, not attributed to a reader`;
    return `${kind}${code}: ${r.email} (issue ${r.issue}, by ${r.via})${r.suppressed ? " → suppressed" : ""}`;
  });
  return `${o.label}: ${o.type === "arf" ? "ARF" : o.type === "dsn" ? "DSN" : "non-standard"}: ${what.join("; ") || "no recipient"}`;
}

function print(report: BounceReport, flags: BouncesFlags, io: Io): void {
  if (flags.json) {
    io.out(JSON.stringify(report, null, 2));
    return;
  }
  for (const m of report.messages) io.out(describe(m));
  for (const p of report.problems) io.err(`error: cannot read ${p.label}: ${p.problem}`);
  const c = report.counts;
  io.out(
    `${c.messages} message(s): hard ${c.hard} · soft ${c.soft} · complained ${c.complained} · not a bounce ${c.notBounce} · unattributed ${c.unattributed} · already imported ${c.duplicates}; ${c.suppressed} reader(s) suppressed.`,
  );
  if (c.unsubscribed) io.out(t("deliverability:mailto.count", { count: c.unsubscribed }));
  if (report.mailbox)
    io.out(`${report.mailbox.url}: ${report.mailbox.moved} moved to "${report.mailbox.movedTo}", ${report.mailbox.left} left in place.`);
}

export async function runImport(files: string[], flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const report = await importBounces(bounceRun(flags, io, env), files);
  print(report, flags, io);
  return report.problems.length ? 1 : 0;
}

export async function runFetch(flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const report = await fetchBounceMailbox(bounceRun(flags, io, env), flags);
  print(report, flags, io);
  return report.problems.length ? 1 : 0;
}

function bounceRun(flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv): BounceRun {
  return { root: flags.root, location: stateFromFlags(flags, env), env, onWarning: (d) => io.err(formatDiagnostic(d)) };
}

export function registerBounces(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("bounces").description(t("cli:command.bounces"));
  const common = (c: Command) =>
    c
      .option("--state <file|url>", "the state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
      .option("--root <dir>", "the newsletter's folder", ".")
      .option(
        "--json",
        "print as JSON: { counts: { messages, hard, soft, complained, unsubscribed, notBounce, unattributed, duplicates, suppressed }, messages, problems }",
      );
  common(
    cmd
      .command("import")
      .description("read bounce messages from .eml files, mbox files or Maildir folders (nothing is moved or deleted)")
      .argument("<files...>"),
  ).action(async (files: string[], flags: BouncesFlags) => setCode(await runImport(files, flags, io)));
  common(
    cmd
      .command("fetch")
      .description(`read the bounce mailbox over IMAP (${IMAP_URL_ENV}); bounces are moved to --move-to, other mail is left alone`),
  )
    .option("--move-to <folder>", "where processed bounces go (created when missing)", DEFAULT_MOVE_TO)
    .option("--insecure-tls", "do not verify the IMAP server's certificate (trusted networks only)")
    .action(async (flags: BouncesFlags) => setCode(await runFetch(flags, io)));
}
