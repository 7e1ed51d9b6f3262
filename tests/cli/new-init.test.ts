import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIssue, today } from "../../src/cli/new.js";
import { type Diagnostic, isRassylkaError } from "../../src/diagnostics.js";
import { parseIssue } from "../../src/issue/load.js";
import { IGNORED, initNewsletter } from "../../src/project/init.js";
import { tempDir, writeFiles } from "../helpers/newsletter.js";

/** `new` and `init` as functions (the binary runs them in tests/cli/build.test.ts). */
async function diagnosticOf(p: Promise<unknown>): Promise<Diagnostic> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRassylkaError(error)) throw new Error(`expected a RassylkaError, got ${String(error)}`);
  return error.diagnostics[0];
}

let tmp: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-new-"));
});
afterAll(() => remove());

describe("new", () => {
  let root: string;
  beforeAll(async () => {
    root = join(tmp, "n");
    await writeFiles(root, { "newsletter.yaml": "name: N\nfrom:\n  name: A\n  email: a@example.org\n" });
  });

  it.each([
    ["Заголовок", "2026-03-01", "issues/2026-03-01-zagolovok.md"],
    ['Кавычки "и" двоеточие: тоже', "2026-03-02", "issues/2026-03-02-kavychki-i-dvoetochie-tozhe.md"],
    ["# — ? #", "2026-03-03", "issues/2026-03-03-issue.md"],
  ])("%s on %s → %s, whose front-matter parses", async (title, date, rel) => {
    const file = await createIssue(root, title, date);
    expect(file).toBe(join(root, rel));
    const parsed = parseIssue(await readFile(file, "utf8"), rel, {});
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.issue).toMatchObject({ title, date });
  });

  it("today by default", async () => {
    const file = await createIssue(root, "Сегодня");
    expect(file).toBe(join(root, "issues", `${today()}-segodnya.md`));
  });

  it("never overwrites an issue", async () => {
    const d = await diagnosticOf(createIssue(root, "Заголовок", "2026-03-01"));
    expect(d).toMatchObject({ ruleId: "new/exists", file: "issues/2026-03-01-zagolovok.md" });
  });

  it.each(["tomorrow", "2026-02-30", "01.03.2026", "2026-3-1"])(
    "--date %s is refused and nothing is written (regression)",
    async (date) => {
      const before = await readdir(join(root, "issues"));
      const d = await diagnosticOf(createIssue(root, "Дата", date));
      expect(d).toMatchObject({ ruleId: "new/bad-date", field: "--date" });
      expect(d.message).toContain(date);
      expect(d.fix).toContain("YYYY-MM-DD");
      expect(await readdir(join(root, "issues"))).toEqual(before);
    },
  );

  it("outside a newsletter it refuses instead of making a stray issues/ (regression)", async () => {
    const d = await diagnosticOf(createIssue(join(tmp, "nowhere"), "Заголовок", "2026-03-01"));
    expect(d).toMatchObject({ ruleId: "config/missing", file: "newsletter.yaml" });
    expect(d.fix).toContain("--root");
    await expect(readdir(join(tmp, "nowhere"))).rejects.toThrow();
  });
});

describe("init", () => {
  it("creates config, templates, .gitignore and one issue in a new folder", async () => {
    const made = await initNewsletter(join(tmp, "i1"));
    expect(made.written).toEqual([
      "newsletter.yaml",
      "templates/",
      `issues/${today()}-pervyy-vypusk.md`,
      "package.json",
      ".env",
      ".gitignore",
      "lists/",
    ]);
    expect(await readFile(join(tmp, "i1", ".gitignore"), "utf8")).toBe(`${IGNORED.join("\n")}\n`);
    expect((await readdir(join(tmp, "i1", "templates", "layouts"))).length).toBeGreaterThan(0);
  });

  it("an existing .gitignore (a git repository) gets the missing lines (regression: EEXIST)", async () => {
    const dir = join(tmp, "i2");
    await writeFiles(dir, { ".gitignore": "node_modules/\ndist\n", "README.md": "мой проект\n" });
    await initNewsletter(dir);
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe(
      `node_modules/\ndist\n${IGNORED.filter((l) => l !== "dist/").join("\n")}\n`,
    );
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe("мой проект\n");
  });

  it("a .gitignore without a final newline", async () => {
    const dir = join(tmp, "i3");
    await writeFiles(dir, { ".gitignore": "dist/" });
    await initNewsletter(dir);
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe(`${IGNORED.join("\n")}\n`);
  });

  it.each(["newsletter.yaml", "issues/a.md", "templates/x.hbs"])(
    "refuses a folder that already has %s, writing nothing",
    async (existing) => {
      const dir = join(tmp, `clash-${existing.replace(/\W/g, "")}`);
      await writeFiles(dir, { [existing]: "x" });
      const before = await readdir(dir);
      const d = await diagnosticOf(initNewsletter(dir));
      expect(d.ruleId).toBe("init/not-empty");
      expect(d.message).toContain(existing.split("/")[0]);
      expect(await readdir(dir)).toEqual(before);
    },
  );

  it("the starter config keeps secrets out and says so", async () => {
    const text = await readFile(join(tmp, "i1", "newsletter.yaml"), "utf8");
    expect(text).toMatch(/Секреты .* хранятся в \.env, а не здесь/);
    expect(text).not.toMatch(/RASSYLKA_SECRET=/);
  });
});
