import { structuredPatch } from "diff";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

/**
 * What changed between two renderings of one email: the changed pixels of two screenshots (pixelmatch,
 * the library Playwright's own visual comparisons build on) and a line diff of the text part (jsdiff).
 */
export interface PixelDiff {
  /** Pixels that differ, over the pixels of the larger image (both padded to it). */
  changed: number;
  total: number;
  /** The after image faded, changed pixels in red; `undefined` when nothing changed. */
  png?: Buffer;
}

/**
 * Compare two PNGs. An email that got longer or shorter gives screenshots of different heights: both are
 * padded to the larger size with transparent pixels, which pixelmatch compares against a checkerboard —
 * so the added or removed part counts as changed (a white email on white padding would hide it).
 */
export function diffPngs(before: Buffer, after: Buffer): PixelDiff {
  const a = PNG.sync.read(before);
  const b = PNG.sync.read(after);
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const pa = pad(a, width, height);
  const pb = pad(b, width, height);
  const out = new PNG({ width, height });
  // threshold 0.1 is pixelmatch's default: anti-aliasing noise is not counted, a changed colour is
  const changed = pixelmatch(pa, pb, out.data, width, height, { threshold: 0.1, alpha: 0.15 });
  return { changed, total: width * height, png: changed ? PNG.sync.write(out) : undefined };
}

function pad(png: PNG, width: number, height: number): Uint8Array {
  if (png.width === width && png.height === height) return png.data;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < png.height; y++) {
    data.set(png.data.subarray(y * png.width * 4, (y + 1) * png.width * 4), y * width * 4);
  }
  return data;
}

export interface DiffLine {
  kind: "add" | "del" | "same";
  text: string;
}

export interface TextHunk {
  /** `@@ -1,4 +1,5 @@` */
  header: string;
  lines: DiffLine[];
}

/** The text parts' unified diff, three lines of context, as hunks for the page; empty when equal. */
export function diffText(before: string, after: string): TextHunk[] {
  if (before === after) return [];
  const patch = structuredPatch("before", "after", before, after, undefined, undefined, { context: 3 });
  return patch.hunks.map((h) => ({
    header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
    lines: h.lines
      .filter((l) => !l.startsWith("\\"))
      .map((l) => ({ kind: l[0] === "+" ? "add" : l[0] === "-" ? "del" : "same", text: l.slice(1) })),
  }));
}
