import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { type Diagnostic, hasErrors, RassylkaError } from "../diagnostics.js";
import { type Issue, parseIssue } from "../issue/load.js";
import { publishSite } from "../publish/site.js";
import { renderWebVersion } from "../render/personalise.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { loadTemplates, type TemplateSet } from "../render/templates.js";
import { toPosix, writeFileIfChanged } from "../util/fs.js";
import { type BuildCache, cacheKey, fileCache, noCache } from "./cache.js";
import { compileInWorker, PARALLEL_MIN_ISSUES, takeQueued, workerCount } from "./parallel.js";

export const ISSUES_DIR = "issues";

export interface BuildOptions {
  root: string;
  /** Output folder, relative to root unless absolute. Default `dist`. */
  out?: string;
  /** Issue files to build (paths or slugs); default: every `issues/*.md`. */
  files?: string[];
  cache?: boolean;
  emitMjml?: boolean;
  /** Write files (default true). The preview and send compile without writing. */
  write?: boolean;
}

/** One object of `dist/manifest.json`: what a compiled issue says of itself, and where its files are. */
export interface ManifestEntry extends Pick<CompiledIssue, "slug" | "source" | "title" | "subject" | "preheader" | "date" | "draft"> {
  html: string;
  text: string;
  htmlBytes: number;
  warnings: Diagnostic[];
}

export interface BuiltIssue {
  compiled: CompiledIssue;
  html: string;
  text: string;
  entry: ManifestEntry;
  fromCache: boolean;
}

export interface BuildResult {
  outDir: string;
  built: BuiltIssue[];
  /** Errors and warnings of every issue, each naming its file. */
  diagnostics: Diagnostic[];
  /** Source files that failed. */
  failed: string[];
}

/** Project context shared by every issue of one build: config and templates, loaded once. */
export interface Project {
  root: string;
  config: LoadedConfig;
  templates: TemplateSet;
}

export async function loadProject(root: string): Promise<Project> {
  const absRoot = resolve(root);
  const [config, templates] = await Promise.all([loadConfig(absRoot), loadTemplates(absRoot)]);
  return { root: absRoot, config, templates };
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
    try {
      await readFile(c);
      return c;
    } catch {}
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
    message: `no issue "${ref}"`,
    fix: `give a path to an issue file or the slug of one in ${ISSUES_DIR}/ (${files.map((f) => relative(root, f)).join(", ") || "none there"})`,
  });
}

/** Identifies a project's config and templates: build workers reload when it changes. */
export function projectKey(project: Project): string {
  return cacheKey({ issueSource: "", configSource: project.config.source, templatesHash: project.templates.hash });
}

// Loaded on the first cache miss: a build served from the cache never loads markdown-it, typograf,
// html-to-text or MJML. Kept once loaded: each import() is a trip through the module loader.
let pipeline: Promise<typeof import("../render/pipeline.js")> | undefined;
function loadPipeline() {
  pipeline ??= import("../render/pipeline.js");
  return pipeline;
}

/** Stages 2–8 for one issue's text, no cache. Never throws for bad input: errors come back as diagnostics. */
export async function compileIssueText(
  project: Project,
  absPath: string,
  text: string,
): Promise<{ compiled?: CompiledIssue; issue?: Issue; diagnostics: Diagnostic[] }> {
  const file = toPosix(relative(project.root, absPath));
  const { issue, diagnostics } = parseIssue(text, file, project.config.config);
  if (!issue) return { diagnostics };
  issue.absPath = absPath;
  try {
    const { compileIssue } = await loadPipeline();
    const result = await compileIssue(issue, { config: project.config.config, templates: project.templates });
    return { compiled: result.compiled, issue, diagnostics: result.diagnostics };
  } catch (error) {
    // a stage that throws on this issue must not take the other issues down with it
    return {
      issue,
      diagnostics: [
        {
          ruleId: "build/crash",
          severity: "error",
          message: `compiling failed: ${(error as Error).message}`,
          file,
          fix: "this is a bug: report it with this issue file and the message",
        },
      ],
    };
  }
}

