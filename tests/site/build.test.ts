import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { CACHE_DIR } from "../../src/compile/cache.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { loadProject } from "../../src/project/project.js";
import { type BuildResult, build, buildProject } from "../../src/site/build.js";
import { readManifest } from "../../src/site/manifest.js";
import { copyExampleNewsletter, tempDir, writeFiles } from "../helpers/newsletter.js";

const SLUGS = ["2026-11-10-tekushchaya-debitorka", "2026-11-24-ne-pryachtes-za-firmu"];

/** Every file under dir, relative, recursively. */
async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

describe("build: the example newsletter, copied to a temp folder", () => {
  let root: string;
  let remove: () => Promise<void>;
  let first: BuildResult;

  beforeAll(async () => {
    ({ dir: root, remove } = await copyExampleNewsletter());
    first = await build({ root });
  });
  afterAll(() => remove());

  it("builds every issue without diagnostics", () => {
    expect(first.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(first.failed).toEqual([]);
    expect(first.built.map((b) => b.entry.slug).sort()).toEqual(SLUGS);
    expect(first.outDir).toBe(join(root, "dist"));
  });

  it("writes <slug>.html and <slug>.txt for each issue, and manifest.json", async () => {
    const files = await readdir(join(root, "dist"));
    for (const slug of SLUGS) expect(files).toEqual(expect.arrayContaining([`${slug}.html`, `${slug}.txt`]));
    expect(files).toContain("manifest.json");
    expect(files.some((f) => f.endsWith(".mjml"))).toBe(false);
  });

  it("manifest: one entry per issue with the documented fields, newest first", async () => {
    const manifest = await readManifest(join(root, "dist"));
    expect(manifest.map((e) => e.slug)).toEqual([...SLUGS].reverse());
    const e = manifest.find((x) => x.slug === SLUGS[0])!;
    expect(e).toEqual({
      slug: SLUGS[0],
      source: `issues/${SLUGS[0]}.md`,
      title: "Текущая дебиторка: договор подписан, что дальше?",
      subject: "Договор подписан, оплата через месяц. Что делать сейчас?",
      preheader: "Почему о клиенте нельзя забывать до даты платежа и как напомнить о себе без давления.",
      date: "2026-11-10",
      draft: false,
      html: `${SLUGS[0]}.html`,
      text: `${SLUGS[0]}.txt`,
      htmlBytes: expect.any(Number),
      warnings: [],
    });
    // subject defaults to the title
    expect(manifest.find((x) => x.slug === SLUGS[1])?.subject).toBe("Не прячьтесь за «фирму»");
  });

  it("htmlBytes is the byte size of the compiled web version (UTF-8, Cyrillic counts twice)", () => {
    for (const b of first.built) {
      expect(b.entry.htmlBytes).toBe(Buffer.byteLength(b.html));
      expect(b.entry.htmlBytes).toBeGreaterThan(b.html.length);
    }
  });

  it("the HTML is a full email: doctype, title = subject, preheader, body, events, footer; no tokens", async () => {
    const html = await readFile(join(root, "dist", `${SLUGS[0]}.html`), "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("<title>Договор подписан, оплата через месяц. Что делать сейчас?</title>");
    expect(html).toContain("Почему о клиенте нельзя забывать");
    expect(html).toContain("Добрый день, уважаемые читатели!");
    expect(html).toContain("8 декабря");
    expect(html).toMatch(/>Форум<\/a>/);
    expect(html).not.toMatch(/RSKSUB|RSKTPL|RSKHB|\{\{/);
  });

  it("the text part: title, body, events; no preheader, no tokens", async () => {
    const text = await readFile(join(root, "dist", `${SLUGS[0]}.txt`), "utf8");
    expect(text).toContain("Текущая дебиторка: договор подписан, что дальше?");
    expect(text).toContain("Добрый день, уважаемые читатели!\n");
    expect(text).toContain("8 декабря, 10:00");
    expect(text).not.toContain("Почему о клиенте нельзя забывать");
    expect(text).not.toMatch(/RSKSUB|RSKTPL|RSKHB|\{\{/);
  });

  it("atomic writes leave no .tmp files in dist/ or the cache", async () => {
    const all = [...(await walk(join(root, "dist"))), ...(await walk(join(root, CACHE_DIR)))];
    expect(all.length).toBeGreaterThan(4);
    expect(all.filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  describe("cache", () => {
    it("the first build compiled everything and filled .rassylka/cache/", async () => {
      expect(first.built.every((b) => !b.fromCache)).toBe(true);
      expect((await readdir(join(root, CACHE_DIR))).filter((f) => f.endsWith(".json"))).toHaveLength(SLUGS.length);
    });

    it("a second build is served from the cache, with the same output", async () => {
      const second = await build({ root });
      expect(second.built.map((b) => b.fromCache)).toEqual([true, true]);
      for (const [i, b] of second.built.entries()) {
        expect(b.html).toBe(first.built[i].html);
        expect(b.text).toBe(first.built[i].text);
        expect(b.entry).toEqual(first.built[i].entry);
      }
    });

    it("--no-cache compiles again and does not touch the cache", async () => {
      const before = await walk(join(root, CACHE_DIR));
      const r = await build({ root, cache: false });
      expect(r.built.map((b) => b.fromCache)).toEqual([false, false]);
      expect(await walk(join(root, CACHE_DIR))).toEqual(before);
    });

    it("an edited issue rebuilds alone", async () => {
      const file = join(root, "issues", `${SLUGS[1]}.md`);
      await writeFile(file, `${await readFile(file, "utf8")}\nПостскриптум.\n`);
      const r = await build({ root });
      expect(r.built.map((b) => [b.entry.slug, b.fromCache])).toEqual([
        [SLUGS[0], true],
        [SLUGS[1], false],
      ]);
      expect(r.built[1].text).toContain("Постскриптум.");
    });

    it("a cache entry of another shape (an older rassylka's) is a miss, not a crash (regression)", async () => {
      const dir = join(root, CACHE_DIR);
      const entries = (await readdir(dir)).filter((f) => f.endsWith(".json"));
      for (const f of entries) await writeFile(join(dir, f), JSON.stringify({ slug: "x", htmlTemplate: "<p>old</p>" }));
      const r = await build({ root });
      expect(r.diagnostics).toEqual([]);
      expect(r.built.map((b) => b.fromCache)).toEqual([false, false]);
      expect(r.built[0].html).toContain("Добрый день, уважаемые читатели!");
    });

    it("a changed template rebuilds every issue", async () => {
      const file = join(root, "templates", "partials", "signature.hbs");
      await writeFile(file, (await readFile(file, "utf8")).replace("{{newsletter.words.regards}}", "Всего доброго,"));
      const r = await build({ root });
      expect(r.built.map((b) => b.fromCache)).toEqual([false, false]);
      for (const b of r.built) expect(b.text).toContain("Всего доброго,");
    });

    it("a changed newsletter.yaml rebuilds every issue", async () => {
      const file = join(root, "newsletter.yaml");
      await writeFile(file, (await readFile(file, "utf8")).replace("author: Ольга Самойленко", "author: Пётр Иванов"));
      const r = await build({ root });
      expect(r.built.map((b) => b.fromCache)).toEqual([false, false]);
      for (const b of r.built) expect(b.text).toContain("Пётр Иванов");
    });
  });

  describe("options", () => {
    it("--emit-mjml writes <slug>.mjml, the MJML the layout produced", async () => {
      const r = await build({ root, emitMjml: true });
      for (const slug of SLUGS) {
        const mjml = await readFile(join(root, "dist", `${slug}.mjml`), "utf8");
        expect(mjml).toMatch(/^<mjml lang="ru">/);
        expect(mjml).toContain("<mj-body");
      }
      expect(r.failed).toEqual([]);
    });

    it("--out writes elsewhere (relative to the root)", async () => {
      const r = await build({ root, out: "site" });
      expect(r.outDir).toBe(join(root, "site"));
      expect((await readManifest(join(root, "site"))).length).toBe(SLUGS.length);
    });

    it("building one issue by slug keeps the other's manifest entry", async () => {
      const r = await build({ root, files: ["ne-pryachtes-za-firmu"] });
      expect(r.built.map((b) => b.entry.slug)).toEqual([SLUGS[1]]);
      expect((await readManifest(join(root, "dist"))).map((e) => e.slug).sort()).toEqual(SLUGS);
    });

    // regressions: a root-relative path picked the cwd's file of that name (here the repository's own
    // issues/), and a file named twice was reported as its own duplicate slug
    it("an issue named by slug, root-relative path and absolute path is the root's, built once", async () => {
      const r = await build({ root, files: [SLUGS[0], `issues/${SLUGS[0]}.md`, join(root, "issues", `${SLUGS[0]}.md`)], write: false });
      expect(r.diagnostics).toEqual([]);
      expect(r.built.map((b) => b.entry.source)).toEqual([`issues/${SLUGS[0]}.md`]);
    });

    it("an unknown issue reference names what exists", async () => {
      const error = await build({ root, files: ["no-such-issue"] }).catch((e: unknown) => e);
      expect(isRassylkaError(error)).toBe(true);
      expect(String((error as Error).message)).toContain('no issue "no-such-issue"');
      expect(String((error as Error).message)).toContain(`issues/${SLUGS[0]}.md`);
    });

    it("write: false compiles without writing", async () => {
      const t = await copyExampleNewsletter();
      try {
        const r = await build({ root: t.dir, write: false, cache: false });
        expect(r.built).toHaveLength(SLUGS.length);
        await expect(stat(join(t.dir, "dist"))).rejects.toThrow();
      } finally {
        await t.remove();
      }
    });
  });
});

describe("build: a partial build after an issue was deleted", () => {
  it("drops the deleted issue's manifest entry and keeps the others' (regression)", async () => {
    const t = await copyExampleNewsletter();
    try {
      await build({ root: t.dir });
      await writeFile(join(t.dir, "issues", "2026-12-01-third.md"), "---\ntitle: Третий\ndate: 2026-12-01\n---\nТекст.\n");
      await build({ root: t.dir, files: ["2026-12-01-third"] });
      expect((await readManifest(join(t.dir, "dist"))).map((e) => e.slug).sort()).toEqual([...SLUGS, "2026-12-01-third"]);
      await rm(join(t.dir, "issues", `${SLUGS[0]}.md`));
      await build({ root: t.dir, files: ["2026-12-01-third"] });
      expect((await readManifest(join(t.dir, "dist"))).map((e) => e.slug).sort()).toEqual([SLUGS[1], "2026-12-01-third"]);
    } finally {
      await t.remove();
    }
  });
});

describe("build: one bad issue among good ones", () => {
  let root: string;
  let remove: () => Promise<void>;
  let r: BuildResult;

  beforeAll(async () => {
    ({ dir: root, remove } = await copyExampleNewsletter());
    await writeFiles(root, {
      "issues/2026-12-01-opechatka.md": "---\ntitle: Опечатка\ndate: 2026-12-01\nsubjet: Тема\n---\nТекст\n",
      "issues/2026-12-02-nezakryt.md": "---\ntitle: Блок\ndate: 2026-12-02\n---\nПривет\n\n{{#if subscriber.name}}\nИмя\n",
      "issues/2026-12-03-pustoy.md": "",
      "issues/2026-12-04-data.md": "---\ntitle: Дата\ndate: 2026-02-30\n---\nТекст\n",
      "issues/2026-12-05-maket.md": "---\ntitle: Макет\ndate: 2026-12-05\ntemplate: promo\n---\nТекст\n",
    });
    r = await build({ root, cache: false });
  });
  afterAll(() => remove());

  it("the good issues are built and written", async () => {
    expect(r.built.map((b) => b.entry.slug).sort()).toEqual(SLUGS);
    const files = await readdir(join(root, "dist"));
    for (const slug of SLUGS) expect(files).toContain(`${slug}.html`);
    expect(files.filter((f) => f.startsWith("2026-12-"))).toEqual([]);
    expect((await readManifest(join(root, "dist"))).map((e) => e.slug).sort()).toEqual(SLUGS);
  });

  it("every bad issue is reported as failed", () => {
    expect(r.failed).toEqual([
      "issues/2026-12-01-opechatka.md",
      "issues/2026-12-02-nezakryt.md",
      "issues/2026-12-03-pustoy.md",
      "issues/2026-12-04-data.md",
      "issues/2026-12-05-maket.md",
    ]);
  });

  it.each([
    ["issues/2026-12-01-opechatka.md", "frontmatter/unknown-key", 4, "subjet", "did you mean subject?"],
    ["issues/2026-12-02-nezakryt.md", "handlebars/unclosed-block", 7, undefined, "{{#if}} is never closed"],
    ["issues/2026-12-03-pustoy.md", "issue/empty", 1, undefined, "empty"],
    ["issues/2026-12-04-data.md", "frontmatter/invalid", 3, "date", "real date"],
    ["issues/2026-12-05-maket.md", "template/missing-layout", 4, "template", 'layout "promo" not found'],
  ])("%s: %s at line %i", (file, ruleId, line, field, words) => {
    const d = r.diagnostics.filter((x) => x.file === file);
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toHaveLength(1);
    expect(d[0]).toMatchObject({ ruleId, line, severity: "error", ...(field ? { field } : {}) });
    expect(formatDiagnostic(d[0])).toContain(words);
  });

  it("two issues with one slug: the second fails with build/duplicate-slug", async () => {
    await writeFiles(root, {
      "issues/zzz-copy.md": `---\ntitle: Копия\ndate: 2026-12-06\nslug: ${SLUGS[0]}\n---\nТекст\n`,
    });
    const again = await build({ root, cache: false, write: false });
    const d = again.diagnostics.find((x) => x.ruleId === "build/duplicate-slug");
    expect(d).toMatchObject({ file: "issues/zzz-copy.md", field: "slug" });
    expect(d?.message).toContain(`issues/${SLUGS[0]}.md`);
    expect(again.failed).toContain("issues/zzz-copy.md");
  });
});

describe("build: the events footer through the real templates", () => {
  it("the config's events in the window, `events: false` hides them, a list replaces them", async () => {
    const t = await copyExampleNewsletter();
    try {
      await writeFiles(t.dir, {
        "issues/2026-12-01-bez.md": "---\ntitle: Без событий\ndate: 2026-12-01\nevents: false\n---\nТекст\n",
        "issues/2026-12-02-svoi.md":
          "---\ntitle: Свои события\ndate: 2026-12-02\nevents:\n  - date: 2027-03-05\n    title: Весенний семинар\n    place: онлайн\n---\nТекст\n",
      });
      const r = await build({ root: t.dir, cache: false, write: false });
      expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
      const text = (slug: string) => r.built.find((b) => b.entry.slug === slug)!.text.replaceAll("\u00a0", " ");
      const heading = "Ждём вас на тренингах и семинарах:";
      // 2026-11-10: 8 and 16 December are within 60 days, 10 February 2027 is not
      expect(text(SLUGS[0])).toMatch(/8 декабря, 10:00 — «Дебиторка без конфликтов»[\s\S]*16 декабря, 10:00 — «Работа с возражениями»/);
      expect(text(SLUGS[0])).not.toContain("Переговоры о цене");
      expect(text("2026-12-01-bez")).not.toContain(heading);
      expect(text("2026-12-02-svoi")).toContain(heading);
      expect(text("2026-12-02-svoi")).toContain("5 марта 2027 г. — «Весенний семинар» (онлайн)");
      expect(text("2026-12-02-svoi")).not.toContain("Дебиторка без конфликтов");
    } finally {
      await t.remove();
    }
  });
});

describe("build: a stage that throws", () => {
  it("fails that issue with build/crash and builds the others (regression: the whole build died)", async () => {
    const t = await copyExampleNewsletter();
    try {
      const project = await loadProject(t.dir);
      // Intl throws on this tag when formatting the date (the schema refuses it in newsletter.yaml)
      project.config.config.language = "ru_RU";
      await writeFiles(t.dir, { "issues/2026-12-01-tekst.md": "---\ntitle: T\ndate: 2026-12-01\nslug: tekst\n---\nТекст\n" });
      const r = await buildProject(project, { root: t.dir, cache: false, write: false, files: ["tekst"] });
      expect(r.built).toEqual([]);
      expect(r.failed).toEqual(["issues/2026-12-01-tekst.md"]);
      expect(r.diagnostics[0]).toMatchObject({ ruleId: "build/crash", file: "issues/2026-12-01-tekst.md" });
      expect(r.diagnostics[0].message).toContain("compiling failed:");
    } finally {
      await t.remove();
    }
  });
});

describe("build: a folder that is not a newsletter", () => {
  it.each([
    ["no newsletter.yaml", {}, "config/missing"],
    ["no layouts", { "newsletter.yaml": "name: N\nfrom:\n  name: A\n  email: a@example.org\n" }, "templates/no-layout"],
    [
      "no issues",
      { "newsletter.yaml": "name: N\nfrom:\n  name: A\n  email: a@example.org\n", "templates/layouts/default.mjml.hbs": "<mjml></mjml>" },
      "build/no-issues",
    ],
  ])("%s: %s", async (_name, files, ruleId) => {
    const t = await tempDir();
    try {
      await writeFiles(t.dir, files);
      const error = await build({ root: t.dir }).catch((e: unknown) => e);
      expect(isRassylkaError(error)).toBe(true);
      expect((error as { diagnostics: { ruleId: string; fix?: string }[] }).diagnostics[0]).toMatchObject({
        ruleId,
        fix: expect.any(String),
      });
    } finally {
      await t.remove();
    }
  });
});
