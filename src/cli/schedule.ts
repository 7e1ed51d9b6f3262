import type { Command } from "commander";
import { t, tr } from "../i18n/index.js";
import type { PushedIssue, PushResult } from "../schedule/push.js";
import { wallTime } from "../util/zoned-time.js";
import { formatDiagnostic, type Io } from "./print.js";
import { DATABASE_URL_ENV, stateArgument, stateFromFlags } from "./state-flag.js";

/**
 * `rassylka schedule push|list` (docs/schedule.md): the use-cases are src/schedule/push.ts and list.ts.
 * push exits 1 when an issue could not be recorded (the others are recorded all the same), else 0.
 */
export interface ScheduleFlags {
  root: string;
  state?: string;
  json?: boolean;
}

const audienceText = (a: unknown) => (typeof a === "string" ? a : `sendsay ${(a as { sendsay: string }).sendsay}`);

function pushLine(i: PushedIssue, zone: string): string {
  const at = `${wallTime(i.sendAt, zone, false)} (${zone})`;
  const audience = audienceText(i.audience);
  if (i.previousSendAt && (i.action === "updated" || i.action === "missed"))
    return t("schedule:push.moved", { slug: i.slug, from: wallTime(i.previousSendAt, zone, false), at });
  return t(`schedule:push.${i.action}`, { slug: i.slug, at, audience, state: t(`schedule:state.${i.state}`) });
}

export async function runPush(flags: ScheduleFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { pushSchedule } = await import("../schedule/push.js");
  const state = stateArgument(stateFromFlags(flags, env));
  const result: PushResult = await pushSchedule({ root: flags.root, state, env });
  const failed = result.diagnostics.some((d) => d.severity === "error");
  if (flags.json) io.out(JSON.stringify({ ...result, exitCode: failed ? 1 : 0 }, null, 2));
  else {
    if (!result.issues.length && !result.diagnostics.length) io.out(t("schedule:push.none"));
    for (const i of result.issues) io.out(pushLine(i, result.timezone));
    if (result.diagnostics.length) {
      io.err(t("schedule:push.failed", { count: new Set(result.diagnostics.map((d) => d.file)).size }));
      for (const d of result.diagnostics) io.err(formatDiagnostic(d));
    }
  }
  return failed ? 1 : 0;
}

export async function runList(flags: ScheduleFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { listSchedule } = await import("../schedule/list.js");
  const state = stateArgument(stateFromFlags(flags, env));
  const rows = await listSchedule({ root: flags.root, state, env });
  if (flags.json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (!rows.length) io.out(t("schedule:list.none"));
  for (const r of rows) {
    const readers = r.readers === null ? "" : `, ${t("schedule:list.readers", { count: r.readers })}`;
    const note = r.note ? ` — ${r.note}` : "";
    const sendsay = r.sendsay
      ? ` — ${r.sendsay.state === "unknown" ? t("schedule:list.sendsayUnknown", { reason: r.sendsay.note }) : t("schedule:list.sendsay", { state: r.sendsay.note })}${r.sendsay.error ? ` (${r.sendsay.error})` : ""}`
      : "";
    io.out(
      `${tr().date(r.sendAt, true)}  ${t(`schedule:state.${r.state}`).padEnd(12)} ${r.slug} (${audienceText(r.audience)}${readers})${note}${sendsay}`,
    );
  }
  return 0;
}

export function registerSchedule(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("schedule").description(t("cli:command.schedule"));
  const stateHelp = t("schedule:flag.state", { env: DATABASE_URL_ENV });
  cmd
    .command("push")
    .description(t("schedule:cmd.push"))
    .option("--state <file|url>", stateHelp)
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("schedule:flag.pushJson"))
    .action(async (flags: ScheduleFlags) => setCode(await runPush(flags, io)));
  cmd
    .command("list")
    .description(t("schedule:cmd.list"))
    .option("--state <file|url>", stateHelp)
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--json", t("schedule:flag.listJson"))
    .action(async (flags: ScheduleFlags) => setCode(await runList(flags, io)));
}
