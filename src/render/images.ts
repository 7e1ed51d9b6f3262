import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { imageSize } from "image-size";
import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { ASSETS_DIR } from "./assets-dir.js";
import { CONTENT_WIDTH } from "./markdown.js";

/**
 * Stage: pictures. An `<img>` in an issue whose `src` is a path next to the issue (`images/chart.png`,
 * `../assets/logo.png`) becomes the picture's public address: the file is published under
 * `<url>/assets/<name>.<hash><ext>` by `build` (the hash of its bytes in the name, so a changed picture is
 * a new address and never shows stale from a cache), and its width and height, read from the file, are
 * written as attributes (mail clients lay the email out before pictures load; `height="auto"` is not
 * valid HTML). A missing file is an error at the line; a picture over 200 KB a warning.
 */
export interface Asset {
  /** The picture's file, relative to the newsletter's root (POSIX). */
  source: string;
  /** Its published name under `<out>/assets/`. */
  name: string;
  bytes: number;
  /** sha256 of the bytes, hex: a cached issue whose pictures changed is compiled again. */
  sha256: string;
  width?: number;
  height?: number;
}

/** Above this a picture slows the email down on a phone (README: lint). */
export const IMAGE_WARN_BYTES = 200 * 1024;

/** A src that names a file of the newsletter: no scheme, not absolute, not a tag or an anchor. */
function isRelative(src: string): boolean {
  return src !== "" && !/^([a-z][a-z0-9+.-]*:|\/|#|\{\{)/i.test(src);
}

function lineOf(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  return i < 0 ? undefined : text.slice(0, i).split("\n").length;
}

export interface ImageContext {
  /** The newsletter's root (absolute). */
  root: string;
  /** The issue file, relative to root; pictures are found relative to its folder. */
  file: string;
  /** The text, for line numbers. */
  text: string;
  /** The archive's address with a trailing slash, or undefined without `url`. */
  archiveUrl?: string;
}

/**
 * The pictures the templates name (`<mj-image src="../assets/logo.png">` or an `<img>`, relative to the
 * template file), published as the are: in the MJML the layout rendered to, before MJML runs.
 * Each picture is reported at the template file (and line) that names it. The width is MJML's to set;
 * the height follows after MJML (fixImageHeights).
 */
export function publishTemplateImages(
  mjml: string,
  templates: readonly { file: string; source: string }[],
  ctx: Omit<ImageContext, "file" | "text">,
): { html: string; assets: Asset[]; diagnostics: Diagnostic[] } {
  // only a src written in a template: one that came from the issue's body or a reader's field is not the templates'
  const named = (src: string) => templates.find((f) => f.source.includes(`"${src}"`));
  return publishImages(mjml, { ...ctx, file: "", text: "" }, { tags: /<(?:mj-image|img)\b[^>]*>/gi, place: named, sizes: false });
}

/** The body HTML with its pictures published: new HTML, the assets, diagnostics. */
export function publishImages(
  html: string,
  ctx: ImageContext,
  options: {
    tags?: RegExp;
    /** The file (and its text) that names `src`, when it is not `ctx.file` (a template). */
    place?: (src: string) => { file: string; source: string } | undefined;
    /** Write width and height from the file (the Markdown's `<img>`); MJML sets an `<mj-image>`'s own. */
    sizes?: boolean;
  } = {},
): { html: string; assets: Asset[]; diagnostics: Diagnostic[] } {
  const assets = new Map<string, Asset>();
  const diagnostics: Diagnostic[] = [];
  const out = html.replace(options.tags ?? /<img\b[^>]*>/gi, (tag) => {
    const srcMatch = /\ssrc\s*=\s*"([^"]*)"/i.exec(tag);
    if (!srcMatch) return tag;
    let src = srcMatch[1];
    try {
      src = decodeURI(src); // markdown-it percent-encodes non-ASCII names
    } catch {}
    if (!isRelative(src)) return tag;
    const from = options.place ? options.place(srcMatch[1]) : { file: ctx.file, source: ctx.text };
    if (!from) return tag;
    const line = lineOf(from.source, srcMatch[1]) ?? lineOf(from.source, src);
    const path = resolve(ctx.root, dirname(from.file), src.split(/[?#]/)[0]);
    const rel = relative(ctx.root, path);
    const place = { file: from.file, line, field: "img" };
    if (rel.startsWith("..") || rel.startsWith(sep)) {
      diagnostics.push({
        ruleId: "image/outside-root",
        severity: "error",
        message: t("pictures:outside", { src }),
        ...place,
        fix: t("pictures:outside.fix"),
      });
      return tag;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      diagnostics.push({
        ruleId: "image/missing",
        severity: "error",
        message: t("pictures:missing", { src, path: rel }),
        ...place,
        fix: t("pictures:missing.fix"),
      });
      return tag;
    }
    if (!ctx.archiveUrl) {
      diagnostics.push({
        ruleId: "image/no-url",
        severity: "error",
        message: t("pictures:noUrl", { src }),
        ...place,
        fix: t("pictures:noUrl.fix"),
      });
      return tag;
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const ext = extname(path).toLowerCase();
    const name = `${basename(path, extname(path)).replace(/[^\w-]+/g, "-")}.${sha256.slice(0, 12)}${ext}`;
    const source = rel.split(sep).join("/");
    const asset: Asset = { source, name, bytes: bytes.length, sha256 };
    assets.set(source, asset);
    if (bytes.length > IMAGE_WARN_BYTES)
      diagnostics.push({
        ruleId: "image/too-large",
        severity: "warning",
        message: t("pictures:large", { src, kb: Math.round(bytes.length / 1024) }),
        ...place,
        fix: t("pictures:large.fix"),
      });
    let size: { width?: number; height?: number } = {};
    try {
      size = imageSize(bytes);
    } catch {}
    asset.width = size.width;
    asset.height = size.height;
    let next = tag.replace(srcMatch[0], ` src="${ctx.archiveUrl}${ASSETS_DIR}/${name}"`);
    if (options.sizes === false) return next;
    // the file's own size, unless the editor wrote one; never height="auto"
    next = next.replace(/\s(width|height)\s*=\s*"auto"/gi, "");
    if (size.width && size.height && !/\sheight\s*=/i.test(next)) {
      // Markdown gives every picture the content column's width (render/markdown.ts): a smaller picture keeps
      // its own; an editor's width stays; the height follows the file's proportions
      const given = Number(/\swidth\s*=\s*"(\d+)"/i.exec(next)?.[1] ?? Number.NaN);
      const width = Number.isNaN(given) || given === CONTENT_WIDTH ? Math.min(size.width, CONTENT_WIDTH) : given;
      const height = Math.round((size.height * width) / size.width);
      next = next
        .replace(/\swidth\s*=\s*"[^"]*"/i, "")
        .replace(/^<img\b/i, `<img width="${width}" height="${height}"`)
        .replace(`max-width:${CONTENT_WIDTH}px`, `max-width:${width}px`);
    }
    return next;
  });
  return { html: out, assets: [...assets.values()], diagnostics };
}

/**
 * After MJML: juice turns the templates' CSS `img { height: auto }` into a `height="auto"` attribute, which
 * is not valid HTML (a height attribute is a number). It goes from every `<img>`; a published picture gets
 * its own height back. The CSS stays where it was.
 */
export function fixImageHeights(html: string, assets: readonly Asset[]): string {
  const byName = new Map(assets.map((a) => [a.name, a]));
  return html.replace(/<img\b[^>]*>/gi, (tag) => {
    if (!/\sheight\s*=\s*"auto"/i.test(tag)) return tag;
    const name = /\ssrc\s*=\s*"[^"]*\/([^"/]+)"/i.exec(tag)?.[1];
    const asset = name ? byName.get(name) : undefined;
    // shown at another width than the file's (MJML's <mj-image> fits the column): the height in proportion
    const shown = Number(/\swidth\s*=\s*"(\d+)"/i.exec(tag)?.[1] ?? Number.NaN);
    const height =
      asset?.height && asset.width && !Number.isNaN(shown) && shown !== asset.width
        ? Math.round((asset.height * shown) / asset.width)
        : asset?.height;
    return tag.replace(/\sheight\s*=\s*"auto"/i, height ? ` height="${height}"` : "");
  });
}

/** True when every picture of a cached issue still has the bytes it was compiled with. */
export function assetsUnchanged(root: string, assets: readonly Asset[] | undefined): boolean {
  for (const a of assets ?? []) {
    try {
      if (
        createHash("sha256")
          .update(readFileSync(join(root, a.source)))
          .digest("hex") !== a.sha256
      )
        return false;
    } catch {
      return false;
    }
  }
  return true;
}
