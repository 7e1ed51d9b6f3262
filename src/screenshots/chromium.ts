import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";

/**
 * The system Chromium, driven by playwright-core (which ships no browser of its own). We never download
 * one: Debian's `chromium` package or any Chrome on PATH will do, or CHROMIUM_PATH names it.
 */
export const CHROMIUM_ENV = "CHROMIUM_PATH";
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/**
 * Flags for a quiet, offline, CI-friendly headless browser: no sandbox (containers and CI runners lack
 * user namespaces), no GPU, and none of the background traffic Chrome starts on its own (updates, sync).
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const installFix = () => t("screenshots:chromium.install");

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, else the first of chromium / chromium-browser / google-chrome on PATH; throws with the fix. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[CHROMIUM_ENV]?.trim();
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new RassylkaError({
      ruleId: "screenshots/no-chromium",
      severity: "error",
      message: t("screenshots:chromium.notExecutable", { env: CHROMIUM_ENV, path: explicit }),
      fix: t("screenshots:chromium.notExecutable.fix", { env: CHROMIUM_ENV }),
    });
  }
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new RassylkaError({
    ruleId: "screenshots/no-chromium",
    severity: "error",
    message: t("screenshots:chromium.notFound", { env: CHROMIUM_ENV, names: CHROMIUM_NAMES.join(", ") }),
    fix: installFix(),
  });
}

/** Launch the system Chromium headless; a failed launch becomes a RassylkaError that keeps the cause. */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = findChromium(env);
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (cause) {
    throw new RassylkaError(
      {
        ruleId: "screenshots/chromium-failed",
        severity: "error",
        message: t("screenshots:chromium.failed", { path: executablePath, error: (cause as Error).message.split("\n")[0] }),
        fix: t("screenshots:chromium.failed.fix", { path: executablePath, install: installFix() }),
      },
      { cause },
    );
  }
}
