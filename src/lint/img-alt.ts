import { elements, finding, type LintRule, locate } from "./context.js";

/**
 * Images without alt text: most clients block images until the reader allows them, and screen readers
 * read the alt. Markdown `![](src)` renders alt="" — as missing as no alt at all. Decorative images are
 * exempt when they say so: role="presentation" or "none", aria-hidden="true", or 1×1 pixels.
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
    return [...seen].map(([src, n]) => {
      const at = locate(ctx, src);
      const fromMarkdown = at?.file === ctx.file;
      return finding(
        "img-alt",
        "error",
        `image ${src || "(no src)"} has no alt text${n > 1 ? ` (${n} times)` : ""}: readers with images off or a screen reader get nothing`,
        fromMarkdown
          ? "write what the image shows between the brackets: ![Graph of payments by month](…)"
          : 'add alt="…" describing the image; for a purely decorative image add alt="" role="presentation"',
        at ?? { file: ctx.file },
      );
    });
  },
};
