import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { loadConfigCached } from "../config/cached.js";
import type { LoadedConfig } from "../config/load.js";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { loadTemplates, type TemplateSet } from "../render/templates.js";

/**
 * The newsletter on disk: its folder, `newsletter.yaml`, `templates/` and `issues/*.md`. Finding and
 * loading them is all this module does; compiling is src/compile, writing outputs src/site.
 */
export const ISSUES_DIR = "issues";

/** Project context shared by every issue of one build: config and templates, loaded once. */
export interface Project {
  root: string;
  config: LoadedConfig;
  templates: TemplateSet;
}

/** `cache`: newsletter.yaml through the build cache (src/config/cached.ts), for a build that uses it. */
export async function loadProject(root: string, options: { cache?: boolean } = {}): Promise<Project> {
  const absRoot = resolve(root);
  // both load at once, but a missing or broken newsletter.yaml is reported first, whichever fails sooner
  const [config, templates] = await Promise.allSettled([
    // the YAML parser and the schema are loaded only when the config is read
    options.cache ? loadConfigCached(absRoot) : import("../config/load.js").then(({ loadConfig }) => loadConfig(absRoot)),
    loadTemplates(absRoot),
  ]);
  if (config.status === "rejected") throw config.reason;
  if (templates.status === "rejected") throw templates.reason;
  return { root: absRoot, config: config.value, templates: templates.value };
}

/** Every `issues/*.md` under root, sorted by name. */
export async function listIssueFiles(root: string): Promise<string[]> {
  const dir = join(root, ISSUES_DIR);
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** A path (absolute, relative to cwd or root) or a slug → the issue file. */
export async function resolveIssueFile(root: string, ref: string): Promise<string> {
  // the newsletter's own file first: `--root DIR issues/x.md` must not pick up ./issues/x.md of the cwd
  const candidates = isAbsolute(ref) ? [ref] : [resolve(root, ref), resolve(ref)];
  for (const c of candidates) {
    // stat, not a read: a FIFO given by name must reach the build's clear error, not hang here
    if (
      await stat(c).then(
        () => true,
        () => false,
      )
    )
      return c;
  }
  const files = await listIssueFiles(root);
  const bySlug = files.find((f) => f.endsWith(`/${ref}.md`) || f.endsWith(`-${ref}.md`));
  if (bySlug) return bySlug;
  // the slug may be set in front-matter
  for (const f of files) {
    const text = await readFile(f, "utf8");
    if (new RegExp(`^slug:\\s*["']?${ref.replace(/[^\w-]/g, "")}["']?\\s*$`, "m").test(text)) return f;
  }
  throw new RassylkaError({
    ruleId: "issue/not-found",
    severity: "error",
    message: t("build:noIssue", { ref }),
    fix: t("build:noIssue.fix", { dir: ISSUES_DIR, files: files.map((f) => relative(root, f)).join(", ") || t("build:noIssue.none") }),
  });
}
