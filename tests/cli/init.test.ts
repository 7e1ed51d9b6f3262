import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLACEHOLDER_HOST } from "../../src/config/placeholder.js";
import { IGNORED } from "../../src/project/init.js";
import { today } from "../../src/util/date.js";
import { rassylka } from "../helpers/cli.js";
import { tempDir } from "../helpers/newsletter.js";

/**
 * `rassylka init` through the binary, in each language: a newsletter that is nobody's in particular,
 * that builds and lints with no error (placeholders are warnings), renders every documented field, keeps
 * outputs, secrets and readers' files out of git, and carries a fresh secret in .env.
 */
let tmp: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-init-"));
});
afterAll(() => remove());

type Found = { ruleId: string; severity: string; file?: string; line?: number; field?: string };
/** The findings of `lint --format json`. */
const findings = (out: string): Found[] =>
  (JSON.parse(out) as { results: { diagnostics: Found[] }[] }).results.flatMap((r) => r.diagnostics);

/** Words of the repository's own (sales-training) newsletter that a neutral init must not carry. */
const SEED_WORDS = /тренинг|семинар|Форум продаж|продаж|дебитор/i;

const CASES = [
  { language: "ru", slug: "pervyy-vypusk", regards: "С уважением,", heading: "Ближайшие события:", unsubscribe: "Отписаться" },
  { language: "en", slug: "our-first-issue", regards: "Best regards,", heading: "Coming up:", unsubscribe: "Unsubscribe" },
  { language: "uk", slug: "pershiy-vipusk", regards: "З повагою,", heading: "Найближчі події:", unsubscribe: "Відписатися" },
];

describe.each(CASES)("init --language $language", ({ language, slug, regards, heading, unsubscribe }) => {
  let dir: string;
  const issue = `issues/${today()}-${slug}.md`;
  beforeAll(async () => {
    dir = join(tmp, `n-${language}`);
    const r = await rassylka(["init", dir, "--language", language], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);

  it("writes the example issue in that language, with none of the seed newsletter's words", async () => {
    const config = await readFile(join(dir, "newsletter.yaml"), "utf8");
    expect(config).toContain(`language: ${language}`);
    const text = await readFile(join(dir, issue), "utf8");
    // not a draft: the first build has its page to show (drafts are not written to dist/)
    expect(text).not.toMatch(/^draft:/m);
    for (const f of [config, text]) expect(f).not.toMatch(SEED_WORDS);
  });

  it("lint: no error, each placeholder a warning at its line in newsletter.yaml", async () => {
    const r = await rassylka(["lint", "--root", dir, "--format", "json"], tmp);
    expect(r.code).toBe(0);
    const found = findings(r.out);
    expect(found.filter((d) => d.severity === "error")).toEqual([]);
    const placeholders = found.filter((d) => d.ruleId === "lint/placeholder");
    expect(placeholders.map((d) => d.field).sort()).toEqual(
      ["contacts.email", "contacts.site", "from.email", "unsubscribe.mailto", "unsubscribe.url", "url"].sort(),
    );
    const lines = (await readFile(join(dir, "newsletter.yaml"), "utf8")).split("\n");
    for (const d of placeholders) {
      expect(d).toMatchObject({ severity: "warning", file: "newsletter.yaml" });
      expect(lines[(d.line ?? 0) - 1]).toContain(`${(d.field ?? "").split(".").at(-1)}:`);
      expect(lines[(d.line ?? 0) - 1]).toContain(PLACEHOLDER_HOST);
    }
  }, 60_000);

  it("the templates render the words in that language, contacts.site, contacts.address and the events heading", async () => {
    const yamlFile = join(dir, "newsletter.yaml");
    const yaml = (await readFile(yamlFile, "utf8"))
      .replace("  # address: …", "  address: Tverskaya 7, Moscow")
      .replace("events: []", "events:\n  - date: 2099-01-10\n    title: Open day");
    await writeFile(yamlFile, yaml);
    // the event must fall inside the issue's window: move the issue close to it
    const file = join(dir, issue);
    await writeFile(file, (await readFile(file, "utf8")).replace(/^date: .*$/m, "date: 2098-12-20"));
    const r = await rassylka(["build", "--root", dir], tmp);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const text = await readFile(join(dir, "dist", `${today()}-${slug}.txt`), "utf8");
    expect(text).toContain(regards);
    expect(text).toContain(heading);
    expect(text).toContain("Open day");
    expect(text).toContain("Tverskaya 7, Moscow");
    expect(text).toContain(`(https://${PLACEHOLDER_HOST})`);
    expect(text).toContain(unsubscribe);
    expect(text).not.toMatch(/^\s*·/m);
  }, 60_000);

  it(".gitignore keeps outputs, state, secrets and readers' files out of git; lists/ says why", async () => {
    const ignore = (await readFile(join(dir, ".gitignore"), "utf8")).split("\n");
    for (const l of ["dist/", "outbox/", "review/", "report/", ".rassylka/", ".env", "lists/*"]) expect(ignore).toContain(l);
    expect(IGNORED).toContain("!lists/README.md");
    expect((await readFile(join(dir, "lists", "README.md"), "utf8")).length).toBeGreaterThan(40);
  });

  it("package.json depends on rassylka and has build, preview and lint scripts", async () => {
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies.rassylka).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(pkg.scripts).toEqual({ build: "rassylka build", preview: "rassylka preview", lint: "rassylka lint" });
  });

  it(".env holds a fresh 32-byte secret, readable by its owner only, never printed", async () => {
    const env = await readFile(join(dir, ".env"), "utf8");
    const secret = /^RASSYLKA_SECRET=([0-9a-f]{64})$/m.exec(env)?.[1];
    expect(secret).toBeDefined();
    expect((await stat(join(dir, ".env"))).mode & 0o077).toBe(0);
    const other = await readFile(join(tmp, `n-${CASES.find((c) => c.language !== language)?.language}`, ".env"), "utf8").catch(() => "");
    if (other) expect(other).not.toContain(secret);
  });
});

describe("init --url", () => {
  it("puts the archive's address and the unsubscribe endpoint under it", async () => {
    const dir = join(tmp, "with-url");
    const r = await rassylka(["init", dir, "--language", "en", "--url", "https://news.acme.dev/archive/"], tmp);
    expect(r.code).toBe(0);
    const yaml = await readFile(join(dir, "newsletter.yaml"), "utf8");
    expect(yaml).toMatch(/^url: https:\/\/news\.acme\.dev\/archive$/m);
    expect(yaml).toMatch(/^ {2}url: https:\/\/news\.acme\.dev\/archive\/unsubscribe$/m);
    const lint = await rassylka(["lint", "--root", dir, "--format", "json"], tmp);
    const fields = findings(lint.out)
      .filter((d) => d.ruleId === "lint/placeholder")
      .map((d) => d.field);
    expect(fields).not.toContain("url");
    expect(fields).not.toContain("unsubscribe.url");
    expect(fields).toContain("from.email");
  }, 60_000);

  it.each([
    ["--url", "ftp://x.ru"],
    ["--language", "de"],
  ])("%s %s is refused with one line naming the flag, writing nothing", async (flag, value) => {
    const dir = join(tmp, `bad-${flag.slice(2)}`);
    const r = await rassylka(["init", dir, flag, value], tmp);
    expect(r.code).toBe(1);
    expect(r.err).toContain(flag);
    expect(r.err).not.toMatch(/\n\s+at /);
    await expect(stat(join(dir, "newsletter.yaml"))).rejects.toThrow();
  });
});
