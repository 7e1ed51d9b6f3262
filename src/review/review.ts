import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { type Diagnostic, isRassylkaError, RassylkaError } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { renderWebVersion } from "../render/personalise.js";
import { openScreenshotter, type Screenshotter, VARIANTS } from "../screenshots/screenshots.js";
import type { StateLocation } from "../state/location.js";
import { toPosix, writeFileAtomic } from "../util/fs.js";
import { type AudienceFileReview, type AudienceReach, canCount, changedAudienceFiles, reachOf } from "./audience-note.js";
import { diffPngs, diffText, type TextHunk } from "./compare.js";
import { type BaseCommit, exportProject, resolveBase } from "./git.js";
import { renderPage } from "./page.js";
import { scheduleNote } from "./schedule-note.js";
import { counts, failed, fileCache, type IssueReport, listIssueFiles, loadProject, noCache, type Project, reportIssue } from "./sources.js";
import type { Status } from "./strings.js";
import { renderSummary } from "./summary.js";

/**
 * `rassylka review`: every email a branch touches, before and after. The base side is the newsletter's
 * files at the merge base of `--base` and HEAD (exported from git into a temp folder), the after side is
 * the working tree as it is; both are compiled by this code, with the same cache (its keys are content
 * hashes, so an issue the branch did not touch is a cache hit on both sides).
 *
 * Which issues are compared (src/review/git.ts): the added and changed issue files,
 * or every issue when templates/ or newsletter.yaml changed. An issue left out there cannot render
 * differently (same bytes, same templates, same config, same code): it is listed as unchanged without
 * being screenshotted. A compared issue whose screenshots and text part come out the same is unchanged too.
 */
export interface ReviewOptions {
  root: string;
  /** A git ref: branch, tag or commit. */
  base: string;
  /** Relative to root unless absolute. Default `review`. */
  out?: string;
  cache?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The time printed on the page (tests pass a fixed one). */
  now?: Date;
  /** The newsletter's state: changed issues and audience files show how many readers they reach now. */
  state?: StateLocation;
}

/** One side (before or after) of an issue. */
export interface ReviewSide {
  subject?: string;
  /** An A/B test's subjects (docs/ab-testing.md), with the preheader each inbox row shows. */
  subjects?: string[];
  preheader?: string;
  /** The A/B test's sample per subject (0.1 for 10 %). */
  abSample?: number;
  title?: string;
  date?: string;
  draft: boolean;
  /** Encoded size of the message (see preview/size.ts), when it builds. */
  bytes?: number;
  errors: number;
  warnings: number;
  /** The first build error, when the issue does not build on this side. */
  buildError?: string;
}

export interface ReviewImage {
  /** File name next to index.html. */
  file: string;
  width: number;
  height: number;
}

export interface ReviewVariant {
  /** `600`, `375`, `dark` (as in `rassylka screenshots`). */
  name: string;
  /** Share of changed pixels, 0–1; null when only one side has a screenshot. */
  pixelsChanged: number | null;
  before?: ReviewImage;
  after?: ReviewImage;
  diff?: ReviewImage;
}

export interface IssueReview {
  slug: string;
  /** Relative to the root: issues/<name>.md. */
  file: string;
  status: Status;
  /** Changed pixels over all screenshots, 0–1; null for new and removed issues and those that do not build. */
  pixelsChanged: number | null;
  textChanged: boolean;
  before: ReviewSide | null;
  after: ReviewSide | null;
  /** Screenshots; empty for unchanged issues. */
  variants: ReviewVariant[];
  /** The text part's diff (empty when it did not change). */
  text: TextHunk[];
  /** Its scheduled send, as this change leaves it (src/review/schedule-note.ts); absent when not scheduled. */
  schedule?: string;
  /** How many readers its send to the subscribers reaches now (src/review/audience-note.ts); absent without state. */
  audience?: AudienceReach;
}

export interface ReviewResult {
  root: string;
  outDir: string;
  index: string;
  summary: string;
  base: BaseCommit;
  /** templates/ or newsletter.yaml differ: every issue was compared. */
  projectChanged: boolean;
  /** the editor's language: the page and summary are written in it */
  language: string;
  newsletter: string;
  issues: IssueReview[];
  /** audiences/*.yaml the branch added, changed or removed, with their reach now. */
  audiences: AudienceFileReview[];
  /** Build errors of the issues as they are now (the page shows them too). */
  diagnostics: Diagnostic[];
  generatedAt: Date;
}

export const DEFAULT_OUT = "review";
const STATUS_ORDER: Status[] = ["changed", "new", "removed", "unchanged"];

