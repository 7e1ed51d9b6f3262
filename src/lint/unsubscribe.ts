import type { Diagnostic } from "../diagnostics.js";
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
        finding(
          "unsubscribe",
          "error",
          "no unsubscribe header can be sent: newsletter.yaml has no `unsubscribe:`",
          "add `unsubscribe: { url: https://…/unsubscribe, mailto: unsubscribe@… }` to newsletter.yaml (the url gives one-click unsubscribe, RFC 8058)",
          { file: "newsletter.yaml", field: "unsubscribe" },
        ),
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
          "the email has no unsubscribe link",
          'add a link to the footer partial: {{#if subscriber.unsubscribeUrl}}<a href="{{subscriber.unsubscribeUrl}}">Отписаться</a>{{/if}}',
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
