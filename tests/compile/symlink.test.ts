import { readdir, rename, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { lintProject } from "../../src/lint/index.js";
import { build } from "../../src/site/build.js";
import { copyFixture, tempDir } from "../helpers/newsletter.js";

/**
 * Regression: an issue file that was a symlink to a file outside the newsletter's folder
 * was built and published. Fixture: tests/fixtures/symlinked-issues (its elsewhere/ is moved out of the
 * root, and the links are made here: git keeps symlinks poorly across platforms).
 */
describe("issue files outside the newsletter's folder are refused (regression)", () => {
  let root: string;
  let outside: string;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const r = await copyFixture("symlinked-issues");
    const o = await tempDir("rsk-outside-");
    cleanup.push(r.remove, o.remove);
    root = r.dir;
    outside = join(o.dir, "2026-06-02-secret.md");
    await rename(join(root, "elsewhere", "2026-06-02-secret.md"), outside);
    await symlink(outside, join(root, "issues", "2026-06-02-secret.md"));
    await symlink(join("..", "drafts", "2026-06-03-inside.md"), join(root, "issues", "2026-06-03-inside.md"));
  });
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it("build: the link outside is an error naming where it leads; the rest is built and nothing of it is published", async () => {
    const r = await build({ root, cache: false });
    expect(r.failed).toEqual(["issues/2026-06-02-secret.md"]);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ ruleId: "issue/outside-root", file: "issues/2026-06-02-secret.md" });
    expect(errors[0].message).toContain(outside);
    expect(formatDiagnostic(errors[0])).toMatch(/outside the newsletter's folder .*: refused/);
    expect(r.built.map((b) => b.entry.slug).sort()).toEqual(["2026-06-01-good", "2026-06-03-inside"]);
    const dist = await readdir(join(root, "dist"));
    expect(dist.filter((f) => f.includes("secret"))).toEqual([]);
  });

  it("build of a path outside the folder, given by hand, is refused too", async () => {
    const r = await build({ root, cache: false, files: [outside], write: false });
    expect(r.failed).toEqual([expect.stringMatching(/2026-06-02-secret\.md$/)]);
    expect(r.diagnostics.map((d) => d.ruleId)).toEqual(["issue/outside-root"]);
    expect(r.diagnostics[0].message).toContain(outside);
  });

  it("lint refuses it the same way", async () => {
    const { results } = await lintProject(root, undefined, { cache: false });
    const secret = results.find((x) => x.file === "issues/2026-06-02-secret.md");
    expect(secret?.diagnostics.map((d) => d.ruleId)).toEqual(["issue/outside-root"]);
  });
});
