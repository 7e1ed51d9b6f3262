import { relative } from "node:path";
import { fileCache, noCache } from "../compile/cache.js";
import { compileIssueFile } from "../compile/compile.js";
import type { Diagnostic } from "../diagnostics.js";
import { slugFromFile } from "../issue/slug.js";
import { listIssueFiles, loadProject, type Project, resolveIssueFile } from "../project/project.js";
import type { Subscriber } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import type { BuiltIssue } from "../site/build.js";
import { toPosix } from "../util/fs.js";
import { clientSupport } from "./client-support.js";
import { createLintContext, type LintRule } from "./context.js";
import { draft } from "./draft.js";
import { imgAlt } from "./img-alt.js";
import { links } from "./links.js";
import { mergeFields } from "./merge-fields.js";
import { messageSize } from "./message-size.js";
import { pastEvents } from "./past-events.js";
import { placeholder } from "./placeholder.js";
import { preheader } from "./preheader.js";
import { sendAt } from "./send-at.js";
import { sendsayTopic } from "./sendsay-topic.js";
import { subject } from "./subject.js";
import { unsubscribe } from "./unsubscribe.js";

/**
 * `rassylka lint`: checks an issue as readers will get it. One file per rule, each a function from the
 * shared LintContext (the issue rendered once per sample reader, its HTML parsed once) to Diagnostic[].
 * The public API — the preview server imports it; these signatures are stable:
 *
 *   lintIssue(project: Project, issue: CompiledIssue | BuiltIssue, options?: LintOptions): Promise<Diagnostic[]>
 *     Lint findings of one compiled issue (not its compile warnings: those are in compiled.warnings).
 *     Never throws for a bad issue; every finding has ruleId `lint/<rule>`, severity, message, file,
 *     line/column when known, fix and url.
 *
 *   lintProject(root: string, files?: string[], options?: LintProjectOptions): Promise<LintProjectResult>
 *     Loads the project (throws RassylkaError when newsletter.yaml or templates are unusable), compiles
 *     every issues/*.md (or the given paths/slugs) and lints each:
 *       { results: { file: string; slug: string; diagnostics: Diagnostic[] }[] }
 *     An issue that does not compile gets its compile errors as diagnostics (no lint findings).
 *
 *   LINT_RULES: readonly LintRule[]   the rules, in the order they run ({ id, check }).
 */
export interface LintOptions {
  /** The issue file's text, for line numbers; read from `project.root/<compiled.source>` when not given. */
  source?: string;
  /** Sample readers to render with; default: config `preview.subscribers` (or one empty reader). */
  subscribers?: Subscriber[];
  /** Run only these rules (ids with or without the `lint/` prefix). */
  rules?: string[];
  /** Slugs whose send began: a past `sendAt` is fine for them (lintProject reads them from the state). */
  sent?: ReadonlySet<string>;
}

export interface LintProjectOptions {
  /** Use the build cache in .rassylka/cache (default true). */
  cache?: boolean;
}

export interface LintFileResult {
  /** Issue file relative to the root, POSIX separators. */
  file: string;
  slug: string;
  diagnostics: Diagnostic[];
}

export interface LintProjectResult {
  results: LintFileResult[];
}

export type { LintContext, LintRule } from "./context.js";

export const LINT_RULES: readonly LintRule[] = [
  messageSize,
  subject,
  preheader,
  imgAlt,
  links,
  unsubscribe,
  mergeFields,
  pastEvents,
  draft,
  placeholder,
  clientSupport,
  sendAt,
  sendsayTopic,
];

function isBuilt(x: CompiledIssue | BuiltIssue): x is BuiltIssue {
  return "compiled" in x && typeof (x as BuiltIssue).compiled === "object";
}

export async function lintIssue(project: Project, issue: CompiledIssue | BuiltIssue, options: LintOptions = {}): Promise<Diagnostic[]> {
  const compiled = isBuilt(issue) ? issue.compiled : issue;
  const ctx = await createLintContext(project, compiled, options);
  const only = options.rules?.map((r) => (r.startsWith("lint/") ? r : `lint/${r}`));
  const out: Diagnostic[] = [];
  for (const rule of LINT_RULES) {
    if (only && !only.includes(rule.id)) continue;
    out.push(...(await rule.check(ctx)));
  }
  return out;
}

export async function lintProject(root: string, files?: string[], options: LintProjectOptions = {}): Promise<LintProjectResult> {
  const project = await loadProject(root);
  const paths = files?.length ? await Promise.all(files.map((f) => resolveIssueFile(project.root, f))) : await listIssueFiles(project.root);
  const cache = options.cache === false ? noCache : fileCache(project.root);
  const results: LintFileResult[] = [];
  // read from the state only when an issue is scheduled: a past sendAt is no mistake once the send began
  let sent: Promise<Set<string>> | undefined;
  const sentSlugs = async () => {
    const { startedSlugs } = await import("../state/schedule.js");
    const { stateLocation } = await import("../state/location.js");
    sent ??= startedSlugs(stateLocation(project.root));
    return sent;
  };
  for (const absPath of paths) {
    const file = toPosix(relative(project.root, absPath));
    const r = await compileIssueFile(project, absPath, cache);
    if (!r.compiled || r.diagnostics.some((d) => d.severity === "error")) {
      results.push({ file, slug: r.compiled?.slug ?? slugFromFile(file), diagnostics: r.diagnostics });
      continue;
    }
    const source = r.issue?.text;
    const scheduled = source === undefined || /^sendAt\s*:/m.test(source);
    const found = await lintIssue(project, r.compiled, { source, sent: scheduled ? await sentSlugs() : undefined });
    results.push({ file, slug: r.compiled.slug, diagnostics: [...r.diagnostics, ...found] });
  }
  return { results };
}
