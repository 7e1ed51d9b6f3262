import { createHash } from "node:crypto";
import type { NewsletterConfig } from "../config/schema.js";
import { newsletterId } from "../identity/newsletter.js";
import { VERSION } from "../version.js";
import { type ArchiveEntry, publishedIssues, stripWebNav } from "./archive.js";
import { languageTag } from "./templates.js";

/**
 * `dist/feed.xml`: an Atom feed (RFC 4287) of the newest published issues with their full HTML.
 *
 * Ids are permanent (RFC 4287 §4.2.6): the issue's web address `<url>/<slug>.html` when config `url` is
 * set, otherwise a name-based `urn:uuid:` (RFC 9562 v5) of the newsletter id and the slug — both stay
 * the same across builds, so readers never see an issue twice. `updated` is the issue's date (midnight
 * UTC), also stable: rebuilding does not make every reader re-show the feed.
 */
export const FEED_LIMIT = 20;

export interface FeedEntry extends ArchiveEntry {
  /** The web version's full HTML page, or undefined when its file is missing. */
  html?: string;
}

type Config = Pick<NewsletterConfig, "name" | "language" | "description" | "url" | "author" | "from">;

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Text → XML character data or attribute value. Characters XML 1.0 forbids (control characters, lone
 * surrogates, U+FFFE/U+FFFF) are dropped: one stray byte in a title must not make the feed unparseable.
 */
export function escapeXml(s: string): string {
  return s
    .replace(
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      "",
    )
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** RFC 9562 §6.6: the URL namespace. */
export const NAMESPACE_URL = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** RFC 9562 §5.5: a name-based UUID (SHA-1), by default in the URL namespace. */
export function uuidV5(name: string, namespace = NAMESPACE_URL): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const h = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `https://host/path/` from config `url`, or undefined. */
export function archiveBase(url: string | undefined): string | undefined {
  return url ? url.replace(/\/?$/, "/") : undefined;
}

export function feedId(config: Pick<Config, "url" | "name" | "from">): string {
  const base = archiveBase(config.url);
  return base ?? `urn:uuid:${uuidV5(`rassylka:${newsletterId(config)}`)}`;
}

export function entryId(config: Pick<Config, "url" | "name" | "from">, slug: string): string {
  const base = archiveBase(config.url);
  return base ? `${base}${encodeURIComponent(slug)}.html` : `urn:uuid:${uuidV5(`rassylka:${newsletterId(config)}/${slug}`)}`;
}

/** `YYYY-MM-DD` → RFC 3339 date-time at midnight UTC. */
function atomDate(date: string): string {
  return `${date}T00:00:00Z`;
}

/**
 * What a feed reader should show of a web version: the inside of `<body>`, without our nav bar, the
 * hidden preheader (readers drop `display:none`, so it would show as a stray first line) and comments
 * (Outlook's conditional tables).
 */
export function feedContent(page: string): string {
  const html = stripWebNav(page);
  const body = /<body\b[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return (body ? body[1] : html)
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<div style="display:none;[^"]*">[\s\S]*?<\/div>/, "")
    .replace(/\n\s*\n/g, "\n")
    .trim();
}

export interface FeedOptions {
  /** Used only when there is no published issue (the feed still needs an `updated`). */
  now?: Date;
  limit?: number;
}

export function renderFeed(entries: readonly FeedEntry[], config: Config, options: FeedOptions = {}): string {
  const base = archiveBase(config.url);
  const issues = publishedIssues(entries).slice(0, options.limit ?? FEED_LIMIT);
  const updated = issues.length
    ? atomDate(issues[0].date) // newest first
    : (options.now ?? new Date()).toISOString();
  const href = (rel: string) => escapeXml(base ? `${base}${rel}` : rel);
  const author = config.author ?? config.from.name;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(languageTag(config.language))}"${base ? ` xml:base="${escapeXml(base)}"` : ""}>`,
    `  <id>${escapeXml(feedId(config))}</id>`,
    `  <title type="text">${escapeXml(config.name)}</title>`,
    ...(config.description ? [`  <subtitle type="text">${escapeXml(config.description)}</subtitle>`] : []),
    `  <updated>${updated}</updated>`,
    `  <link rel="alternate" type="text/html" href="${href(base ? "" : "index.html")}"/>`,
    ...(base ? [`  <link rel="self" type="application/atom+xml" href="${href("feed.xml")}"/>`] : []),
    `  <author><name>${escapeXml(author)}</name></author>`,
    `  <generator version="${escapeXml(VERSION)}">rassylka</generator>`,
  ];
  for (const e of issues) {
    lines.push(
      "  <entry>",
      `    <id>${escapeXml(entryId(config, e.slug))}</id>`,
      `    <title type="text">${escapeXml(e.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${href(`${encodeURIComponent(e.slug)}.html`)}"/>`,
      `    <published>${atomDate(e.date)}</published>`,
      `    <updated>${atomDate(e.date)}</updated>`,
      ...(e.preheader ? [`    <summary type="text">${escapeXml(e.preheader)}</summary>`] : []),
      ...(e.html ? [`    <content type="html">${escapeXml(feedContent(e.html))}</content>`] : []),
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}
