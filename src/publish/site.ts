import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ManifestEntry } from "../build/build.js";
import type { NewsletterConfig } from "../config/schema.js";
import { slugPattern } from "../issue/schema.js";
import { writeFileAtomic } from "../util/fs.js";
import { injectWebNav, renderArchive, renderWebNav } from "./archive.js";
import { type FeedEntry, renderFeed } from "./feed.js";

/**
 * The publish step of `rassylka build`, after the issue files and `manifest.json` are written: the
 * archive `index.html`, `feed.xml`, and the nav bar of every web version. It works from the manifest,
 * not from what this build compiled, so building one issue still gives a complete archive and correct
 * previous/next links on its neighbours' pages.
 */
export interface PublishResult {
  archive: string;
  feed: string;
  /** Web versions whose nav bar was (re)written. */
  pages: string[];
}

async function readEntries(outDir: string): Promise<ManifestEntry[]> {
  try {
    const data = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8")) as unknown;
    return Array.isArray(data) ? (data as ManifestEntry[]).filter((e) => typeof e?.slug === "string" && slugPattern.test(e.slug)) : [];
  } catch {
    return [];
  }
}

async function readPage(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

export async function publishSite(outDir: string, config: NewsletterConfig): Promise<PublishResult> {
  const entries = await readEntries(outDir);
  const feedEntries: FeedEntry[] = [];
  const pages: string[] = [];
  for (const e of entries) {
    const file = join(outDir, `${e.slug}.html`);
    const page = await readPage(file);
    feedEntries.push({ ...e, html: page });
    if (page === undefined) continue;
    const withNav = injectWebNav(page, renderWebNav(entries, e.slug, config));
    if (withNav !== page) {
      await writeFileAtomic(file, withNav);
      pages.push(file);
    }
  }
  const archive = join(outDir, "index.html");
  const feed = join(outDir, "feed.xml");
  await writeIfChanged(archive, renderArchive(entries, config));
  await writeIfChanged(feed, renderFeed(feedEntries, config));
  return { archive, feed, pages };
}

/** Unchanged files keep their mtime, so `serve`'s ETag / Last-Modified (and any CDN) keep matching. */
async function writeIfChanged(file: string, text: string): Promise<void> {
  if ((await readPage(file)) !== text) await writeFileAtomic(file, text);
}
