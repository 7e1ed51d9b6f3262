import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, toPosix, writeFileAtomic, writeFileAtomicSync } from "../../src/util/fs.js";
import { distance, nearest } from "../../src/util/suggest.js";
import { tempDir } from "../helpers/newsletter.js";

describe("writeFileAtomic", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
  });
  afterAll(() => remove());

  it("writes the whole file, creating folders, and leaves no temp file", async () => {
    await writeFileAtomic(join(dir, "a", "b", "x.html"), "<p>привет</p>");
    expect(await readFile(join(dir, "a", "b", "x.html"), "utf8")).toBe("<p>привет</p>");
    expect(await readdir(join(dir, "a", "b"))).toEqual(["x.html"]);
  });

  it("replaces an existing file in one step", async () => {
    await writeFileAtomic(join(dir, "y.txt"), "old");
    await writeFileAtomic(join(dir, "y.txt"), "new");
    writeFileAtomicSync(join(dir, "z.txt"), "sync");
    expect(await readFile(join(dir, "y.txt"), "utf8")).toBe("new");
    expect(await readFile(join(dir, "z.txt"), "utf8")).toBe("sync");
  });

  it("a failed write leaves neither a half-written file nor a .tmp behind", async () => {
    // the target is a folder: the rename fails after the temp file was written
    await mkdir(join(dir, "busy.html"));
    await expect(writeFileAtomic(join(dir, "busy.html"), "x".repeat(100_000))).rejects.toThrow();
    expect(() => writeFileAtomicSync(join(dir, "busy.html"), "x")).toThrow();
    expect((await stat(join(dir, "busy.html"))).isDirectory()).toBe(true);
    expect((await readdir(dir)).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});

describe("small helpers", () => {
  it.each([
    ["subjet", ["title", "subject", "date"], "subject"],
    ["titel", ["title", "subject"], "title"],
    ["Preheader", ["preheader"], "preheader"],
    ["zzzzzz", ["title", "date"], undefined],
    ["dat", ["date", "draft"], "date"],
  ])("nearest(%s) → %s", (word, candidates, guess) => {
    expect(nearest(word, candidates)).toBe(guess);
  });

  it("distance is Levenshtein", () => {
    expect(distance("kitten", "sitting")).toBe(3);
    expect(distance("", "abc")).toBe(3);
    expect(distance("same", "same")).toBe(0);
  });

  it("sha256 separates its parts", () => {
    expect(sha256("ab", "c")).not.toBe(sha256("a", "bc"));
    expect(sha256("x")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("toPosix", () => {
    expect(toPosix("issues\\a.md")).toBe("issues/a.md");
  });
});
