import type { Severity } from "../diagnostics.js";
import { elements, finding, type LintContext, type LintRule, locate } from "./context.js";

/**
 * Links and image sources as readers get them (the issue rendered for a sample reader): an email has
 * no base URL, so relative ones go nowhere; `http:` gets warnings in clients; empty, `#` and
 * placeholder domains are left-overs. Placeholders are the names reserved for examples (RFC 2606,
 * RFC 6761): example.com/.net/.org and their subdomains, and the .example, .test, .invalid and
 * .localhost top-level domains, plus localhost itself.
 */
export const links: LintRule = {
  id: "lint/links",
  check(ctx) {
    const problems = new Map<string, { severity: Severity; message: string; fix: string; needle: string; count: number }>();
    const note = (key: string, severity: Severity, message: string, fix: string, needle: string) => {
      const p = problems.get(key);
      if (p) p.count++;
      else problems.set(key, { severity, message, fix, needle, count: 1 });
    };
    for (const el of elements(ctx.dom)) {
      const attr = el.name === "a" || el.name === "area" ? "href" : el.name === "img" ? "src" : undefined;
      if (!attr || !(attr in el.attribs)) continue;
      const value = el.attribs[attr];
      const kind = attr === "href" ? "link" : "image source";
      const problem = classify(value, attr === "src");
      if (!problem) continue;
      const shown = value.trim() === "" ? `an empty ${kind}` : `${kind} "${value}"`;
      note(`${attr}\0${value}`, problem.severity, `${shown} ${problem.message}`, problem.fix, value.trim() === "" ? `${attr}=""` : value);
    }
    return [...problems.values()].map((p) =>
      finding("links", p.severity, p.count > 1 ? `${p.message} (${p.count} times)` : p.message, p.fix, where(ctx, p.needle)),
    );
  },
};

function where(ctx: LintContext, needle: string) {
  // an empty Markdown link is `[text]()`
  if (needle === 'href=""') return locate(ctx, "]()") ?? locate(ctx, needle) ?? { file: ctx.file };
  let decoded = needle;
  try {
    decoded = decodeURI(needle); // markdown-it percent-encodes Cyrillic in URLs
  } catch {}
  return locate(ctx, needle) ?? locate(ctx, decoded) ?? { file: ctx.file };
}

const RESERVED = /(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid|localhost)|localhost|example|test|invalid)$/i;

export function isPlaceholderHost(host: string): boolean {
  return RESERVED.test(host.replace(/\.$/, ""));
}

export function classify(raw: string, isImage = false): { severity: Severity; message: string; fix: string } | undefined {
  const value = raw.trim();
  const absolute = isImage ? "https://… (a full address where the image is published)" : "a full https://… address";
  if (value === "") return { severity: "error", message: "goes nowhere", fix: `put ${absolute} in it, or remove the link` };
  if (/^#!?$/.test(value) || /^javascript:/i.test(value))
    return { severity: "error", message: "is a placeholder", fix: `replace it with ${absolute}` };
  if (value.startsWith("#")) return undefined; // in-page anchor: client support is lint/client-support's business
  if (value.startsWith("//"))
    return { severity: "error", message: "has no scheme: in an email it may open as file://", fix: `write it as ${absolute}` };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme)
    return {
      severity: "error",
      message: "is relative: an email has no page address to resolve it against",
      fix: `write it as ${absolute}`,
    };
  if (scheme === "file")
    return { severity: "error", message: "points at a file on your computer", fix: `publish the file and use ${absolute}` };
  if (scheme === "mailto") {
    const host = value.slice(7).split("?")[0].split("@")[1] ?? "";
    if (!host) return { severity: "error", message: "has no address", fix: "write mailto:name@domain" };
    if (isPlaceholderHost(decodeURIComponent(host)))
      return { severity: "error", message: "uses a placeholder domain reserved for examples", fix: "put the real address in" };
    return undefined;
  }
  if (scheme !== "http" && scheme !== "https") return undefined; // tel:, sms:, data: images (see client-support)
  let host: string;
  try {
    host = new URL(value).hostname;
  } catch {
    return { severity: "error", message: "is not a valid address", fix: `check it and write ${absolute}` };
  }
  if (isPlaceholderHost(host))
    return { severity: "error", message: `points at ${host}, a domain reserved for examples`, fix: "put the real address in" };
  if (scheme === "http")
    return {
      severity: "warning",
      message: "uses http: — clients and browsers warn about insecure links, and some block the images",
      fix: "use https:// if the site supports it",
    };
  return undefined;
}
