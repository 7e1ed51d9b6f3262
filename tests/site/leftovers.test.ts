import { readdir, utimes, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_DIR } from "../../src/compile/cache.js";
import { build } from "../../src/site/build.js";
import { killedWriter } from "../helpers/killed-writer.js";
import { copyFixture } from "../helpers/newsletter.js";

/**
 * Regression: a build killed while writing left `*.tmp` files in dist/ (and the cache)
 * that no later run removed. Fixture: tests/fixtures/temp-file-leftovers; the writer is a real process,
 * killed with SIGKILL.
 */
describe("a build removes the temp files a killed build left (regression)", () => {
  let root: string;
  let remove: () => Promise<void>;
  let live: Awaited<ReturnType<typeof killedWriter>>;
  let reused: Awaited<ReturnType<typeof killedWriter>>;
  beforeAll(async () => {
    ({ dir: root, remove } = await copyFixture("temp-file-leftovers"));
  });
  afterAll(async () => {
    live?.stop();
    reused?.stop();
    await remove();
  });

  it("dead writers' temp files in dist/, its folders and the cache go; a live writer's and other files stay", async () => {
    const dist = join(root, "dist");
    const dead = await killedWriter([
      join(dist, "2026-06-01-good.html"),
      join(dist, "manifest.json"),
      join(dist, "assets", "logo.png"),
      join(root, CACHE_DIR, "0123abcd.json"),
    ]);
    live = await killedWriter([join(dist, "index.html")], { kill: false });
    // a temp file of a live pid that has sat there for two hours: that writer is not ours any more (pid reused)
    reused = await killedWriter([join(dist, "feed.xml")], { kill: false });
    const [ancient] = reused.temps;
    await utimes(ancient, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    await writeFile(join(dist, "notes.tmp"), "not one of ours");

    const r = await build({ root });
    expect(r.failed).toEqual([]);
    const left = [...(await readdir(dist, { recursive: true })), ...(await readdir(join(root, CACHE_DIR)))].filter((f) =>
      f.endsWith(".tmp"),
    );
    expect(left.sort()).toEqual(["notes.tmp", basename(live.temps[0])].sort());
    for (const t of dead.temps) expect(left).not.toContain(basename(t));
  });
});
