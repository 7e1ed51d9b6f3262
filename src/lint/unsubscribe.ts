import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { elements, finding, type LintRule, locate } from "./context.js";

/**
 * Two ways out, both needed: a List-Unsubscribe header (RFC 2369; one-click per RFC 8058 — Gmail and
 * Yahoo require it of bulk senders since 2024), which needs `unsubscribe:` in newsletter.yaml, and a
 * visible link in the email itself.
 */
export const unsubscribe: LintRule = {
  id: "lint/unsubscribe",
  check(ctx) {
    const out: Diagnostic[] = [];
    const conf = ctx.config.unsubscribe;
    if (!conf?.url && !conf?.mailto) {
      out.push(
        finding("unsubscribe", "error", t("lint:unsubscribe.noHeader"), t("lint:unsubscribe.noHeader.fix"), {
          file: "newsletter.yaml",
          field: "unsubscribe",
        }),
      );
    }
    const targets = [conf?.url, ...ctx.readers.map((r) => r.subscriber.unsubscribeUrl)].filter((u): u is string => !!u);
    const mailto = conf?.mailto?.toLowerCase();
    const hasLink = elements(ctx.dom, "a").some((a) => {
      const href = (a.attribs.href ?? "").trim();
      if (!href) return false;
      if (targets.some((t) => href.startsWith(t))) return true;
      if (mailto && href.toLowerCase().startsWith(`mailto:${mailto}`)) return true;
      return /отпис|unsubscribe|opt[- ]?out/i.test(`${href} ${textOf(a)}`);
    });
    if (!hasLink) {
      const at = locate(ctx, /^\s*\{\{>\s*footer\b/m, ["template"]);
      out.push(
        finding(
          "unsubscribe",
          "error",
          t("lint:unsubscribe.noLink"),
          t("lint:unsubscribe.noLink.fix", {
            snippet: '{{#if subscriber.unsubscribeUrl}}<a href="{{subscriber.unsubscribeUrl}}">Отписаться</a>{{/if}}',
          }),
          at ?? { file: ctx.file },
        ),
      );
    }
    return out;
  },
};

function textOf(node: { children?: unknown[]; data?: unknown }): string {
  if (typeof node.data === "string") return node.data;
  return (node.children ?? []).map((c) => textOf(c as { children?: unknown[]; data?: unknown })).join("");
}
