import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initNewsletter } from "../../src/project/init.js";
import { rassylka } from "../helpers/cli.js";
import { tempDir, writeFiles } from "../helpers/newsletter.js";

/**
 * Pictures next to the issues, through the CLI: `build` publishes them under <url>/assets/ with the hash
 * of their bytes in the name, writes their width and height from the file, replaces a changed picture
 * (and removes the old one); `lint` errors on a missing file and warns over 200 KB, at the issue's line;
 * without `url` the build says what to set.
 */
let tmp: string;
let remove: () => Promise<void>;
let dir: string;
const ISSUE = "issues/2026-04-01-pictures.md";
const env = { ...process.env, RASSYLKA_LANG: "en" };

/** A real PNG of the given size; `noise` makes it incompressible (big). */
function png(width: number, height: number, noise = false): Buffer {
  const p = new PNG({ width, height });
  for (let i = 0; i < p.data.length; i++) p.data[i] = noise ? Math.floor(Math.random() * 256) : (i * 7) % 256;
  return PNG.sync.write(p);
}

const issue = (src: string) =>
  `---\ntitle: Pictures\ndate: 2026-04-01\npreheader: With a chart\n---\nHello.\n\n![Sales by month](${src})\n`;

beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-images-"));
  dir = join(tmp, "n");
  const made = await initNewsletter(dir, { language: "en", url: "https://news.acme.dev/archive" });
  await rm(join(dir, made.written.find((f) => f.startsWith("issues/")) as string));
  await writeFiles(dir, { [ISSUE]: issue("images/chart.png") });
  await mkdir(join(dir, "issues", "images"), { recursive: true });
  await writeFile(join(dir, "issues", "images", "chart.png"), png(320, 180));
});
afterAll(() => remove());

const assets = () => readdir(join(dir, "dist", "assets")).catch(() => [] as string[]);

describe("pictures", () => {
  let first: string;
  it("build copies the picture to dist/assets/ with a content hash and links it by absolute URL with its size", async () => {
    const r = await rassylka(["build", "--root", dir], tmp, env);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const names = await assets();
    expect(names).toHaveLength(1);
    [first] = names;
    expect(first).toMatch(/^chart\.[0-9a-f]{12}\.png$/);
    const html = await readFile(join(dir, "dist", "2026-04-01-pictures.html"), "utf8");
    const img = /<img[^>]*Sales by month[^>]*>/.exec(html)?.[0] ?? "";
    expect(img).toContain(`src="https://news.acme.dev/archive/assets/${first}"`);
    expect(img).toContain('width="320"');
    expect(img).toContain('height="180"');
    expect(html).not.toContain('height="auto"');
  }, 60_000);

  it("a changed picture gets a new name (never stale), the old one is removed, the cached issue is rebuilt", async () => {
    await writeFile(join(dir, "issues", "images", "chart.png"), png(400, 100));
    const r = await rassylka(["build", "--root", dir], tmp, env);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("cached");
    const names = await assets();
    expect(names).toHaveLength(1);
    expect(names[0]).not.toBe(first);
    const html = await readFile(join(dir, "dist", "2026-04-01-pictures.html"), "utf8");
    expect(html).toContain(names[0]);
    expect(html).toContain('width="400"');
  }, 60_000);

  it("lint: a picture over 200 KB is a warning at its line", async () => {
    await writeFile(join(dir, "issues", "images", "big.png"), png(400, 400, true));
    await writeFile(join(dir, ISSUE), issue("images/big.png"));
    const r = await rassylka(["lint", "--root", dir, "--format", "json"], tmp, env);
    expect(r.code).toBe(0);
    const found = (JSON.parse(r.out) as { results: { diagnostics: { ruleId: string; severity: string; file: string; line: number }[] }[] })
      .results[0].diagnostics;
    expect(found.find((d) => d.ruleId === "image/too-large")).toMatchObject({ severity: "warning", file: ISSUE, line: 8 });
  }, 60_000);

  it("lint and build: a missing picture is an error naming the file and line", async () => {
    await writeFile(join(dir, ISSUE), issue("images/nope.png"));
    const r = await rassylka(["lint", "--root", dir], tmp, env);
    expect(r.code).toBe(1);
    expect(r.err + r.out).toMatch(new RegExp(`${ISSUE}:8.*error.*images/nope\\.png.*\\[image/missing\\]`));
    const b = await rassylka(["build", "--root", dir], tmp, env);
    expect(b.code).toBe(1);
    expect(b.err).toContain("image/missing");
  }, 60_000);

  it("a picture a template names by a relative path is published the same way; a missing one is an error at the template", async () => {
    await writeFile(join(dir, ISSUE), issue("images/chart.png"));
    await mkdir(join(dir, "assets"), { recursive: true });
    await writeFile(join(dir, "assets", "logo.png"), png(1200, 300));
    const header = join(dir, "templates", "partials", "header.hbs");
    const original = await readFile(header, "utf8");
    await writeFile(
      header,
      original.replace("  <mj-column>\n", '  <mj-column>\n    <mj-image src="../../assets/logo.png" alt="Logo" width="300px" />\n'),
    );
    try {
      const r = await rassylka(["build", "--root", dir], tmp, env);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const logo = (await assets()).find((n) => n.startsWith("logo."));
      expect(logo).toMatch(/^logo\.[0-9a-f]{12}\.png$/);
      const html = await readFile(join(dir, "dist", "2026-04-01-pictures.html"), "utf8");
      const img = /<img[^>]*alt="Logo"[^>]*>/.exec(html)?.[0] ?? "";
      expect(img).toContain(`src="https://news.acme.dev/archive/assets/${logo}"`);
      // shown 300 wide (MJML's width): the height in the file's proportions, never "auto"
      expect(img).toContain('height="75"');
      expect(html).not.toContain('height="auto"');

      await rm(join(dir, "assets", "logo.png"));
      const missing = await rassylka(["build", "--root", dir], tmp, env);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/templates\/partials\/header\.hbs:3.*\.\.\/\.\.\/assets\/logo\.png[\s\S]*image\/missing/);
    } finally {
      await writeFile(header, original);
    }
  }, 90_000);

  it("without url: an error that says to set it", async () => {
    await writeFile(join(dir, ISSUE), issue("images/chart.png"));
    const yaml = join(dir, "newsletter.yaml");
    await writeFile(yaml, (await readFile(yaml, "utf8")).replace(/^url: .*$/m, ""));
    const r = await rassylka(["build", "--root", dir], tmp, env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("image/no-url");
    expect(r.err).toContain("url in newsletter.yaml");
  }, 60_000);
});
