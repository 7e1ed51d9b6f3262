/**
 * Small HTML helpers for the files `publish` writes into dist/ (the archive, the web versions' nav bar,
 * the feed): everything that is text goes through these. The pages served live (src/publish/pages.ts,
 * src/preview/page.ts) come from templates that escape by themselves.
 */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text → HTML text or attribute value (both quotes escaped, so it is safe in either). Control characters
 * other than tab and newlines are dropped: HTML calls them parse errors and they never mean anything.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "").replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
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

/** `safeUrl`, escaped for an attribute of HTML built here (the archive, the nav bar). */
export function safeHref(url: string): string | undefined {
  const u = safeUrl(url);
  return u === undefined ? undefined : escapeHtml(u);
}

/** A link to a file next to this page, from a slug (slugs are [a-z0-9-], but encode anyway). */
export function pageHref(slug: string): string {
  return `${encodeURIComponent(slug)}.html`;
}
