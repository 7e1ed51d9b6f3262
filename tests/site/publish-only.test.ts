import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initNewsletter } from "../../src/project/init.js";
import { BIN, rassylka } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/newsletter.js";

/**
 * Publish only what is meant, through the CLI: `build` never writes a draft, removes what earlier builds
 * wrote for issues that are gone or are drafts now, keeps the last good output of one that fails now,
 * `build --clean` empties the folder first (and only a folder inside the newsletter); `serve` never answers
 * a draft, the manifest or the screenshots.
 */
let tmp: string;
let remove: () => Promise<void>;
let dir: string;
const issue = (title: string, date: string, extra = "") => `---\ntitle: ${title}\ndate: ${date}\n${extra}---\nText of ${title}.\n`;

beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-publish-"));
  dir = join(tmp, "n");
  const made = await initNewsletter(dir, { language: "en", url: "https://news.example.ru" });
  await rm(join(dir, made.written.find((f) => f.startsWith("issues/")) as string));
  await writeFiles(dir, {
    "issues/2026-01-01-first.md": issue("First", "2026-01-01"),
    "issues/2026-02-01-second.md": issue("Second", "2026-02-01"),
    "issues/2026-03-01-draft.md": issue("Draft", "2026-03-01", "draft: true\n"),
  });
  const r = await rassylka(["build", "--root", dir], tmp);
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => remove());

const out = () => readdir(join(dir, "dist"));
const manifest = async () =>
  (JSON.parse(await readFile(join(dir, "dist", "manifest.json"), "utf8")) as { slug: string }[]).map((e) => e.slug);

describe("build removes what no issue says any more", () => {
  it("a draft is checked but nothing of it is written: no page, no text, no manifest entry; build says so", async () => {
    const files = await out();
    for (const f of ["2026-03-01-draft.html", "2026-03-01-draft.txt"]) expect(files).not.toContain(f);
    expect(await manifest()).not.toContain("2026-03-01-draft");
    const r = await rassylka(["build", "--root", dir, "--json"], tmp);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { built: { source: string }[]; drafts: string[] };
    expect(json.drafts).toEqual(["issues/2026-03-01-draft.md"]);
    expect(json.built.map((b) => b.source)).not.toContain("issues/2026-03-01-draft.md");
    const text = await rassylka(["build", "--root", dir], tmp, { ...process.env, RASSYLKA_LANG: "en" });
    expect(text.out).toContain("issues/2026-03-01-draft.md: a draft, checked and not written to");
    // a draft's errors still fail the build
    await writeFile(join(dir, "issues", "2026-03-01-draft.md"), issue("Draft", "2026-03-01", "draft: true\nsubject: [broken\n"));
    expect((await rassylka(["build", "--root", dir], tmp)).code).toBe(1);
    await writeFile(join(dir, "issues", "2026-03-01-draft.md"), issue("Draft", "2026-03-01", "draft: true\n"));
  }, 60_000);

  it("an issue made a draft after it was built: its page, text and manifest entry go, and the archive drops it", async () => {
    await writeFile(join(dir, "issues", "2026-01-15-later-draft.md"), issue("Later draft", "2026-01-15"));
    expect((await rassylka(["build", "--root", dir], tmp)).code).toBe(0);
    expect(await out()).toContain("2026-01-15-later-draft.html");
    await writeFile(join(dir, "issues", "2026-01-15-later-draft.md"), issue("Later draft", "2026-01-15", "draft: true\n"));
    // only the draft built: the outputs of the one issue named go all the same
    expect((await rassylka(["build", "--root", dir, "issues/2026-01-15-later-draft.md"], tmp)).code).toBe(0);
    const files = await out();
    for (const f of ["2026-01-15-later-draft.html", "2026-01-15-later-draft.txt"]) expect(files).not.toContain(f);
    expect(await manifest()).not.toContain("2026-01-15-later-draft");
    expect(await readFile(join(dir, "dist", "index.html"), "utf8")).not.toContain("2026-01-15-later-draft");
    await rm(join(dir, "issues", "2026-01-15-later-draft.md"));
  }, 60_000);

  it("an issue deleted from issues/: its page, text and manifest entry go; the others stay", async () => {
    expect(await out()).toContain("2026-01-01-first.html");
    await rm(join(dir, "issues", "2026-01-01-first.md"));
    const r = await rassylka(["build", "--root", dir], tmp);
    expect(r.code).toBe(0);
    const files = await out();
    expect(files).not.toContain("2026-01-01-first.html");
    expect(files).not.toContain("2026-01-01-first.txt");
    expect(files).toContain("2026-02-01-second.html");
    expect(await manifest()).not.toContain("2026-01-01-first");
    expect(await readFile(join(dir, "dist", "index.html"), "utf8")).not.toContain("2026-01-01-first");
  }, 60_000);

  it("an issue that fails now keeps its last good output (one bad issue never unpublishes itself by a typo)", async () => {
    await writeFile(join(dir, "issues", "2026-02-01-second.md"), "---\ntitle: Second\ndate: 2026-02-31\n---\nBroken date.\n");
    const r = await rassylka(["build", "--root", dir], tmp);
    expect(r.code).toBe(1);
    expect(await out()).toContain("2026-02-01-second.html");
    expect(await manifest()).toContain("2026-02-01-second");
    await writeFile(join(dir, "issues", "2026-02-01-second.md"), issue("Second", "2026-02-01"));
  }, 60_000);

  it("build --clean empties the folder first; --clean on a folder outside the newsletter is refused", async () => {
    await writeFile(join(dir, "dist", "stray.html"), "<p>old</p>");
    const r = await rassylka(["build", "--root", dir, "--clean"], tmp);
    expect(r.code).toBe(0);
    expect(await out()).not.toContain("stray.html");
    expect(await out()).toContain("2026-02-01-second.html");

    await mkdir(join(tmp, "elsewhere"));
    await writeFile(join(tmp, "elsewhere", "keep.txt"), "mine");
    for (const target of ["../elsewhere", "."]) {
      const refused = await rassylka(["build", "--root", dir, "--out", target, "--clean"], tmp, { ...process.env, RASSYLKA_LANG: "en" });
      expect(refused.code).toBe(1);
      expect(refused.err).toContain("build/clean-refused");
      expect(refused.err).not.toMatch(/\n\s+at /);
    }
    expect(await readdir(join(tmp, "elsewhere"))).toEqual(["keep.txt"]);
    expect(await readdir(dir)).toContain("newsletter.yaml");
  }, 60_000);
});

