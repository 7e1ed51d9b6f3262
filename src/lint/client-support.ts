import { parseDocument } from "htmlparser2";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { compileMjml } from "../render/mjml.js";
import { describeClients, detectFeatures, featureInfo, platformsOf, unsupportedOn } from "./caniemail.js";
import { finding, type LintRule, locate } from "./context.js";

/**
 * HTML and CSS the target clients (config `lint.clients`) do not support at all, from caniemail's data.
 * Partial support ("a", with notes) is not reported: nearly every property is partial somewhere.
 *
 * Baseline: MJML's own output relies on things some clients lack (Outlook's conditional comments, the
 * media queries that make columns stack, `<style>`, `role="presentation"`), on purpose and with
 * fallbacks. So we compile the MJML once more with every piece of content taken out — the
 * text of mj-text, mj-button, mj-table, mj-raw and the like, and every mj-style — and do not report
 * a feature that this bare skeleton already uses. What the layout's author and the editor wrote is
 * what is left to report.
 */
export const clientSupport: LintRule = {
  id: "lint/client-support",
  async check(ctx) {
    const names = ctx.config.lint.clients;
    const { platforms, unknown } = platformsOf(names.filter((n) => !NO_DATA.has(n.toLowerCase())));
    const out: Diagnostic[] = [];
    for (const name of unknown) {
      const at = locate(ctx, /^\s*clients:/m, ["config"]) ?? locate(ctx, /^lint:/m, ["config"]);
      out.push(
        finding("client-support", "warning", t("lint:clientSupport.unknownClient", { name }), t("lint:clientSupport.unknownClient.fix"), {
          file: at?.file ?? "newsletter.yaml",
          line: at?.line,
          field: "lint.clients",
        }),
      );
    }
    if (!platforms.length) return out;
    const baseline = await baselineTitles(ctx.compiled.mjml);
    const byTitle = new Map<string, string[]>();
    for (const use of detectFeatures(ctx.dom)) {
      if (baseline.has(use.title)) continue;
      byTitle.set(use.title, [...(byTitle.get(use.title) ?? []), use.needle]);
    }
    for (const [title, needles] of byTitle) {
      const hit = unsupportedOn(title, platforms);
      if (!hit.length) continue;
      const info = featureInfo(title);
      const at = needles.map((n) => locate(ctx, n)).find(Boolean);
      const places = needles.length > 1 ? ` ${t("lint:places", { count: needles.length })}` : "";
      out.push(
        finding(
          "client-support",
          "warning",
          t("lint:clientSupport.unsupported", { feature: title, clients: describeClients(hit, platforms), places }),
          t("lint:clientSupport.fix", { see: info ? t("lint:clientSupport.see", { url: info.url }) : "" }),
          at ?? { file: ctx.file },
        ),
      );
    }
    return out;
  },
};

/** Clients we know of that caniemail has no data for: accepted in lint.clients, checked for nothing. */
const NO_DATA = new Set(["yandex", "yandex-mail"]);

/** Tags whose content is the author's (HTML, text), not MJML's structure. */
const CONTENT_TAGS = [
  "mj-text",
  "mj-button",
  "mj-table",
  "mj-raw",
  "mj-navbar-link",
  "mj-social-element",
  "mj-accordion-title",
  "mj-accordion-text",
];

/** The MJML with the author's content and CSS taken out, keeping every component and attribute. */
export function skeleton(mjml: string): string {
  // an opening tag that is not self-closing (<mj-text … /> in mj-attributes has no content)
  const open = (tag: string) => `<${tag}\\b(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*>`;
  let out = mjml.replace(new RegExp(`${open("mj-style")}[\\s\\S]*?</mj-style>`, "g"), "");
  for (const tag of CONTENT_TAGS) out = out.replace(new RegExp(`(${open(tag)})[\\s\\S]*?(</${tag}>)`, "g"), "$1$2");
  // a title and a preview MJML turns into markup of its own (aria-label, the hidden preview div)
  return out.replace(/(<mj-(preview|title)\b[^>]*>)[\s\S]*?(<\/mj-\2>)/g, "$1$2$3");
}

const cache = new Map<string, Promise<Set<string>>>();

/** Feature titles the skeleton's HTML uses; memoised by skeleton (issues of one layout share it). */
export function baselineTitles(mjml: string): Promise<Set<string>> {
  const key = skeleton(mjml);
  let hit = cache.get(key);
  if (!hit) {
    hit = compileMjml(key, []).then(({ html }) => {
      // image formats come from the editor's src, not from MJML, even when mj-image carries them
      const titles = html ? detectFeatures(parseDocument(html)).map((u) => u.title) : [];
      return new Set(titles.filter((t) => featureInfo(t)?.category !== "image"));
    });
    if (cache.size > 32) cache.delete(cache.keys().next().value as string);
    cache.set(key, hit);
  }
  return hit;
}