export async function review(options: ReviewOptions): Promise<ReviewResult> {
  const head = await loadProject(options.root);
  const root = head.root;
  const outDir = resolve(root, options.out ?? DEFAULT_OUT);
  const base = await resolveBase(root, options.base);
  const cache = options.cache === false ? noCache : fileCache(root);
  const tmp = await mkdtemp(join(tmpdir(), "rassylka-review-"));
  let shooter: Screenshotter | undefined;
  try {
    const baseProject = await loadBase(root, base, tmp);
    const projectChanged =
      !baseProject || baseProject.config.source !== head.config.source || baseProject.templates.hash !== head.templates.hash;
    const headFiles = await issueFiles(head);
    const baseFiles = baseProject ? await issueFiles(baseProject) : new Map<string, string>();
    const files = [...new Set([...headFiles.keys(), ...baseFiles.keys()])].sort();
    await prepareOut(outDir, root);

    const issues: IssueReview[] = [];
    const diagnostics: Diagnostic[] = [];
    const usedNames = new Set<string>();
    for (const file of files) {
      const headPath = headFiles.get(file);
      const basePath = baseFiles.get(file);
      const selected = projectChanged || !headPath || !basePath || !(await sameBytes(headPath, basePath));
      const after = headPath ? await reportIssue(head, headPath, cache) : undefined;
      // not selected: the same bytes through the same templates, config and code; the report is the same
      const before = basePath && baseProject ? (selected ? await reportIssue(baseProject, basePath, cache) : after) : undefined;
      if (after && failed(after)) diagnostics.push(...after.diagnostics.filter((d) => d.severity === "error"));
      const slug = uniqueName(after?.compiled?.slug ?? before?.compiled?.slug ?? basename(file, ".md"), usedNames);
      const entry: IssueReview = {
        slug,
        file,
        status: !basePath ? "new" : !headPath ? "removed" : "unchanged",
        pixelsChanged: !basePath || !headPath ? null : 0,
        textChanged: false,
        before: before ? side(before) : null,
        after: after ? side(after) : null,
        variants: [],
        text: [],
      };
      const schedule = await scheduleNote(basePath, headPath, head.config.config);
      if (schedule) entry.schedule = schedule;
      if (selected) {
        // Chromium starts on the first issue that needs screenshots, and not at all when none does
        await compare(entry, before, after, async () => (shooter ??= await openScreenshotter(options.env)), outDir);
      }
      if (headPath && entry.status !== "unchanged" && canCount(options.state))
        entry.audience = await reachOf(options.state, root, headPath);
      issues.push(entry);
    }
    issues.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.file.localeCompare(b.file));

    const config = head.config.config;
    const result: ReviewResult = {
      root,
      outDir,
      index: join(outDir, "index.html"),
      summary: join(outDir, "summary.md"),
      base,
      projectChanged,
      language: language(),
      newsletter: config.name,
      issues,
      audiences: await changedAudienceFiles(root, baseProject?.root, options.state),
      diagnostics,
      generatedAt: options.now ?? new Date(),
    };
    await writeFileAtomic(result.index, renderPage(result));
    await writeFileAtomic(result.summary, renderSummary(result));
    return result;
  } finally {
    await shooter?.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The JSON `--json` prints: one object per issue, for scripts. */
export function reviewJson(result: ReviewResult): unknown[] {
  return result.issues.map((i) => ({
    slug: i.slug,
    file: i.file,
    status: i.status,
    subject: i.after?.subject ?? i.before?.subject ?? null,
    pixelsChanged: i.pixelsChanged,
    textChanged: i.textChanged,
    size: { before: i.before?.bytes ?? null, after: i.after?.bytes ?? null },
    lint: {
      before: i.before ? { errors: i.before.errors, warnings: i.before.warnings } : null,
      after: i.after ? { errors: i.after.errors, warnings: i.after.warnings } : null,
    },
    variants: i.variants.map((v) => ({ name: v.name, pixelsChanged: v.pixelsChanged })),
    schedule: i.schedule ?? null,
    audience: i.audience?.count ?? null,
    images: i.variants.flatMap((v) => [v.before?.file, v.after?.file, v.diff?.file].filter((f): f is string => !!f)),
  }));
}

async function loadBase(root: string, base: BaseCommit, dir: string): Promise<Project | undefined> {
  // no newsletter.yaml at the base: the branch adds the newsletter, every issue is new
  if (!(await exportProject(root, base.mergeBase, dir))) return undefined;
  try {
    return await loadProject(dir);
  } catch (error) {
    if (!isRassylkaError(error)) throw error;
    throw new RassylkaError(
      error.diagnostics.map((d) => ({
        ...d,
        message: t("review:atBase", { ref: base.ref, commit: base.mergeBase.slice(0, 7), message: d.message }),
        fix: `${d.fix ? `${d.fix}; ` : ""}${t("review:atBase.fix")}`,
      })),
      { cause: error },
    );
  }
}

/** issues/*.md of a project, by path relative to its root. */
async function issueFiles(project: Project): Promise<Map<string, string>> {
  const files = await listIssueFiles(project.root);
  return new Map(files.map((f) => [toPosix(relative(project.root, f)), f]));
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

/** The slug as a file name, once per review (two issues with one slug get the second one suffixed). */
function uniqueName(slug: string, used: Set<string>): string {
  const safe = slug.replace(/[^a-zA-Z0-9._-]/g, "_") || "issue";
  let name = safe;
  for (let n = 2; used.has(name); n++) name = `${safe}-${n}`;
  used.add(name);
  return name;
}

function side(r: IssueReport): ReviewSide {
  const bad = failed(r);
  const first = r.diagnostics.find((d) => d.severity === "error");
  return {
    subject: r.compiled?.subject,
    ...(r.compiled?.subjects
      ? { subjects: r.compiled.subjects, preheader: r.compiled.preheader, abSample: r.compiled.abTest?.sample }
      : {}),
    title: r.compiled?.title,
    date: r.compiled?.date,
    draft: r.compiled?.draft ?? false,
    bytes: r.bytes,
    ...counts(r),
    buildError: bad ? `${first?.line ? `${r.file}:${first.line}: ` : ""}${first?.message ?? "does not build"}` : undefined,
  };
}

/** Screenshots of both sides, the pixel and text diffs; writes the images and sets the status. */
async function compare(
  entry: IssueReview,
  before: IssueReport | undefined,
  after: IssueReport | undefined,
  browser: () => Promise<Screenshotter>,
  outDir: string,
): Promise<void> {
  const web = (r: IssueReport | undefined) => (r?.compiled && !failed(r) ? renderWebVersion(r.compiled) : undefined);
  const b = web(before);
  const a = web(after);
  const shotsB = b ? (await (await browser()).shoot(entry.slug, b.html)).pngs : undefined;
  const shotsA = a ? (await (await browser()).shoot(entry.slug, a.html)).pngs : undefined;
  const diffs = shotsB && shotsA ? VARIANTS.map((_, i) => diffPngs(shotsB[i], shotsA[i])) : undefined;
  entry.text = b && a ? diffText(b.text, a.text) : [];
  entry.textChanged = entry.text.length > 0;
  if (before && after) {
    const changed = !diffs || diffs.some((d) => d.changed > 0) || entry.textChanged;
    entry.status = changed ? "changed" : "unchanged";
    entry.pixelsChanged = diffs ? diffs.reduce((n, d) => n + d.changed, 0) / diffs.reduce((n, d) => n + d.total, 0) : null;
    // the rendering did not change: listed without images
    if (!changed) return;
  }
  if (!shotsA && !shotsB) return;
  for (const [i, v] of VARIANTS.entries()) {
    const variant: ReviewVariant = { name: v.name, pixelsChanged: diffs ? diffs[i].changed / diffs[i].total : null };
    if (shotsB) variant.before = await writeImage(outDir, `${entry.slug}-${v.name}-before.png`, shotsB[i]);
    if (shotsA) variant.after = await writeImage(outDir, `${entry.slug}-${v.name}-after.png`, shotsA[i]);
    const diffPng = diffs?.[i].png;
    if (diffPng) variant.diff = await writeImage(outDir, `${entry.slug}-${v.name}-diff.png`, diffPng);
    entry.variants.push(variant);
  }
}

async function writeImage(outDir: string, file: string, png: Buffer): Promise<ReviewImage> {
  await writeFileAtomic(join(outDir, file), png);
  // IHDR: width and height, big-endian, at bytes 16 and 20 (the page reserves the space before loading)
  return { file, width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Empty the output folder of an earlier review (its images would be stale), but never a folder that is
 * something else: that is the user's, and the error says which setting to change.
 */
async function prepareOut(outDir: string, root: string): Promise<void> {
  let names: string[];
  try {
    if (!(await stat(outDir)).isDirectory()) throw new Error("not a folder");
    names = await readdir(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    names = ["?"];
  }
  const ours = (n: string) => n === "index.html" || n === "summary.md" || n.endsWith(".png");
  const where = toPosix(relative(root, outDir)) || ".";
  if (outDir === root || names.some((n) => !ours(n))) {
    throw new RassylkaError({
      ruleId: "review/out-not-empty",
      severity: "error",
      message: t("review:outNotEmpty", { where }),
      fix: t("review:outNotEmpty.fix", { where, default: DEFAULT_OUT }),
    });
  }
  await Promise.all(names.map((n) => rm(join(outDir, n), { force: true })));
}
