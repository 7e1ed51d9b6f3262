/**
 * Small helpers for the values the pages put in: the archive, the web versions' nav bar
 * (src/site/archive.ts) and the pages served live all come from templates that escape by themselves
 * (src/site/templates.ts); the feed escapes its XML itself (src/site/feed.ts, `escapeXml`).
 */

/**
 * Text from an issue or the config, for a page: control characters other than tab and newlines are
 * dropped (HTML calls them parse errors and they never mean anything). Not escaped: the template does that.
 */
export function pageText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
}

/**
 * A URL from config for a link: only http(s), mailto, tel or a relative link — a `javascript:` or
 * `data:` URL from a config file never becomes a live link. Not escaped (templates escape).
 */
export function safeUrl(url: string): string | undefined {
  const u = url.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(u.replace(/[\u0000-\u0020]/g, ""));
  if (scheme && !/^(https?|mailto|tel)$/i.test(scheme[1])) return undefined;
  return u;
}

/** A link to a file next to this page, from a slug (slugs are [a-z0-9-], but encode anyway). */
export function pageHref(slug: string): string {
  return `${encodeURIComponent(slug)}.html`;
}
