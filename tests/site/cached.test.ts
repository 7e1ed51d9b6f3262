import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CACHE_DIR } from "../../src/compile/cache.js";
import { translator } from "../../src/i18n/index.js";
import { type BuildResult, build } from "../../src/site/build.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";

/**
 * What a build keeps of its own pages (src/site/cached.ts): the web versions and what the publish step last
 * wrote. A cached build of unchanged issues renders neither again — and must still write what anything
 * it depends on changed, and whatever was changed or removed in the output folder since.
 */
const SLUGS = ["2026-11-10-tekushchaya-debitorka", "2026-11-24-ne-pryachtes-za-firmu"];
const SITE = ["index.html", "feed.xml", ...SLUGS.map((s) => `${s}.html`)];

async function readSite(dir: string, files = SITE): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(join(dir, f), "utf8")] as const)));
}

describe("build: the web versions and the published site, kept in the cache", () => {
  let root: string;
  let remove: () => Promise<void>;
  let first: Record<string, string>;
  let firstBuild: BuildResult;

  beforeAll(async () => {
    ({ dir: root, remove } = await copyExampleNewsletter());
    firstBuild = await build({ root });
    first = await readSite(join(root, "dist"));
  });
  afterAll(() => remove());

  it("the first build keeps every web version and the site's files under .rassylka/cache/", async () => {
    expect(await readdir(join(root, CACHE_DIR, "web"))).toHaveLength(SLUGS.length);
    expect(await readdir(join(root, CACHE_DIR, "site"))).toHaveLength(1);
  });

  it("a cached build of unchanged issues gives the same pages, byte for byte", async () => {
    const r = await build({ root });
    expect(r.built.map((b) => b.fromCache)).toEqual([true, true]);
    expect(await readSite(join(root, "dist"))).toEqual(first);
    expect(r.built.map((b) => [b.html, b.text])).toEqual(firstBuild.built.map((b) => [b.html, b.text]));
  });

  it("a page edited or removed in the output folder since is written again (regression: the site's files are checked, not only its inputs)", async () => {
    const dist = join(root, "dist");
    await writeFile(join(dist, "index.html"), "<p>edited by hand</p>");
    await rm(join(dist, "feed.xml"));
    await writeFile(join(dist, `${SLUGS[0]}.html`), first[`${SLUGS[0]}.html`].replace("<!--rassylka:web-nav-->", ""));
    await build({ root });
    expect(await readSite(dist)).toEqual(first);
  });

  it("a changed newsletter.yaml republishes the archive (regression: the config is in the key)", async () => {
    const file = join(root, "newsletter.yaml");
    const yaml = await readFile(file, "utf8");
    await writeFile(file, yaml.replace("  - title: Тренинги", "  - title: Курсы и тренинги"));
    try {
      await build({ root });
      expect(await readFile(join(root, "dist", "index.html"), "utf8")).toContain("Курсы и тренинги");
    } finally {
      await writeFile(file, yaml);
    }
    await build({ root });
    expect(await readSite(join(root, "dist"))).toEqual(first);
  });

  it("a changed partial gives new web versions (regression: a web version is keyed by what it is rendered from)", async () => {
    const file = join(root, "templates", "partials", "signature.hbs");
    const source = await readFile(file, "utf8");
    await writeFile(file, source.replace("{{newsletter.words.regards}}", "Всего доброго,"));
    try {
      const r = await build({ root });
      expect(r.built.map((b) => b.fromCache)).toEqual([false, false]);
      for (const slug of SLUGS) expect(await readFile(join(root, "dist", `${slug}.html`), "utf8")).toContain("Всего доброго,");
    } finally {
      await writeFile(file, source);
    }
  });

  it("--no-cache neither reads nor keeps them", async () => {
    await rm(join(root, CACHE_DIR), { recursive: true, force: true });
    await build({ root, cache: false });
    await expect(readdir(join(root, CACHE_DIR, "web"))).rejects.toThrow();
    await expect(readdir(join(root, CACHE_DIR, "site"))).rejects.toThrow();
    expect(await readSite(join(root, "dist"))).toEqual(first);
  });
});

describe("build: a poll that closed since the last build", () => {
  let root: string;
  let remove: () => Promise<void>;
  const ISSUE = `---
title: Выпуск с вопросом
date: 2026-12-01
---
Здравствуйте!

\`\`\`poll id=next-topic closes=2030-01-31
Какую тему разобрать в следующем выпуске?
- Дебиторка
- Переговоры о цене
\`\`\`
`;

  beforeAll(async () => {
    ({ dir: root, remove } = await copyExampleNewsletter());
    await writeFile(join(root, "issues", "2026-12-01-opros.md"), ISSUE);
  });
  afterAll(() => remove());
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is shown closed by a cached build (regression: the clock is in the site's key)", async () => {
    const { t } = translator("ru");
    await build({ root });
    const page = () => readFile(join(root, "dist", "polls.html"), "utf8");
    expect(await page()).toContain(t("polls:closesNote", { date: "2030-01-31" }));
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-02-01T12:00:00Z"));
    const r = await build({ root });
    expect(r.built.every((b) => b.fromCache)).toBe(true);
    expect(await page()).toContain(t("polls:closedNote", { date: "2030-01-31" }));
    expect(await readFile(join(root, "dist", "2026-12-01-opros.html"), "utf8")).toContain(t("polls:closedNote", { date: "2030-01-31" }));
  });
});
