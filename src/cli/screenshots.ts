import { relative } from "node:path";
import type { Command } from "commander";
import { t } from "../i18n/index.js";
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
    if (s.blocked.length) io.out(`    blocked ${s.blocked.length} network request(s): remote images show as missing`);
  }
  const ms = Math.round(performance.now() - started);
  io.out(
    `Wrote ${result.shots.reduce((n, s) => n + s.pngs.length, 0)} screenshot(s) of ${result.shots.length} issue(s) into ${where(result.outDir)}/ in ${ms} ms${
      result.failed.length ? `; ${result.failed.length} did not build: ${result.failed.join(", ")}` : ""
    }.`,
  );
  return result.failed.length ? 1 : 0;
}

export function registerScreenshots(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("screenshots")
    .description(t("cli:command.screenshots"))
    .argument("[files...]", "issue files or slugs (default: every issues/*.md)")
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--out <dir>", "output folder, relative to the root", "dist/screenshots")
    .option("--no-cache", "ignore and do not write .rassylka/cache")
    .action(async (files: string[], flags: ScreenshotsFlags) => setCode(await runScreenshots(files, flags, io)));
}
