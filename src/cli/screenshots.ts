import { relative } from "node:path";
import type { Command } from "commander";
import { t, tr } from "../i18n/index.js";
import { takeScreenshots } from "../screenshots/screenshots.js";
import { formatDiagnostic, type Io } from "./print.js";

export interface ScreenshotsFlags {
  root: string;
  out?: string;
  cache: boolean;
}

/** Exit codes: 0 every issue shot; 1 at least one did not build (the others are still shot) or no Chromium. */
export async function runScreenshots(files: string[], flags: ScreenshotsFlags, io: Io): Promise<number> {
  const started = performance.now();
  const result = await takeScreenshots({ root: flags.root, files, out: flags.out, cache: flags.cache });
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  const where = (p: string) => relative(process.cwd(), p) || ".";
  for (const s of result.shots) {
    io.out(`  ${s.file} → ${s.pngs.map(where).join(", ")}`);
    if (s.blocked.length) io.out(t("screenshots:blocked", { count: s.blocked.length }));
  }
  const ms = Math.round(performance.now() - started);
  io.out(
    t("screenshots:summary", {
      shots: t("screenshots:shots", { count: result.shots.reduce((n, s) => n + s.pngs.length, 0) }),
      issues: t("screenshots:issues", { count: result.shots.length }),
      dir: where(result.outDir),
      ms: tr().number(ms),
      failed: result.failed.length ? t("screenshots:failed", { count: result.failed.length, files: result.failed.join(", ") }) : "",
    }),
  );
  return result.failed.length ? 1 : 0;
}

export function registerScreenshots(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("screenshots")
    .description(t("cli:command.screenshots"))
    .argument("[files...]", t("cli:flag.files"))
    .option("--root <dir>", t("cli:flag.root"), ".")
    .option("--out <dir>", t("screenshots:flag.out"), "dist/screenshots")
    .option("--no-cache", t("cli:flag.noCache"))
    .action(async (files: string[], flags: ScreenshotsFlags) => setCode(await runScreenshots(files, flags, io)));
}
