import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";

/**
 * What a cached `rassylka build` loads, as a user runs it (the bundle in dist-cli/): every module the
 * process imports is recorded by a module hook (node:module `register`). A build whose issues are all
 * unchanged compiles nothing and renders no page (src/site/cached.ts), so it loads none of the libraries
 * that do — start-up is most of its time (docs/performance.md).
 */
const run = promisify(execFile);
const BIN = join(REPO, "bin", "rassylka.js");

/**
 * Text each library's code carries (what the bundle keeps of it): Handlebars' parser and runtime, zod,
 * the YAML parser, i18next, markdown-it.
 */
const LIBRARIES: Record<string, RegExp> = {
  handlebars: /Parse error on line|You must pass a string or Handlebars AST/,
  zod: /ZodError/,
  yaml: /YAMLParseError/,
  i18next: /i18next::translator/,
  "markdown-it": /markdown-it/i,
};

describe("a cached build of unchanged issues", () => {
  let root: string;
  let remove: () => Promise<void>;
  let loaded: string[];
  let out: string;

  beforeAll(async () => {
    ({ dir: root, remove } = await copyExampleNewsletter());
    const hooks = join(root, "hooks.mjs");
    const log = join(root, "loaded.txt");
    await writeFile(
      hooks,
      `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }
`,
    );
    await writeFile(
      join(root, "register.mjs"),
      `import { register } from "node:module"; register(${JSON.stringify(`file://${hooks}`)});\n`,
    );
    // the newsletter's own language (ru), as an editor runs it: not the tests' RASSYLKA_LANG=en
    const env = { ...process.env, NO_COLOR: "1", RASSYLKA_LANG: "" };
    await run(process.execPath, [BIN, "build", "--root", root], { env });
    await writeFile(log, "");
    ({ stdout: out } = await run(process.execPath, ["--import", join(root, "register.mjs"), BIN, "build", "--root", root], { env }));
    loaded = (await readFile(log, "utf8")).split("\n").filter((u) => u.startsWith("file:"));
  }, 120_000);
  afterAll(() => remove());

  it("is served from the cache, says so in the newsletter's language, and the record is of the bundle", () => {
    expect(out.match(/из кэша/g)).toHaveLength(2);
    expect(out).toMatch(/^Собрано 2 выпуска в /m);
    expect(loaded.filter((u) => u.includes("/dist-cli/")).length).toBeGreaterThan(1);
  });

  it("loads nothing from node_modules (MJML, juice, Pagefind, SQLite…)", () => {
    expect(loaded.filter((u) => u.includes("/node_modules/"))).toEqual([]);
  });

  it.each(Object.entries(LIBRARIES))("loads no chunk of %s", async (_name, code) => {
    const chunks = loaded.filter((u) => u.includes("/dist-cli/"));
    const texts = await Promise.all(chunks.map((u) => readFile(fileURLToPath(u), "utf8")));
    expect(chunks.filter((_, i) => code.test(texts[i]))).toEqual([]);
  });
});
