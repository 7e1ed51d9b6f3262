import { constants } from "node:fs";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { CACHE_DIR, fileCache, noCache } from "../compile/cache.js";
import { compileIssueFiles } from "../compile/compile.js";
import { type Diagnostic, hasErrors, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { ISSUES_DIR, listIssueFiles, loadProject, type Project, resolveIssueFile } from "../project/project.js";
import { ASSETS_DIR } from "../render/assets-dir.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { buildSearchIndex, type SearchIndexResult } from "../search/build.js";
import { removeStaleTempFiles, toPosix, writeFileIfChanged } from "../util/fs.js";
import { rememberSite, type SiteInputs, siteUnchanged, webVersion } from "./cached.js";
import { type ManifestEntry, readManifest, writeManifest } from "./manifest.js";

/**
 * `rassylka build`'s outputs: `<out>/<slug>.html` (web version), `.txt`, optional `.mjml`,
 * `manifest.json`, the archive and the feed. Compiling is src/compile; this module decides what is written.
 */
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
  /** Empty the output folder first (`build --clean`); refused for a folder that is not inside the root. */
  clean?: boolean;
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
  /** The issues written to the output folder. */
  built: BuiltIssue[];
  /**
   * Drafts: compiled and checked like the others (their errors fail the build), never written to the
   * output folder — what earlier builds wrote for an issue that is a draft now is removed. The preview
   * shows drafts; the published folder holds only what is meant for readers.
   */
  drafts: BuiltIssue[];
  /** Errors and warnings of every issue, each naming its file. */
  diagnostics: Diagnostic[];
  /** Source files that failed. */
  failed: string[];
  /** The archive's search index (docs/search.md): built when newsletter.yaml has `url`. */
  search?: SearchIndexResult;
}

/**
 * `rassylka build`: every issue (or the given ones) → `<out>/<slug>.html`, `.txt`, optional `.mjml`,
 * and `<out>/manifest.json`. One bad issue does not stop the others. Files are written atomically.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const project = await loadProject(options.root, { cache: options.cache !== false });
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
      message: t("build:noIssues", { dir: ISSUES_DIR }),
      file: `${ISSUES_DIR}/`,
      fix: t("build:noIssues.fix"),
    });
  }
  if (options.write !== false && options.clean) await emptyOutDir(root, outDir);
  if (options.write !== false) {
    // a build killed while writing left its temp files behind: this run removes them
    await Promise.all([removeStaleTempFiles(outDir, { depth: 2 }), removeStaleTempFiles(join(root, CACHE_DIR), { depth: 2 })]);
  }
  const built: BuiltIssue[] = [];
  const drafts: BuiltIssue[] = [];
  const diagnostics: Diagnostic[] = [];
  const failed: string[] = [];
  const slugs = new Map<string, string>();
  // a poll id names one poll in the whole newsletter: the issues not built now keep theirs (manifest)
  const building = new Set(files.map((f) => toPosix(relative(root, f))));
  const pollOwners = new Map<string, string>();
  for (const e of await readManifest(outDir)) if (!building.has(e.source)) for (const p of e.polls ?? []) pollOwners.set(p.id, e.source);
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
        message: t("build:slugTaken", { slug: c.slug, other }),
        file,
        field: "slug",
        fix: t("build:slugTaken.fix"),
      });
      failed.push(file);
      continue;
    }
    const taken = (c.polls ?? []).find((p) => pollOwners.has(p.id) && pollOwners.get(p.id) !== file);
    if (taken) {
      diagnostics.push({
        ruleId: "poll/duplicate-id",
        severity: "error",
        message: t("polls:duplicate", { id: taken.id, other: pollOwners.get(taken.id) }),
        file,
        field: "poll",
        fix: t("polls:duplicate.fix"),
      });
      failed.push(file);
      continue;
    }
    slugs.set(c.slug, file);
    // the templates' modules (Handlebars) are loaded only for what must be rendered: src/site/cached.ts
    const rendered = await webVersion(c, options.cache === false ? undefined : root);
    const web = c.polls?.length
      ? { ...rendered, html: (await import("./polls-page.js")).webVersionPolls(rendered.html, c.polls, project.config.config) }
      : rendered;
    // a draft's polls are not published: its ids stay free until it is
    if (!c.draft) for (const p of c.polls ?? []) pollOwners.set(p.id, file);
    (c.draft ? drafts : built).push({
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
        ...(c.assets?.length ? { assets: c.assets.map((a) => a.name) } : {}),
        ...(c.polls?.length ? { polls: c.polls } : {}),
      },
    });
  }
  let search: SearchIndexResult | undefined;
  if (options.write !== false) {
    const config = project.config.config;
    const all = new Set((await listIssueFiles(root)).map((f) => toPosix(relative(root, f))));
    const entries = await writeOutputs(outDir, built, drafts, options, all);
    // the archive's search index, with the archive (src/search): every published issue of the whole manifest
    if (config.url) {
      search = await buildSearchIndex(
        outDir,
        config,
        entries,
        built.map((b) => b.compiled),
      );
      diagnostics.push(...search.diagnostics);
    }
    // web versions with their nav bars, archive index.html and feed.xml, from the whole manifest (src/site)
    const pages = new Map(built.map((b) => [b.entry.slug, b.html]));
    await publish(root, options.cache !== false, { outDir, config, entries, pages, search });
  }
  return { outDir, built, drafts, diagnostics, failed, search };
}

/**
 * The publish step (src/site/site.ts), unless it last ran with the same inputs and its files are still as
 * it left them (src/site/cached.ts): then it would write nothing, and nothing of it is loaded.
 */
