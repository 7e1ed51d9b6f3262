import type { Severity } from "../diagnostics.js";
import { t } from "../i18n/index.js";
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
      const image = attr === "src";
      const problem = classify(value, image);
      if (!problem) continue;
      const shown =
        value.trim() === ""
          ? t(image ? "lint:links.emptyImage" : "lint:links.emptyLink")
          : t(image ? "lint:links.image" : "lint:links.link", { value });
      note(`${attr}\0${value}`, problem.severity, `${shown} ${problem.message}`, problem.fix, value.trim() === "" ? `${attr}=""` : value);
    }
    return [...problems.values()].map((p) =>
      finding(
        "links",
        p.severity,
        p.count > 1 ? `${p.message} ${t("lint:times", { count: p.count })}` : p.message,
        p.fix,
        where(ctx, p.needle),
      ),
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
  const absolute = t(isImage ? "lint:links.absoluteImage" : "lint:links.absolute");
  const writeAs = t("lint:links.writeAs", { absolute });
  if (value === "") return { severity: "error", message: t("lint:links.empty"), fix: t("lint:links.empty.fix", { absolute }) };
  if (/^#!?$/.test(value) || /^javascript:/i.test(value))
    return { severity: "error", message: t("lint:links.placeholder"), fix: t("lint:links.placeholder.fix", { absolute }) };
  if (value.startsWith("#")) return undefined; // in-page anchor: client support is lint/client-support's business
  if (value.startsWith("//")) return { severity: "error", message: t("lint:links.noScheme"), fix: writeAs };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) return { severity: "error", message: t("lint:links.relative"), fix: writeAs };
  if (scheme === "file") return { severity: "error", message: t("lint:links.file"), fix: t("lint:links.file.fix", { absolute }) };
  if (scheme === "mailto") {
    const host = value.slice(7).split("?")[0].split("@")[1] ?? "";
    if (!host) return { severity: "error", message: t("lint:links.mailtoNoAddress"), fix: t("lint:links.mailtoNoAddress.fix") };
    if (isPlaceholderHost(decodeURIComponent(host)))
      return { severity: "error", message: t("lint:links.mailtoPlaceholder"), fix: t("lint:links.realAddress") };
    return undefined;
  }
  if (scheme !== "http" && scheme !== "https") return undefined; // tel:, sms:, data: images (see client-support)
  let host: string;
  try {
    host = new URL(value).hostname;
  } catch {
    return { severity: "error", message: t("lint:links.invalid"), fix: t("lint:links.invalid.fix", { absolute }) };
  }
  if (isPlaceholderHost(host))
    return { severity: "error", message: t("lint:links.placeholderHost", { host }), fix: t("lint:links.realAddress") };
  if (scheme === "http") return { severity: "warning", message: t("lint:links.http"), fix: t("lint:links.http.fix") };
  return undefined;
}
