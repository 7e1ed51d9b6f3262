import { t } from "../i18n/index.js";
import { elements, finding, type LintRule, locate, tagAt } from "./context.js";

/**
 * Images without alt text: most clients block images until the reader allows them, and screen readers
 * read the alt. Markdown `![](src)` renders alt="" — as missing as no alt at all. Decorative images are
 * exempt when they say so: an `<mj-image>` written with alt="" in its template, an `<img>` with
 * role="presentation" or "none" or aria-hidden="true", or 1×1 pixels.
 */
export const imgAlt: LintRule = {
  id: "lint/img-alt",
  check(ctx) {
    const seen = new Map<string, number>();
    for (const img of elements(ctx.dom, "img")) {
      const a = img.attribs;
      if ((a.alt ?? "").trim()) continue;
      if (a.role === "presentation" || a.role === "none" || a["aria-hidden"] === "true") continue;
      if (a.width && a.height && Number.parseInt(a.width, 10) <= 1 && Number.parseInt(a.height, 10) <= 1) continue;
      const src = a.src ?? "";
      seen.set(src, (seen.get(src) ?? 0) + 1);
    }
    const out = [];
    for (const [src, n] of seen) {
      const at = locate(ctx, src);
      const tag = at ? tagAt(ctx, at) : undefined;
      const mjImage = tag !== undefined && /^<mj-image\b/.test(tag);
      // MJML writes alt="" on every <mj-image> without one, and refuses role= on it ("Attribute role is
      // illegal"): a template says an image is decorative by writing alt="" on the <mj-image> itself
      if (mjImage && /\salt\s*=\s*(""|'')/.test(tag)) continue;
      const fromMarkdown = at?.file === ctx.file;
      out.push(
        finding(
          "img-alt",
          "error",
          t("lint:imgAlt.message", { src: src || t("lint:imgAlt.noSrc"), times: n > 1 ? ` ${t("lint:times", { count: n })}` : "" }),
          t(fromMarkdown ? "lint:imgAlt.fix.markdown" : mjImage || !tag ? "lint:imgAlt.fix.mjImage" : "lint:imgAlt.fix.img"),
          at ?? { file: ctx.file },
        ),
      );
    }
    return out;
  },
};
