import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_MOVE_TO, fetchBounces, IMAP_URL_ENV, maskImapUrl } from "../bounces/imap.js";
import { addToCounts, type BounceCounts, BounceProcessor, emptyCounts, type MessageOutcome } from "../bounces/process.js";
import { readSources, type SourceProblem } from "../bounces/sources.js";
import { loadConfig } from "../config/load.js";
import { RassylkaError, warning } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { newsletterId } from "../identity/newsletter.js";
import { SECRET_ENV } from "../identity/token.js";
import { isPostgresUrl, stateLocation } from "../state/location.js";
import { openStore, type Store } from "../state/store.js";
import { formatDiagnostic, type Io } from "./print.js";

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

interface Report {
  counts: BounceCounts;
  messages: MessageOutcome[];
  problems: SourceProblem[];
  mailbox?: { url: string; moved: number; left: number; movedTo: string };
}

async function withProcessor<T>(flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv, fn: (p: BounceProcessor) => Promise<T>): Promise<T> {
  const root = resolve(flags.root);
  const { config } = await loadConfig(root);
  const secret = env[SECRET_ENV] && env[SECRET_ENV].length >= 16 ? env[SECRET_ENV] : undefined;
  if (!secret) {
    io.err(
      formatDiagnostic(
        warning(
          "bounces/no-secret",
          `${SECRET_ENV} is not set: VERP tokens cannot be read; bounces are matched by Message-ID and recipient only`,
          {
            fix: `export the same ${SECRET_ENV} the send used`,
          },
        ),
      ),
    );
  }
  const flag = flags.state && !isPostgresUrl(flags.state) ? resolve(flags.state) : flags.state;
  const store: Store = await openStore(stateLocation(root, flag, env));
  try {
    return await fn(new BounceProcessor({ store, listId: newsletterId(config), secret, softLimit: config.bounces.softLimit }));
  } finally {
    await store.close();
  }
}

function describe(o: MessageOutcome): string {
  if (o.duplicate) return `${o.label}: already imported`;
  if (o.type === "not-bounce") return `${o.label}: not a bounce (${o.why ?? "?"})`;
  const what = o.recipients.map((r) => {
    const kind = r.kind === "complaint" ? "complaint" : `${r.kind} bounce`;
    const code = r.status ? ` ${r.status}` : "";
    if (!r.email) return `${kind}${code}, not attributed to a reader`;
    return `${kind}${code}: ${r.email} (issue ${r.issue}, by ${r.via})${r.suppressed ? " → suppressed" : ""}`;
  });
  return `${o.label}: ${o.type === "arf" ? "ARF" : o.type === "dsn" ? "DSN" : "non-standard"}: ${what.join("; ") || "no recipient"}`;
}

function print(report: Report, flags: BouncesFlags, io: Io): void {
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
  if (report.mailbox)
    io.out(`${report.mailbox.url}: ${report.mailbox.moved} moved to "${report.mailbox.movedTo}", ${report.mailbox.left} left in place.`);
}

export async function runImport(files: string[], flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const report: Report = { counts: emptyCounts(), messages: [], problems: [] };
  await withProcessor(flags, io, env, async (processor) => {
    for await (const message of readSources(
      files.map((f) => resolve(f)),
      report.problems,
    )) {
      let outcome: MessageOutcome;
      try {
        outcome = await processor.process(message.raw, message.label);
      } catch (e) {
        if (e instanceof RassylkaError) throw e;
        report.problems.push({ label: message.label, problem: `not a readable message (${(e as Error).message})` });
        continue;
      }
      report.messages.push(outcome);
      addToCounts(report.counts, outcome);
    }
  });
  print(report, flags, io);
  return report.problems.length ? 1 : 0;
}

export async function runFetch(flags: BouncesFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const url = env[IMAP_URL_ENV];
  const report: Report = { counts: emptyCounts(), messages: [], problems: [] };
  const movedTo = flags.moveTo?.trim() || DEFAULT_MOVE_TO;
  await withProcessor(flags, io, env, async (processor) => {
    const result = await fetchBounces(url, { moveTo: movedTo, tlsInsecure: flags.insecureTls }, async (raw, label) => {
      let outcome: MessageOutcome;
      try {
        outcome = await processor.process(raw, label);
      } catch (e) {
        if (e instanceof RassylkaError) throw e;
        // left in the mailbox for a person to look at
        report.problems.push({ label, problem: `not a readable message (${(e as Error).message})` });
        return { move: false };
      }
      report.messages.push(outcome);
      addToCounts(report.counts, outcome);
      // bounces and complaints (and those already imported) are done with; other mail stays where it is
      return { move: outcome.duplicate || outcome.type !== "not-bounce" };
    });
    report.mailbox = { url: maskImapUrl(url ?? ""), moved: result.moved, left: result.left, movedTo };
  });
  print(report, flags, io);
  return report.problems.length ? 1 : 0;
}

export function registerBounces(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("bounces").description(t("cli:command.bounces"));
  const common = (c: Command) =>
    c
      .option("--state <file|url>", "the state file, or postgres://… (default RASSYLKA_DATABASE_URL, else .rassylka/state.sqlite)")
      .option("--root <dir>", "the newsletter's folder", ".")
      .option(
        "--json",
        "print as JSON: { counts: { messages, hard, soft, complained, notBounce, unattributed, duplicates, suppressed }, messages, problems }",
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
