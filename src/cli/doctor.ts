import { resolve } from "node:path";
import type { Command } from "commander";
import { hasErrors } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { Io } from "./print.js";
import { formatDiagnostic } from "./print.js";

interface DoctorFlags {
  root: string;
  json?: boolean;
  dns?: string;
  message?: string;
}

/** `rassylka doctor [--json] [--dns HOST:PORT] [--message FILE.eml]`: exit 1 when any error, else 0. */
export async function runDoctorCommand(flags: DoctorFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { loadProject } = await import("../project/project.js");
  const { dkimFromEnv } = await import("../message/message.js");
  const { doctor, dnsLookup } = await import("../deliverability/doctor.js");
  const { ehloName } = await import("../send/ehlo.js");
  const project = await loadProject(resolve(flags.root));
  const config = project.config.config;
  const smtpUrl = env.SMTP_URL;
  let smtpHost: string | undefined;
  try {
    smtpHost = smtpUrl ? new URL(smtpUrl).hostname : undefined;
  } catch {}
  const report = await doctor({ config, dkim: dkimFromEnv(env), smtpHost, dns: flags.dns, ehlo: ehloName(config, env) });
  if (flags.message) {
    const { checkMessage } = await import("../deliverability/message.js");
    report.findings.push(...(await checkMessage(resolve(flags.message), dnsLookup(flags.dns).resolver)));
  }
  const code = hasErrors(report.findings) ? 1 : 0;
  if (flags.json) {
    io.out(JSON.stringify({ from: report.from, ehlo: report.ehlo, findings: report.findings, exitCode: code }, null, 2));
    return code;
  }
  io.out(t("deliverability:doctor.title", { from: report.from }));
  for (const d of report.findings) io.out(formatDiagnostic(d));
  const errors = report.findings.filter((d) => d.severity === "error").length;
  io.out(errors ? t("deliverability:doctor.errors", { count: errors }) : t("deliverability:doctor.ok"));
  return code;
}

export function registerDoctor(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("doctor")
    .description(t("cli:command.doctor"))
    .option("--json", t("deliverability:doctor.flag.json"))
    .option("--dns <host:port>", t("deliverability:doctor.flag.dns"))
    .option("--message <file.eml>", t("deliverability:doctor.flag.message"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .action(async (flags: DoctorFlags) => {
      setCode(await runDoctorCommand(flags, io));
    });
}
