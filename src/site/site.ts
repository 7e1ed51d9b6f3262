import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NewsletterConfig } from "../config/schema.js";
import { pageStrings } from "../i18n/pages.js";
import { writeFileIfChanged } from "../util/fs.js";
import { injectWebNav, renderArchive, renderWebNav } from "./archive.js";
import { type FeedEntry, renderFeed } from "./feed.js";
import { type ManifestEntry, readManifest } from "./manifest.js";
import { POLLS_PAGE, POLLS_SCRIPT, publishPolls } from "./polls-page.js";
import { savedSearchBox } from "./search-box.js";
import { injectSubscribeForm, subscribeFormHtml } from "./subscribe-form.js";

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
  /** Every file this step answers for (written, left as it was, or removed), relative to the output folder. */
  files: string[];
}

async function readPage(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * `entries` is the whole manifest (read from `outDir` when not given); `pages` holds the web versions
 * this build has in memory, so they are written once, with their nav bar, instead of written, read back
 * and written again. Pages not in memory (a partial build's neighbours) are read from `outDir`.
 */
export async function publishSite(
  outDir: string,
  config: NewsletterConfig,
  entries?: ManifestEntry[],
  pages: ReadonlyMap<string, string> = new Map(),
  /** The archive's search box (src/search/box.ts); by default the one the last build's index gives. */
  search?: string,
): Promise<PublishResult> {
  const all = entries ?? (await readManifest(outDir));
  const written: string[] = [];
  const feedEntries: FeedEntry[] = await Promise.all(
    all.map(async (e) => {
      const file = join(outDir, `${e.slug}.html`);
      const page = pages.get(e.slug) ?? (await readPage(file));
      if (page === undefined) return { ...e, html: page };
      // the subscribe form (with `subscribe:` in newsletter.yaml) on every web version, never in the email
      const form = subscribeFormHtml(config, config.url ? `${config.url.replace(/\/+$/, "")}/${e.slug}.html` : `${e.slug}.html`);
      const html = injectSubscribeForm(injectWebNav(page, renderWebNav(all, e.slug, config)), form);
      if (await writeFileIfChanged(file, html)) written.push(file);
      return { ...e, html: page };
    }),
  );
  const archive = join(outDir, "index.html");
  const feed = join(outDir, "feed.xml");
  // the archive's polls page («Голосования») when a published issue has a poll (src/site/polls-page.ts)
  const polls = await publishPolls(outDir, all, config, pageStrings(config.language).allIssues);
  await Promise.all([
    writeFileIfChanged(archive, renderArchive(all, config, search ?? (await savedSearchBox(outDir, config)), polls)),
    writeFileIfChanged(feed, renderFeed(feedEntries, config)),
  ]);
  const files = [...all.map((e) => `${e.slug}.html`), "index.html", "feed.xml", POLLS_PAGE, POLLS_SCRIPT];
  return { archive, feed, pages: written, files };
}