async function readIssue(project: Project, absPath: string): Promise<{ file: string; text?: string; key?: string; error?: Diagnostic }> {
  const file = toPosix(relative(project.root, absPath));
  try {
    const text = await readFile(absPath, "utf8");
    const key = cacheKey({ issueSource: `${file}\0${text}`, configSource: project.config.source, templatesHash: project.templates.hash });
    return { file, text, key };
  } catch (e) {
    return {
      file,
      error: {
        ruleId: "issue/unreadable",
        severity: "error",
        message: `cannot read: ${(e as Error).message}`,
        file,
        fix: "check the path",
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
  const hit = await cache.get(read.key);
  if (hit) return { compiled: hit, diagnostics: hit.warnings, fromCache: true };
  const r = await compileIssueText(project, absPath, read.text);
  if (r.compiled) await cache.set(read.key, r.compiled);
  return { ...r, fromCache: false };
}

/**
 * Compile many issue files: cache hits first, then the misses — on worker threads when there are
 * enough of them to pay for starting the threads (src/build/parallel.ts), the main thread working too.
 */
export async function compileIssueFiles(
  project: Project,
  files: string[],
  cache: BuildCache,
): Promise<{ compiled?: CompiledIssue; diagnostics: Diagnostic[]; fromCache: boolean }[]> {
  const reads = await Promise.all(files.map((f) => readIssue(project, f)));
  const hits = await Promise.all(reads.map((r) => (r.key ? cache.get(r.key) : undefined)));
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

/**
 * `rassylka build`: every issue (or the given ones) → `<out>/<slug>.html`, `.txt`, optional `.mjml`,
 * and `<out>/manifest.json`. One bad issue does not stop the others. Files are written atomically.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const project = await loadProject(options.root);
  return buildProject(project, options);
}

export async function buildProject(project: Project, options: BuildOptions): Promise<BuildResult> {
  const root = project.root;
  const outDir = resolve(root, options.out ?? "dist");
  const cache = options.cache === false ? noCache : fileCache(root);
  // a file named twice (by path and by slug) is built once, not reported as its own duplicate
  const files = options.files?.length
    ? [...new Set(await Promise.all(options.files.map((f) => resolveIssueFile(root, f))))]
    : await listIssueFiles(root);
  if (!files.length) {
    throw new RassylkaError({
      ruleId: "build/no-issues",
      severity: "error",
      message: `no issues in ${ISSUES_DIR}/`,
      file: `${ISSUES_DIR}/`,
      fix: 'write one with `rassylka new "Title"`',
    });
  }
  const built: BuiltIssue[] = [];
  const diagnostics: Diagnostic[] = [];
  const failed: string[] = [];
  const slugs = new Map<string, string>();
  const results = await compileIssueFiles(project, files, cache);
  for (const [n, absPath] of files.entries()) {
    const r = results[n];
    const file = toPosix(relative(root, absPath));
    diagnostics.push(...r.diagnostics);
    if (!r.compiled || hasErrors(r.diagnostics)) {
      failed.push(file);
      continue;
    }
    const c = r.compiled;
    const other = slugs.get(c.slug);
    if (other) {
      diagnostics.push({
        ruleId: "build/duplicate-slug",
        severity: "error",
        message: `slug "${c.slug}" is already used by ${other}`,
        file,
        field: "slug",
        fix: "give one of the issues another `slug:` in its front-matter, or rename its file",
      });
      failed.push(file);
      continue;
    }
    slugs.set(c.slug, file);
    const web = renderWebVersion(c);
    built.push({
      compiled: c,
      ...web,
      fromCache: r.fromCache,
      entry: {
        slug: c.slug,
        source: file,
        title: c.title,
        subject: c.subject,
        preheader: c.preheader,
        date: c.date,
        draft: c.draft,
        html: `${c.slug}.html`,
        text: `${c.slug}.txt`,
        htmlBytes: Buffer.byteLength(web.html),
        warnings: c.warnings,
      },
    });
  }
  if (options.write !== false) {
    const all = await listIssueFiles(root);
    const existing = files.length < all.length ? new Set(all.map((f) => toPosix(relative(root, f)))) : undefined;
    const entries = await writeOutputs(outDir, built, options, existing);
    // web versions with their nav bars, archive index.html and feed.xml, from the whole manifest (src/publish)
    await publishSite(outDir, project.config.config, entries, new Map(built.map((b) => [b.entry.slug, b.html])));
  }
  return { outDir, built, diagnostics, failed };
}

/** Text parts, MJML and the manifest; the web versions are written by publishSite. Returns the manifest. */
/** `existing`: on a build of some issues, the sources of all issues (other entries are kept if still there). */
async function writeOutputs(outDir: string, built: BuiltIssue[], options: BuildOptions, existing?: Set<string>): Promise<ManifestEntry[]> {
  await Promise.all(
    built.flatMap((b) => [
      writeFileIfChanged(join(outDir, b.entry.text), b.text),
      options.emitMjml ? writeFileIfChanged(join(outDir, `${b.compiled.slug}.mjml`), b.compiled.mjml) : undefined,
    ]),
  );
  // A build of some issues keeps the manifest entries of the others whose files still exist.
  let entries = built.map((b) => b.entry);
  if (existing) {
    const previous = await readManifest(outDir);
    const mine = new Set(entries.map((e) => e.source));
    entries = [...previous.filter((e) => !mine.has(e.source) && existing.has(e.source)), ...entries];
  }
  entries.sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug));
  await writeFileIfChanged(join(outDir, "manifest.json"), `${JSON.stringify(entries, null, 2)}\n`);
  return entries;
}

export async function readManifest(outDir: string): Promise<ManifestEntry[]> {
  try {
    return JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8")) as ManifestEntry[];
  } catch {
    return [];
  }
}