describe("serve answers only what is published", () => {
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    await mkdir(join(dir, "dist", "screenshots"), { recursive: true });
    await writeFile(join(dir, "dist", "screenshots", "2026-02-01-second-600.png"), "png");
    child = spawn(process.execPath, [BIN, "serve", "--root", dir, "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((done, fail) => {
      let text = "";
      const on = (b: Buffer) => {
        text += b;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
        if (m) done(m[1]);
      };
      child.stdout?.on("data", on);
      child.stderr?.on("data", on);
      child.on("exit", (code) => fail(new Error(`serve exited with ${code}: ${text}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it.each([
    ["/2026-03-01-draft.html", 404],
    ["/2026-03-01-draft", 404],
    ["/2026-03-01-draft.txt", 404],
    ["/manifest.json", 404],
    ["/screenshots/2026-02-01-second-600.png", 404],
    ["/2026-02-01-second.html", 200],
    ["/2026-02-01-second", 200],
    ["/", 200],
  ])("%s → %i", async (path, status) => {
    expect(await readdir(join(dir, "dist"))).not.toContain("2026-03-01-draft.html");
    const res = await fetch(`${url}${path}`);
    expect(res.status).toBe(status);
  });

  it("an issue made a draft after it was published is hidden at once, without restarting serve", async () => {
    await writeFile(join(dir, "issues", "2026-02-01-second.md"), issue("Second", "2026-02-01", "draft: true\n"));
    expect((await fetch(`${url}/2026-02-01-second.html`)).status).toBe(200);
    expect((await rassylka(["build", "--root", dir], tmp)).code).toBe(0);
    expect((await fetch(`${url}/2026-02-01-second.html`)).status).toBe(404);
    expect(await readdir(join(dir, "dist"))).not.toContain("2026-02-01-second.html");
  }, 60_000);
});
