import { lstat } from "node:fs/promises";
import { relative } from "node:path";
import { type Diagnostic, error, hasErrors, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { Issue } from "../issue/load.js";
import { decodeIssueText, htmlNesting } from "../issue/text.js";
import { type Project, resolveIssueFile } from "../project/project.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { readRegularFile, realPathWithin, toPosix } from "../util/fs.js";
import { type BuildCache, cacheKey, fileCache } from "./cache.js";
import { compileInWorker, PARALLEL_MIN_ISSUES, takeQueued, workerCount } from "./parallel.js";

/**
 * Compiling issues: one (`compileIssueFile`) or many (`compileIssueFiles`, on worker threads when it
 * pays), through the build cache. The stages themselves are src/render/pipeline.ts.
 */
/**
 * A cached issue, unless one of its pictures changed since (their bytes are not in the cache key: the
 * issue names them, so they are known only after compiling it). Pictures' module loads only for issues with pictures.
 */
async function fresh(project: Project, hit: CompiledIssue | undefined): Promise<CompiledIssue | undefined> {
  if (!hit?.assets?.length) return hit;
  const { assetsUnchanged } = await import("../render/images.js");
  return assetsUnchanged(project.root, hit.assets) ? hit : undefined;
}

/** Identifies a project's config and templates: build workers reload when it changes. */
export function projectKey(project: Project): string {
  return cacheKey({ issueSource: "", configSource: project.config.source, templatesHash: project.templates.hash });
}

// Loaded on the first cache miss: a build served from the cache never loads the front-matter parser,
// markdown-it, typograf, html-to-text or MJML. Kept once loaded: each import() is a trip through the
// module loader.
let pipeline: Promise<typeof import("../render/pipeline.js")> | undefined;
function loadPipeline() {
  pipeline ??= import("../render/pipeline.js");
  return pipeline;
}
let issueLoader: Promise<typeof import("../issue/load.js")> | undefined;
function loadIssueLoader() {
  issueLoader ??= import("../issue/load.js");
  return issueLoader;
}

/** Stages 2–8 for one issue's text, no cache. Never throws for bad input: errors come back as diagnostics. */
export async function compileIssueText(
  project: Project,
  absPath: string,
  text: string,
): Promise<{ compiled?: CompiledIssue; issue?: Issue; diagnostics: Diagnostic[] }> {
  const file = toPosix(relative(project.root, absPath));
  const { parseIssue } = await loadIssueLoader();
  const { issue, diagnostics } = parseIssue(text, file, project.config.config);
  if (!issue) return { diagnostics };
  issue.absPath = absPath;
  try {
    const { compileIssue } = await loadPipeline();
    const result = await compileIssue(issue, { config: project.config.config, templates: project.templates, root: project.root });
    return { compiled: result.compiled, issue, diagnostics: result.diagnostics };
  } catch (error) {
    // a stage that throws on this issue must not take the other issues down with it
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { issue, diagnostics: [tooDeep(issue)] };
    return {
      issue,
      diagnostics: [
        {
          ruleId: "build/crash",
          severity: "error",
          message: t("build:compileFailed", { error: (error as Error).message }),
          file,
          fix: t("build:compileFailed.fix"),
        },
      ],
    };
  }
}

/** The parsers ran out of stack on this issue: its raw HTML nests too deeply; where it is deepest. */
function tooDeep(issue: Issue): Diagnostic {
  const { depth, line } = htmlNesting(issue.body);
  return error("issue/too-deep", t("issue-text:tooDeep", { depth }), {
    file: issue.file,
    line: line + issue.bodyOffset,
    fix: t("issue-text:tooDeep.fix", { depth }),
  });
}

async function readIssue(project: Project, absPath: string): Promise<{ file: string; text?: string; key?: string; error?: Diagnostic }> {
  const file = toPosix(relative(project.root, absPath));
  // Only the newsletter's own files are built and published: an issue that is a symlink to a file
  // elsewhere (or a path outside the folder) would put that file on the web.
  const where = await realPathWithin(project.root, absPath);
  if (where.real !== undefined && !where.inside) {
    const link = (await lstat(absPath)).isSymbolicLink();
    const root = project.root;
    const message = link ? t("build:outside.link", { file, real: where.real, root }) : t("build:outside.path", { path: absPath, root });
    return {
      file,
      error: error("issue/outside-root", message, {
        file,
        fix: t("build:outside.fix", { root }),
      }),
    };
  }
  try {
    const decoded = decodeIssueText(await readRegularFile(absPath), file);
    if ("error" in decoded) return { file, error: decoded.error };
    const { text } = decoded;
    const key = cacheKey({ issueSource: `${file}\0${text}`, configSource: project.config.source, templatesHash: project.templates.hash });
    return { file, text, key };
  } catch (e) {
    return {
      file,
      error: {
        ruleId: "issue/unreadable",
        severity: "error",
        message: t("build:cannotRead", { error: (e as Error).message }),
        file,
        fix: t("build:cannotRead.fix"),
      },
    };
  }
}

/** Compile one issue file (cached). Never throws for bad input: errors come back as diagnostics. */
export async function compileIssueFile(
  project: Project,
  absPath: string,
  cache: BuildCache,
): Promise<{ compiled?: CompiledIssue; issue?: Issue; diagnostics: Diagnostic[]; fromCache: boolean }> {
  const read = await readIssue(project, absPath);
  if (read.error || read.text === undefined || !read.key) return { diagnostics: read.error ? [read.error] : [], fromCache: false };
  const hit = await fresh(project, await cache.get(read.key));
  if (hit) return { compiled: hit, diagnostics: hit.warnings, fromCache: true };
  const r = await compileIssueText(project, absPath, read.text);
  if (r.compiled) await cache.set(read.key, r.compiled);
  return { ...r, fromCache: false };
}

/**
 * Compile many issue files: cache hits first, then the misses — on worker threads when there are
 * enough of them to pay for starting the threads (src/compile/parallel.ts), the main thread working too.
 */
export async function compileIssueFiles(
  project: Project,
  files: string[],
  cache: BuildCache,
): Promise<{ compiled?: CompiledIssue; diagnostics: Diagnostic[]; fromCache: boolean }[]> {
  const reads = await Promise.all(files.map((f) => readIssue(project, f)));
  const hits = await Promise.all(reads.map(async (r) => (r.key ? fresh(project, await cache.get(r.key)) : undefined)));
  const results: { compiled?: CompiledIssue; diagnostics: Diagnostic[]; fromCache: boolean }[] = new Array(files.length);
  const misses: number[] = [];
  reads.forEach((r, i) => {
    const hit = hits[i];
    if (r.error || r.text === undefined) results[i] = { diagnostics: r.error ? [r.error] : [], fromCache: false };
    else if (hit) results[i] = { compiled: hit, diagnostics: hit.warnings, fromCache: true };
    else misses.push(i);
  });
  const compileHere = async (i: number) => {
    const r = await compileIssueText(project, files[i], reads[i].text!);
    return { compiled: r.compiled, diagnostics: r.diagnostics };
  };
  // Cache writes go on while the next issue compiles; all are awaited before returning.
  const writes: Promise<void>[] = [];
  const done = (i: number, r: { compiled?: CompiledIssue; diagnostics: Diagnostic[] }) => {
    results[i] = { ...r, fromCache: false };
    if (r.compiled) writes.push(cache.set(reads[i].key!, r.compiled));
  };
  if (misses.length >= PARALLEL_MIN_ISSUES && workerCount() > 0) {
    const key = projectKey(project);
    const pending = misses.map((i) => ({ i, p: compileInWorker(project.root, files[i], key) }));
    // The main thread takes queued tasks too, until the queue is empty.
    for (let task = takeQueued(); task; task = takeQueued()) {
      const i = files.indexOf(task.absPath);
      task.resolve(await compileHere(i));
      // let the workers' replies in: they are handed their next tasks from this thread
      await new Promise((r) => setImmediate(r));
    }
    for (const { i, p } of pending) done(i, await p);
  } else {
    for (const i of misses) done(i, await compileHere(i));
  }
  await Promise.all(writes);
  return results;
}

/** One issue (a path or a slug), compiled through the cache; its errors become a RassylkaError naming the file. */
export async function compileOrThrow(
  project: Project,
  ref: string,
): Promise<{ compiled: CompiledIssue; file: string; warnings: Diagnostic[] }> {
  const file = await resolveIssueFile(project.root, ref);
  const r = await compileIssueFile(project, file, fileCache(project.root));
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.compiled || hasErrors(r.diagnostics)) {
    throw new RassylkaError(
      errors.length
        ? errors
        : [
            {
              ruleId: "build/failed",
              severity: "error",
              message: t("build:didNotCompile"),
              file,
              fix: t("build:didNotCompile.fix"),
            },
          ],
    );
  }
  return { compiled: r.compiled, file, warnings: r.diagnostics };
}
