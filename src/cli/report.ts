import type { Command } from "commander";
import { tr } from "../i18n/index.js";
import type { ReportResult } from "../report/report.js";
import { abLines } from "../status/ab.js";
import type { Io } from "./print.js";
import { stateFromFlags } from "./state-flag.js";

export interface ReportFlags {
  root: string;
  state?: string;
  out?: string;
  json?: boolean;
}

/** `rassylka report [issue]`: writes the report page; prints the summary in the editor's language, or the figures as JSON. */
export async function runReport(
  ref: string | undefined,
  flags: ReportFlags,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { writeReport } = await import("../report/report.js");
  const result = await writeReport({ root: flags.root, location: stateFromFlags(flags, env), ref, out: flags.out, env });
  if (flags.json) {
    io.out(JSON.stringify(result.kind === "issue" ? result.report.figures : result.report, null, 2));
    return 0;
  }
  for (const line of summary(result)) io.out(line);
  return 0;
}

function summary(result: ReportResult): string[] {
  const w = tr();
  const n = (x: number) => w.number(x);
  const pct = (x: number | null) =>
    x === null ? w.t("report:none") : new Intl.NumberFormat(w.lang, { style: "percent", maximumFractionDigits: 1 }).format(x);
  if (result.kind === "newsletter") {
    const lines = result.report.issues.map(
      (i) =>
        `${i.issue}: ${w.t("report:stat.sent")} ${n(i.sent)} · ${w.t("report:stat.clicked")} ${n(i.clickers)} · ${w.t("report:stat.unsubscribed")} ${n(i.unsubscribed)} · ${w.t("report:stat.complained")} ${pct(i.complaintRate)}`,
    );
    if (!lines.length) lines.push(w.t("report:noIssues"));
    return [...lines, w.t("report:written", { file: result.file })];
  }
  const r = result.report;
  const f = r.figures;
  const lines = [
    w.t("report:title", { issue: r.subject ? `${f.issue} «${r.subject}»` : f.issue }),
    // who it went to (the audience the send recorded, or the Sendsay list), as `status` says it
    ...(r.audience ? [w.t("topics:status.audience", { audience: r.audience })] : []),
    `  ${w.t("report:listed", { n: n(f.counts.listed) })}`,
    `  ${w.t("report:sent", { n: n(f.counts.sent), failed: n(f.counts.failed) })}`,
    f.counts.bounced === null
      ? `  ${w.t("report:bouncedUnknown", { none: w.t("report:noSendsayData") })}`
      : `  ${w.t("report:bounced", { n: n(f.counts.bounced), hard: n(r.bounces.hard), soft: n(r.bounces.soft) })}`,
    `  ${w.t("report:complained", { n: f.counts.complained === null ? w.t("report:noSendsayData") : n(f.counts.complained) })}`,
    `  ${w.t("report:unsubscribed", { n: n(f.counts.unsubscribed), oneClick: n(r.unsubscribed.oneClick), page: n(r.unsubscribed.page) })}`,
    `  ${w.t("report:clicks", { unique: n(f.clicks.unique), human: n(f.clicks.human) })}`,
    `  ${w.t("report:clicksApart", { proxy: n(f.clicks.proxy), automated: n(f.clicks.automated) })}`,
    `  ${f.opens ? w.t("report:opens", { unique: n(f.opens.unique), proxy: n(f.opens.proxy) }) : w.t("report:opensOff")}`,
    `  ${w.t("report:rates", { ctr: pct(r.rates.clickThrough), cto: pct(r.rates.clickToOpen) })}`,
  ];
  if (f.ab) lines.push(...abLines(f.ab, f.issue));
  if (result.clickMap) lines.push(`  ${w.t("report:clickMapOff", { reason: result.clickMap })}`);
  lines.push(w.t("report:written", { file: result.file }));
  return lines;
}

export function registerReport(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("report")
    .description(tr().t("cli:command.report"))
    .argument("[issue]", tr().t("report:flag.issue"))
    .option("--out <dir>", tr().t("report:flag.out"), "report")
    .option("--json", tr().t("report:flag.json"))
    .option("--state <file|url>", tr().t("cli:poll.stateFlag"))
    .option("--root <dir>", tr().t("cli:flag.root"), ".")
    .action(async (issue: string | undefined, flags: ReportFlags) => setCode(await runReport(issue, flags, io)));
}
