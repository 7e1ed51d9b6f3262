import type { Command } from "commander";
import { DEFAULT_MOVE_TO, IMAP_URL_ENV } from "../bounces/imap.js";
import type { MessageOutcome } from "../bounces/process.js";
import { type BounceReport, type BounceRun, fetchBounceMailbox, importBounces, listBounces } from "../bounces/run.js";
import { warning } from "../diagnostics.js";
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
  trustUnverified?: boolean;
}

/** Why a message is not a bounce (src/bounces/parse.ts: English, as --json gives it), in the editor's language. */
function whyText(why: string | undefined): string {
  if (why === "not recognised as a bounce") return t("bounces:why.unknown");
  const auto = /^auto-reply \((.*)\)$/.exec(why ?? "");
  return auto ? t("bounces:why.autoReply", { why: auto[1] }) : (why ?? "?");
}

function describe(o: MessageOutcome): string {
  if (o.duplicate) return t("bounces:duplicate", { label: o.label });
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
  if (o.type === "not-bounce") return t("bounces:notBounce", { label: o.label, why: whyText(o.why) });
  const what = o.recipients.map((r) => {
    const kind = r.kind === "complaint" ? t("bounces:complaint") : t(`bounces:kind.${r.kind}`);
    const code = r.status ? ` ${r.status}` : "";
    if (!r.email) return t("bounces:unattributed", { kind, code });
    if (r.unverified) return t("bounces:unverified", { what: `${kind}${code}`, email: r.email, issue: r.issue, via: r.via });
    return t("bounces:recipient", {
      kind,
      code,
      email: r.email,
      issue: r.issue,
      via: r.via,
      suppressed: r.suppressed ? t("bounces:suppressed") : "",
    });
  });
  const type = o.type === "arf" ? "ARF" : o.type === "dsn" ? "DSN" : t("bounces:nonStandard");
  return `${o.label}: ${type}: ${what.join("; ") || t("bounces:noRecipient")}`;
}

function print(report: BounceReport, flags: BouncesFlags, io: Io): void {
  if (flags.json) {
    io.out(JSON.stringify(report, null, 2));
    return;
  }
  for (const m of report.messages) io.out(describe(m));
  for (const p of report.problems)
    io.err(`${t("bounces:cannotRead", { label: p.label, problem: p.note })}${p.fix ? `\n  ${t("cli:fix")}: ${p.fix}` : ""}`);
  const c = report.counts;
  io.out(t("bounces:counts", { ...c, count: c.messages, suppressed: t("bounces:readers", { count: c.suppressed }) }));
  if (c.unsubscribed) io.out(t("deliverability:mailto.count", { count: c.unsubscribed }));
  if (c.unverified > 0)
    io.err(
      formatDiagnostic(
        warning("bounces/unverified", t("bounces:unverifiedHint", { count: c.unverified }), { fix: t("bounces:unverifiedFix") }),
      ),
    );
  if (report.mailbox)
    io.out(
      t("bounces:mailbox", {
        url: report.mailbox.url,
        moved: report.mailbox.moved,
        folder: report.mailbox.movedTo,
        left: report.mailbox.left,
      }),
    );
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
  return {
    root: flags.root,
    location: stateFromFlags(flags, env),
    env,
    onWarning: (d) => io.err(formatDiagnostic(d)),
    trustUnverified: flags.trustUnverified,
  };
}

export async function runList(flags: BouncesFlags & { unverified?: boolean; issue?: string }, io: Io, env = process.env): Promise<number> {
  const rows = await listBounces(stateFromFlags(flags, env), { unverified: flags.unverified, issue: flags.issue });
  if (flags.json) io.out(JSON.stringify(rows, null, 2));
  else if (!rows.length) io.out(t(flags.unverified ? "bounces:noneUnverified" : "bounces:none"));
  else for (const r of rows) io.out([r.bounced_at, r.issue, r.email, r.kind, r.status ?? ""].join("\t"));
  return 0;
}

export function registerBounces(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("bounces").description(t("cli:command.bounces"));
  const common = (c: Command) =>
    c
      .option("--state <file|url>", t("cli:flag.state"))
      .option("--root <dir>", t("cli:flag.root"), ".")
      .option("--json", t("bounces:flag.json"));
  common(cmd.command("import").description(t("bounces:import.description")).argument("<files...>"))
    .option("--trust-unverified", t("bounces:flag.trustUnverified"))
    .action(async (files: string[], flags: BouncesFlags) => setCode(await runImport(files, flags, io)));
  common(cmd.command("list").description(t("bounces:list.description")))
    .option("--unverified", t("bounces:flag.unverified"))
    .option("--issue <slug>", t("bounces:flag.issue"))
    .action(async (flags: BouncesFlags & { unverified?: boolean; issue?: string }) => setCode(await runList(flags, io)));
  common(cmd.command("fetch").description(t("bounces:fetch.description", { env: IMAP_URL_ENV })))
    .option("--move-to <folder>", t("bounces:flag.moveTo"), DEFAULT_MOVE_TO)
    .option("--insecure-tls", t("bounces:flag.insecureTls"))
    .action(async (flags: BouncesFlags) => setCode(await runFetch(flags, io)));
}
