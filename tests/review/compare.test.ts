import { PNG } from "pngjs";
import { describe, expect, test } from "vitest";
import { diffPngs, diffText } from "../../src/review/compare.js";

/** A PNG of one colour, `rows` of another at the top. */
function png(width: number, height: number, fill: [number, number, number], top?: { rows: number; rgb: [number, number, number] }): Buffer {
  const p = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const [r, g, b] = top && y < top.rows ? top.rgb : fill;
    for (let x = 0; x < width; x++) p.data.set([r, g, b, 255], (y * width + x) * 4);
  }
  return PNG.sync.write(p);
}

const WHITE: [number, number, number] = [255, 255, 255];
const RED: [number, number, number] = [200, 30, 30];

describe("diffPngs", () => {
  test.each([
    { name: "the same image", before: png(20, 10, WHITE), after: png(20, 10, WHITE), changed: 0, total: 200 },
    { name: "two rows recoloured", before: png(20, 10, WHITE), after: png(20, 10, WHITE, { rows: 2, rgb: RED }), changed: 40, total: 200 },
    // the email got longer: the new part counts as changed, even white on white
    { name: "a longer after image, padded", before: png(20, 10, WHITE), after: png(20, 15, WHITE), changed: 100, total: 300 },
    { name: "a shorter after image, padded", before: png(20, 15, WHITE), after: png(20, 10, WHITE), changed: 100, total: 300 },
  ])("$name", ({ before, after, changed, total }) => {
    const d = diffPngs(before, after);
    expect({ changed: d.changed, total: d.total }).toEqual({ changed, total });
    if (!changed) expect(d.png).toBeUndefined();
    else {
      const out = PNG.sync.read(d.png!);
      expect([out.width, out.height]).toEqual([20, total / 20]);
      // each changed pixel is drawn in pixelmatch's red, the rest faded
      let red = 0;
      for (let i = 0; i < out.data.length; i += 4) if (out.data[i] === 255 && out.data[i + 1] === 0 && out.data[i + 2] === 0) red++;
      expect(red).toBe(changed);
    }
  });
});

describe("diffText", () => {
  test("equal texts: no hunks", () => {
    expect(diffText("a\nb\n", "a\nb\n")).toEqual([]);
  });

  test("a changed line with its context, as a unified diff's hunk", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const after = "1\n2\n3\n4\nпять\n6\n7\n8\n9\n";
    expect(diffText(before, after)).toEqual([
      {
        header: "@@ -2,7 +2,7 @@",
        lines: [
          { kind: "same", text: "2" },
          { kind: "same", text: "3" },
          { kind: "same", text: "4" },
          { kind: "del", text: "5" },
          { kind: "add", text: "пять" },
          { kind: "same", text: "6" },
          { kind: "same", text: "7" },
          { kind: "same", text: "8" },
        ],
      },
    ]);
  });

  test("a missing final newline is not shown as a line of its own", () => {
    const hunks = diffText("a\n", "a\nb");
    expect(hunks.flatMap((h) => h.lines)).toEqual([
      { kind: "same", text: "a" },
      { kind: "add", text: "b" },
    ]);
  });
});
