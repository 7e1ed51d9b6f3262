import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CACHE_DIR, jsonEntries } from "../compile/cache.js";
import type { NewsletterConfig } from "../config/schema.js";
import { language } from "../i18n/index.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { isClosed } from "../render/polls.js";
import { sha256 } from "../util/fs.js";
import { BUILD } from "../version.js";
import type { ManifestEntry } from "./manifest.js";

/**
 * What a build keeps of its own rendering, beside the compiled issues (src/compile/cache.ts), so that a
 * build of unchanged issues loads no template engine at all: each issue's web version, and what the
 * publish step (src/site/site.ts: nav bars, subscribe forms, archive, feed, polls page) last wrote.
 * Both are rendered by Handlebars templates, which a cached one-issue build loaded and compiled on every
 * run: about 40 % of its instructions (docs/performance.md).
 */
const WEB_DIR = join(CACHE_DIR, "web");
const SITE_DIR = join(CACHE_DIR, "site");

export interface WebVersion {
  html: string;
  text: string;
}

const isWebVersion = (v: unknown): v is WebVersion =>
  typeof (v as WebVersion)?.html === "string" && typeof (v as WebVersion).text === "string";

/**
 * The web version of a compiled issue (subscriber fields empty: render/personalise.ts), kept under a hash
 * of everything it is rendered from — the compiled HTML and text, their deferred tags, the context and
 * the compile's nonce — so a kept one is what rendering would give. `root` undefined (`build --no-cache`):
 * rendered, nothing read or kept.
 */
export async function webVersion(compiled: CompiledIssue, root: string | undefined): Promise<WebVersion> {
  const entries = root === undefined ? undefined : jsonEntries(join(root, WEB_DIR), isWebVersion);
  const key = sha256(
    BUILD,
    compiled.tokens,
    compiled.html,
    compiled.text,
    JSON.stringify([compiled.deferred, compiled.deferredText, compiled.context]),
  );
  const hit = await entries?.get(key);
  if (hit) return hit;
  const { renderWebVersion } = await import("../render/personalise.js");
  const { html, text } = renderWebVersion(compiled);
  // a cache that cannot be written costs the next build this render, nothing more
  await entries?.set(key, { html, text }).catch(() => {});
  return { html, text };
}

/** What the publish step is given: the site it writes is a function of these (and of the files it reads). */
export interface SiteInputs {
  outDir: string;
  config: NewsletterConfig;
  /** The whole manifest. */
  entries: ManifestEntry[];
  /** The web versions this build has in memory, by slug; the others are read from `outDir`. */
  pages: ReadonlyMap<string, string>;
  /** The search index's fingerprint (with the config, what the archive's search box is made of), or undefined for none. */
  search?: string;
}

interface Published {
  key: string;
  /** Every file the publish step answers for, relative to the output folder: its SHA-256, or null for absent. */
  files: Record<string, string | null>;
}

const isPublished = (v: unknown): v is Published =>
  typeof (v as Published)?.key === "string" && typeof (v as Published).files === "object" && (v as Published).files !== null;

async function hashOf(file: string): Promise<string | null> {
  return readFile(file).then(
    (bytes) => sha256(bytes),
    () => null,
  );
}

/**
 * The key of a publish: the tool's build, the editor's language, the output folder, the config, the
 * manifest, the search box's data, whether each poll is closed by now (the polls page says so) and every
 * web version's bytes — this build's, or the file in the output folder for an issue not built now. Undefined when the output depends on the clock
 * (no published issue: the feed's `updated` is now).
 */
async function siteKey(inputs: SiteInputs): Promise<string | undefined> {
  const { outDir, config, entries, pages, search } = inputs;
  if (!entries.some((e) => !e.draft)) return undefined;
  const polls = entries.flatMap((e) => (e.polls ?? []).map((p) => isClosed(p)));
  const pageHashes = await Promise.all(
    entries.map(async (e) => {
      const page = pages.get(e.slug);
      return page === undefined ? `file:${await hashOf(join(outDir, `${e.slug}.html`))}` : sha256(page);
    }),
  );
  return sha256(BUILD, language(), outDir, JSON.stringify([config, entries, search ?? null, polls]), ...pageHashes);
}

/** The one entry of an output folder (a build with `--out` elsewhere has its own). */
function siteEntry(root: string, outDir: string) {
  return { entries: jsonEntries(join(root, SITE_DIR), isPublished), name: sha256(outDir) };
}

/**
 * Whether the publish step would write nothing: it last ran with these very inputs, and every file it
 * wrote then is still in the output folder as it wrote it (and every file it removed is still absent).
 * Returns the key to `rememberSite` after publishing when not.
 */
export async function siteUnchanged(root: string, inputs: SiteInputs): Promise<{ unchanged: boolean; key?: string }> {
  const key = await siteKey(inputs);
  if (key === undefined) return { unchanged: false };
  const { entries, name } = siteEntry(root, inputs.outDir);
  const last = await entries.get(name);
  if (last?.key !== key) return { unchanged: false, key };
  const same = await Promise.all(Object.entries(last.files).map(async ([f, hash]) => (await hashOf(join(inputs.outDir, f))) === hash));
  return { unchanged: same.every(Boolean), key };
}

/** After a publish with inputs of `key`: the files it answers for (relative to `outDir`) as they are now. */
export async function rememberSite(root: string, outDir: string, key: string, files: readonly string[]): Promise<void> {
  const hashes = await Promise.all(files.map(async (f) => [f, await hashOf(join(outDir, f))] as const));
  const { entries, name } = siteEntry(root, outDir);
  await entries.set(name, { key, files: Object.fromEntries(hashes) }).catch(() => {});
}
