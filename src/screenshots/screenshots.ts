import { join, relative, resolve } from "node:path";
import type { BrowserContext } from "playwright-core";
import { CACHE_DIR, fileCache, noCache } from "../compile/cache.js";
import { compileIssueFile } from "../compile/compile.js";
import { type Diagnostic, hasErrors, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { listIssueFiles, loadProject, resolveIssueFile } from "../project/project.js";
import { renderWebVersion } from "../render/personalise.js";
import { toPosix, writeFileAtomic } from "../util/fs.js";
import { findChromium, launchChromium } from "./chromium.js";
import { cachedShot, clientContext, keepShot, openIssuePage, SHOT_WIDTH, shotOfPage } from "./shot.js";

/**
 * `rassylka screenshots`: full-height PNGs of each issue's web version (no subscriber), as a desktop
 * client (600 CSS px), a phone (375 px) and a client in dark mode (600 px, prefers-color-scheme: dark).
 * One CSS pixel is one PNG pixel. The page gets no network at all: only the document itself is served
 * (from memory, through page.route); images, fonts and tracking pixels are refused, so a screenshot never
 * leaks a request and looks the same on every machine — remote images show as missing.
 */
export interface Variant {
  name: string;
  width: number;
  dark: boolean;
}

export const VARIANTS: Variant[] = [
  { name: "600", width: 600, dark: false },
  { name: "375", width: 375, dark: false },
  { name: "dark", width: 600, dark: true },
];

export interface ScreenshotOptions {
  root: string;
  /** Issue files or slugs; default every issues/*.md. */
  files?: string[];
  /** Relative to root unless absolute. Default dist/screenshots. */
  out?: string;
  cache?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface ScreenshotResult {
  outDir: string;
  /** `blocked`: the URLs the email asked for and did not get (remote images show as missing). */
  shots: { file: string; slug: string; pngs: string[]; blocked: string[] }[];
  diagnostics: Diagnostic[];
  failed: string[];
}

/** The PNG of one variant; the 600 px light one also leaves the report's click-map shot in `shotCache`. */
async function shoot(
  context: BrowserContext,
  slug: string,
  html: string,
  blocked: Set<string>,
  shotCache: string | undefined,
): Promise<Buffer> {
  const page = await openIssuePage(context, slug, html, blocked);
  try {
    const png = await page.screenshot({ fullPage: true, type: "png", animations: "disabled" });
    // the same page at the same width as the report's click map: a report after screenshots starts no browser
    if (shotCache && !(await cachedShot(shotCache, html))) await keepShot(shotCache, html, await shotOfPage(page));
    return png;
  } finally {
    await page.close();
  }
}

/** One browser for many emails: `shoot` gives a PNG per VARIANTS entry, in that order. */
export interface Screenshotter {
  shoot(slug: string, html: string): Promise<{ pngs: Buffer[]; blocked: string[] }>;
  close(): Promise<void>;
}

/**
 * Launch Chromium once (throws with the fix when there is none) and keep one context per variant. With
 * `shotCache` (the project's click-map cache) the 600 px light variant also keeps the report's shot there.
 */
export async function openScreenshotter(env?: NodeJS.ProcessEnv, shotCache?: string): Promise<Screenshotter> {
  const browser = await launchChromium(env);
  try {
    const contexts = await Promise.all(VARIANTS.map((v) => browser.newContext(clientContext(v.width, v.dark))));
    return {
      async shoot(slug, html) {
        const blocked = new Set<string>();
        const pngs: Buffer[] = [];
        for (const [i, context] of contexts.entries()) {
          const v = VARIANTS[i];
          const keep = v.width === SHOT_WIDTH && !v.dark ? shotCache : undefined;
          pngs.push(await shoot(context, slug, html, blocked, keep));
        }
        return { pngs, blocked: [...blocked].sort() };
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export async function takeScreenshots(options: ScreenshotOptions): Promise<ScreenshotResult> {
  // Fail before compiling anything when there is no browser to drive.
  findChromium(options.env);
  const project = await loadProject(options.root);
  const root = project.root;
  const outDir = resolve(root, options.out ?? join("dist", "screenshots"));
  const files = options.files?.length ? await Promise.all(options.files.map((f) => resolveIssueFile(root, f))) : await listIssueFiles(root);
  if (!files.length) {
    throw new RassylkaError({
      ruleId: "screenshots/no-issues",
      severity: "error",
      message: t("build:noIssues", { dir: "issues" }),
      file: "issues/",
      fix: t("build:noIssues.fix"),
    });
  }
  const cache = options.cache === false ? noCache : fileCache(root);
  const diagnostics: Diagnostic[] = [];
  const failed: string[] = [];
  const ready: { file: string; slug: string; html: string }[] = [];
  for (const absPath of files) {
    const r = await compileIssueFile(project, absPath, cache);
    const file = toPosix(relative(root, absPath));
    diagnostics.push(...r.diagnostics);
    if (!r.compiled || hasErrors(r.diagnostics)) failed.push(file);
    else ready.push({ file, slug: r.compiled.slug, html: renderWebVersion(r.compiled).html });
  }
  const shots: ScreenshotResult["shots"] = [];
  if (!ready.length) return { outDir, shots, diagnostics, failed };

  const shooter = await openScreenshotter(options.env, join(root, CACHE_DIR, "click-map"));
  try {
    for (const issue of ready) {
      const { pngs, blocked } = await shooter.shoot(issue.slug, issue.html);
      const paths: string[] = [];
      for (const [i, v] of VARIANTS.entries()) {
        const path = join(outDir, `${issue.slug}-${v.name}.png`);
        await writeFileAtomic(path, pngs[i]);
        paths.push(path);
      }
      shots.push({ file: issue.file, slug: issue.slug, pngs: paths, blocked });
    }
  } finally {
    await shooter.close();
  }
  return { outDir, shots, diagnostics, failed };
}
