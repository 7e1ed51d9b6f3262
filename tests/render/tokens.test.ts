import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_DIR, fileCache } from "../../src/compile/cache.js";
import { compileIssueFile } from "../../src/compile/compile.js";
import { loadProject } from "../../src/project/project.js";
import { createPersonaliser } from "../../src/render/personalise.js";
import { PROCESS_NONCE, tokenPrefix } from "../../src/render/tokens.js";
import { build } from "../../src/site/build.js";
import { copyFixture, REPO } from "../helpers/newsletter.js";

/**
 * Regression: a literal `RSKSUB0Z` typed in an issue was replaced by reader data — the
 * internal tokens were guessable text. Fixture: tests/fixtures/typed-tokens (an issue that types
 * every old token, a layout with subscriber tags of its own and the old MJ token in a button).
 */
const ISSUE = "issues/2026-06-01-tokens.md";
const TYPED = "RSKSUB0Z, RSKSUB1Z, RSKTPL0Z, RSKHB0Z, RSKHB0lrZ и RSKMJ0Z";

describe("text typed in an issue is never taken for an internal token (regression)", () => {
  let root: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir: root, remove } = await copyFixture("typed-tokens"));
  });
  afterAll(() => remove());

  it("a reader gets the typed text as typed, and their own fields where the tags were", async () => {
    const project = await loadProject(root);
    const r = await compileIssueFile(project, join(root, ISSUE), fileCache(root));
    expect(r.diagnostics).toEqual([]);
    const out = createPersonaliser(r.compiled!).render({ name: "Анна", unsubscribeUrl: "https://rassylka-test.ru/u/x" });
    for (const part of [out.html, out.text]) {
      expect(part.replace(/\s+/g, " ")).toContain(TYPED);
      expect(part).toContain("Анна, привет!");
      expect(part).toContain("Для Анна");
      expect(part).not.toContain(PROCESS_NONCE);
    }
    expect(out.html).toContain('href="https://rassylka-test.ru/RSKMJ0Z"');
    expect(out.html).toContain("Кнопка RSKMJ0Z");
  });

  it("output cached by one process is personalised by another, whose tokens differ", async () => {
    await build({ root });
    // a second process: the built library (dist-lib), the same cache, its own random nonce
    const script = `
      import { fileCache } from ${JSON.stringify(join(REPO, "dist-lib/compile/cache.js"))};
      import { compileIssueFile } from ${JSON.stringify(join(REPO, "dist-lib/compile/compile.js"))};
      import { loadProject } from ${JSON.stringify(join(REPO, "dist-lib/project/project.js"))};
      import { createPersonaliser } from ${JSON.stringify(join(REPO, "dist-lib/render/personalise.js"))};
      import { PROCESS_NONCE } from ${JSON.stringify(join(REPO, "dist-lib/render/tokens.js"))};
      const root = process.argv[1];
      const project = await loadProject(root);
      const r = await compileIssueFile(project, root + "/${ISSUE}", fileCache(root));
      const out = createPersonaliser(r.compiled).render({ name: "Борис" });
      process.stdout.write(JSON.stringify({ fromCache: r.fromCache, nonce: PROCESS_NONCE, stored: r.compiled.tokens, ...out }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, root]);
    const child = JSON.parse(stdout) as { fromCache: boolean; nonce: string; stored: string; html: string; text: string };
    expect(child.fromCache).toBe(true);
    expect(child.nonce).not.toBe(child.stored);
    expect(child.stored).toBe(PROCESS_NONCE);
    expect(child.html).toContain("Борис, привет!");
    expect(child.html).toContain("Для Борис");
    expect(child.text.replace(/\s+/g, " ")).toContain(TYPED);
    expect(child.html).not.toContain(tokenPrefix("SUB", child.stored));
  });

  it("a cache entry from before tokens carried their nonce is a miss, not output with guessable tokens", async () => {
    const dir = join(root, CACHE_DIR);
    // the compiled issues' entries (the folder also holds other caches in folders of their own, e.g. config/)
    for (const f of (await readdir(dir)).filter((name) => name.endsWith(".json"))) {
      const entry = JSON.parse(await readFile(join(dir, f), "utf8")) as Record<string, unknown>;
      delete entry.tokens;
      await writeFile(join(dir, f), JSON.stringify(entry));
    }
    const project = await loadProject(root);
    const r = await compileIssueFile(project, join(root, ISSUE), fileCache(root));
    expect(r.fromCache).toBe(false);
  });
});
