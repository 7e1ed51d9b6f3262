import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { RassylkaError } from "../diagnostics.js";

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

const INSTALL_FIX =
  "install one (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome executable, e.g. CHROMIUM_PATH=/usr/bin/chromium";

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
      message: `${CHROMIUM_ENV} is set to "${explicit}", which is not an executable file`,
      fix: `point ${CHROMIUM_ENV} at a Chromium or Chrome binary (see \`command -v chromium\`), or unset it and install one: \`sudo apt-get install chromium\``,
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
    message: `no Chromium found: ${CHROMIUM_ENV} is not set and none of ${CHROMIUM_NAMES.join(", ")} is on PATH`,
    fix: INSTALL_FIX,
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
        message: `Chromium at ${executablePath} did not start: ${(cause as Error).message.split("\n")[0]}`,
        fix: `check that \`${executablePath} --headless --no-sandbox --dump-dom about:blank\` runs; ${INSTALL_FIX}`,
      },
      { cause },
    );
  }
}
