import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { CONFIG_FILE } from "../config/load.js";
import { ISSUES_DIR } from "../project/project.js";
import { TEMPLATES_DIR } from "../render/templates.js";

/** What changed since the last rebuild. */
export interface Changes {
  /** Absolute paths of issue files that were written, created or removed. */
  issues: string[];
  /** newsletter.yaml or a template changed: reload the project, rebuild every issue. */
  project: boolean;
  /** The issues folder changed in a way we cannot pin to a file: list it again. */
  rescan: boolean;
}

/**
 * Watch newsletter.yaml, templates/ and issues/ with fs.watch and report debounced batches of changes.
 * We watch folders, not files: editors save by writing a temp file and renaming it over the old one,
 * which ends a watch on the file itself. A folder that appears later (issues/ in a new newsletter) is
 * picked up through the watch on the root.
 */
export function watchNewsletter(root: string, onChange: (changes: Changes) => void, options: { debounceMs: number }): () => void {
  const issuesDir = join(root, ISSUES_DIR);
  const templatesDir = join(root, TEMPLATES_DIR);
  let batch: Changes = { issues: [], project: false, rescan: false };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    const b = batch;
    batch = { issues: [], project: false, rescan: false };
    if (!closed && (b.issues.length || b.project || b.rescan)) onChange(b);
  };
  const note = (change: Partial<Changes>) => {
    if (change.issues) for (const f of change.issues) if (!batch.issues.includes(f)) batch.issues.push(f);
    batch.project ||= !!change.project;
    batch.rescan ||= !!change.rescan;
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs);
  };

  const watchers = new Map<string, FSWatcher>();
  const arm = (name: string, dir: string, recursive: boolean, listener: (filename: string | null) => void) => {
    if (watchers.has(name) || closed) return;
    try {
      const w = watch(dir, { recursive, persistent: false }, (_event, filename) => listener(filename ? String(filename) : null));
      // the folder was removed or renamed: forget the watcher; the root's watch re-arms it when it is back
      w.on("error", () => {
        w.close();
        watchers.delete(name);
      });
      watchers.set(name, w);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM" && recursive) {
        arm(`${name}/layouts`, join(dir, "layouts"), false, listener);
        arm(`${name}/partials`, join(dir, "partials"), false, listener);
      }
      // a missing folder is fine: it is armed when it appears
    }
  };
  const armIssues = () =>
    arm("issues", issuesDir, false, (filename) => {
      if (filename === null) note({ rescan: true });
      else if (filename.endsWith(".md")) note({ issues: [join(issuesDir, filename)] });
    });
  const armTemplates = () =>
    arm("templates", templatesDir, true, (filename) => {
      if (filename === null || !/\.tmp$|~$|\.swp$/.test(filename)) note({ project: true });
    });
  arm("root", root, false, (filename) => {
    if (filename === null || filename === CONFIG_FILE) note({ project: true });
    else if (filename === ISSUES_DIR) {
      watchers.get("issues")?.close();
      watchers.delete("issues");
      armIssues();
      note({ rescan: true });
    } else if (filename === TEMPLATES_DIR) {
      for (const [name, w] of watchers) {
        if (name.startsWith("templates")) {
          w.close();
          watchers.delete(name);
        }
      }
      armTemplates();
      note({ project: true });
    }
  });
  armIssues();
  armTemplates();

  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
}
