import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CACHE_DIR } from "../../src/compile/cache.js";
import { compileOrThrow } from "../../src/compile/compile.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { loadProject } from "../../src/project/project.js";
import { renderWebVersion } from "../../src/render/personalise.js";
import { findChromium } from "../../src/screenshots/chromium.js";
import { takeScreenshots } from "../../src/screenshots/screenshots.js";
import { cachedShot } from "../../src/screenshots/shot.js";
import { tempDir } from "../helpers/newsletter.js";
import { CHROMIUM, copyExampleNewsletter, ISSUE_A, ISSUE_B, pngSize, REPO } from "../preview/helpers.js";

const run = promisify(execFile);

describe("rassylka screenshots", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let server: Server;
  let hits: string[];
  let port: number;

  beforeAll(async () => {
    ({ dir, remove } = await copyExampleNewsletter());
    // An issue whose image and stylesheet point at a local server: the screenshot must never ask it.
    hits = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "image/gif" });
      res.end(Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64"));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
    await writeFile(
      join(dir, "issues", "2026-12-01-s-kartinkoj.md"),
      `---\ntitle: Выпуск с картинкой\ndate: 2026-12-01\npreheader: Проверка, что снимок не ходит в сеть.\n---\nЗдравствуйте!\n\n![Схема звонка](http://127.0.0.1:${port}/pixel.gif)\n\n<img src="http://127.0.0.1:${port}/tracker.gif" alt="">\n\nУспехов вам и больших продаж!\n`,
    );
  });

  afterAll(async () => {
    await new Promise((ok) => server?.close(ok));
    await remove?.();
  });

  test("writes full-height PNGs 600 and 375 px wide and a dark one, without any network request", async () => {
    const out = join(dir, "shots");
    const result = await takeScreenshots({ root: dir, out: "shots", env: { ...process.env, CHROMIUM_PATH: CHROMIUM } });
    expect(result.failed).toEqual([]);
    expect(result.outDir).toBe(out);
    expect(result.shots.map((s) => s.slug).sort()).toEqual([ISSUE_A, ISSUE_B, "2026-12-01-s-kartinkoj"].sort());
    for (const slug of [ISSUE_A, ISSUE_B]) {
      const light = await readFile(join(out, `${slug}-600.png`));
      const phone = await readFile(join(out, `${slug}-375.png`));
      const dark = await readFile(join(out, `${slug}-dark.png`));
      const l = pngSize(light);
      const p = pngSize(phone);
      const d = pngSize(dark);
      expect(l.width).toBe(600);
      expect(p.width).toBe(375);
      expect(d.width).toBe(600);
      // full height: the whole email, longer than the 640 px viewport, and longer still on a phone
      expect(l.height).toBeGreaterThan(l.width);
      expect(l.height).toBeGreaterThan(640);
      expect(p.height).toBeGreaterThan(l.height);
      expect(d.height).toBe(l.height);
      // dark mode is emulated: the pixels differ from the light screenshot
      expect(dark.equals(light)).toBe(false);
    }
    // the route refused them (Chromium would otherwise fetch them from the local server)
    const withImages = result.shots.find((s) => s.slug === "2026-12-01-s-kartinkoj");
    expect(withImages?.blocked).toEqual([`http://127.0.0.1:${port}/pixel.gif`, `http://127.0.0.1:${port}/tracker.gif`]);
    expect(hits).toEqual([]);
    // the 600 px light page is also the report's click-map shot, kept where `rassylka report` looks first
    const project = await loadProject(dir);
    for (const slug of [ISSUE_A, ISSUE_B]) {
      const html = renderWebVersion((await compileOrThrow(project, slug)).compiled).html;
      const shot = await cachedShot(join(dir, CACHE_DIR, "click-map"), html);
      expect(shot?.width).toBe(600);
      expect(shot?.height).toBe(pngSize(await readFile(join(out, `${slug}-600.png`))).height);
      expect(shot?.image.startsWith("data:image/jpeg;base64,")).toBe(true);
      expect(shot?.anchors.some((a) => a.href.startsWith("http") && a.width > 0)).toBe(true);
    }
  });

  test("takes only the issues it is given, by path or slug", async () => {
    const result = await takeScreenshots({
      root: dir,
      files: [ISSUE_B],
      out: join(dir, "one"),
      env: { ...process.env, CHROMIUM_PATH: CHROMIUM },
    });
    expect(result.shots.map((s) => s.file)).toEqual([`issues/${ISSUE_B}.md`]);
    expect(result.shots[0].pngs.map((p) => p.slice(p.lastIndexOf("/") + 1))).toEqual([
      `${ISSUE_B}-600.png`,
      `${ISSUE_B}-375.png`,
      `${ISSUE_B}-dark.png`,
    ]);
  });

  test("without a Chromium: a clear error saying how to install one", async () => {
    const empty = await tempDir("rsk-nochrome-");
    try {
      const error = await takeScreenshots({ root: dir, env: { PATH: empty.dir } }).catch((e: unknown) => e);
      expect(isRassylkaError(error)).toBe(true);
      const d = (error as { diagnostics: { ruleId: string; message: string; fix?: string }[] }).diagnostics[0];
      expect(d.ruleId).toBe("screenshots/no-chromium");
      expect(d.fix).toContain("apt-get install chromium");
      expect(d.fix).toContain("CHROMIUM_PATH");

      const wrong = await takeScreenshots({ root: dir, env: { CHROMIUM_PATH: join(empty.dir, "nope") } }).catch((e: unknown) => e);
      expect(isRassylkaError(wrong)).toBe(true);
      expect((wrong as Error).message).toContain(join(empty.dir, "nope"));
    } finally {
      await empty.remove();
    }
  });

  test("finds Chromium on PATH under any of its usual names, CHROMIUM_PATH first", async () => {
    const t = await tempDir("rsk-path-");
    try {
      const bin = join(t.dir, "bin");
      await mkdir(bin);
      const fake = join(bin, "google-chrome");
      await writeFile(fake, "#!/bin/sh\n");
      await chmod(fake, 0o755);
      expect(findChromium({ PATH: `${join(t.dir, "nothing")}:${bin}` })).toBe(fake);
      // not executable: skipped
      const plain = join(bin, "chromium");
      await writeFile(plain, "");
      expect(findChromium({ PATH: bin })).toBe(fake);
      expect(findChromium({ PATH: bin, CHROMIUM_PATH: CHROMIUM })).toBe(CHROMIUM);
    } finally {
      await t.remove();
    }
  });

  test("the CLI exits 1 with the install hint when no Chromium is there", async () => {
    const error = (await run("node", [join(REPO, "bin/rassylka.js"), "screenshots", "--root", dir], {
      env: { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" },
    }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("CHROMIUM_PATH");
    expect(error.stderr).toContain("apt-get install chromium");
  });
});