async function publish(root: string, cache: boolean, inputs: Omit<SiteInputs, "search"> & { search?: SearchIndexResult }): Promise<void> {
  const { outDir, config, entries, pages, search } = inputs;
  const memo = cache ? await siteUnchanged(root, { ...inputs, search: search?.fingerprint }) : undefined;
  if (memo?.unchanged) return;
  const [{ publishSite }, { searchBox }] = await Promise.all([import("./site.js"), import("./search-box.js")]);
  const { files } = await publishSite(outDir, config, entries, pages, search ? searchBox(config, search) : "");
  if (memo?.key) await rememberSite(root, outDir, memo.key, files);
}

/**
 * Text parts, MJML and the manifest; the web versions are written by publishSite. Returns the manifest.
 * `all`: the sources of every issue there is now. The manifest keeps the entries of issues not built this
 * time whose files still exist (a build of some issues, or one that failed now: its last good output stays);
 * what earlier builds wrote for issues that are gone (deleted, renamed, given another slug) or are drafts
 * now is removed, so nothing is published that no issue says any more.
 */
async function writeOutputs(
  outDir: string,
  built: BuiltIssue[],
  drafts: BuiltIssue[],
  options: BuildOptions,
  all: Set<string>,
): Promise<ManifestEntry[]> {
  await Promise.all(
    built.flatMap((b) => [
      writeFileIfChanged(join(outDir, b.entry.text), b.text),
      options.emitMjml ? writeFileIfChanged(join(outDir, `${b.compiled.slug}.mjml`), b.compiled.mjml) : undefined,
    ]),
  );
  const previous = await readManifest(outDir);
  const mine = new Set([...built, ...drafts].map((b) => b.entry.source));
  const slugs = new Set(built.map((b) => b.entry.slug));
  // an entry an earlier version wrote for a draft is not kept either: its files go
  const kept = previous.filter((e) => !mine.has(e.source) && all.has(e.source) && !slugs.has(e.slug) && !e.draft);
  const entries = [...kept, ...built.map((b) => b.entry)];
  const live = new Set(entries.map((e) => e.slug));
  await removeOutputs(
    outDir,
    previous.filter((e) => !live.has(e.slug)),
  );
  await publishAssets(options.root, outDir, built, entries);
  return writeManifest(outDir, entries);
}

/**
 * The pictures of the issues built now, copied to `<out>/assets/<name>.<hash><ext>` (a name is never
 * rewritten: its bytes are in it); pictures no issue of the manifest uses any more are removed.
 */
async function publishAssets(root: string, outDir: string, built: BuiltIssue[], entries: ManifestEntry[]): Promise<void> {
  const dir = join(outDir, ASSETS_DIR);
  const wanted = built.flatMap((b) => b.compiled.assets ?? []);
  if (wanted.length) await mkdir(dir, { recursive: true });
  await Promise.all(
    wanted.map((a) => copyFile(join(resolve(root), a.source), join(dir, a.name), constants.COPYFILE_EXCL).catch(() => undefined)),
  );
  const used = new Set(entries.flatMap((e) => e.assets ?? []));
  const present = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(present.filter((n) => !used.has(n)).map((n) => rm(join(dir, n), { force: true })));
}

/** The files a build writes for an issue (slugs from the manifest are checked: they cannot name a path). */
async function removeOutputs(outDir: string, gone: ManifestEntry[]): Promise<void> {
  await Promise.all(gone.flatMap((e) => [".html", ".txt", ".mjml"].map((ext) => rm(join(outDir, `${e.slug}${ext}`), { force: true }))));
}

/**
 * `build --clean`: the output folder emptied before the build. Only a folder inside the newsletter's root
 * and not the root itself: `--out .` or `--out ../site` with --clean would delete the editor's own files.
 */
async function emptyOutDir(root: string, outDir: string): Promise<void> {
  const rel = relative(root, outDir);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) {
    throw new RassylkaError({
      ruleId: "build/clean-refused",
      severity: "error",
      message: t("clean:refused", { out: outDir }),
      field: "--out",
      fix: t("clean:refusedFix"),
    });
  }
  const names = await readdir(outDir).catch(() => [] as string[]);
  await Promise.all(names.map((n) => rm(join(outDir, n), { recursive: true, force: true })));
}
