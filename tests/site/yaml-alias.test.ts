import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBuild } from "../../src/cli/build.js";
import { formatDiagnostic } from "../../src/cli/print.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { lintProject } from "../../src/lint/index.js";
import { loadProject } from "../../src/project/project.js";
import { copyFixture } from "../helpers/newsletter.js";

/**
 * Regression: an undefined YAML alias (`tags: *nope`) or an alias bomb in one issue aborted
 * the whole build and lint with a raw ReferenceError stack. Fixture: tests/fixtures/yaml-alias.
 */
describe("one bad YAML alias stops only its own issue (regression)", () => {
  let root: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir: root, remove } = await copyFixture("yaml-alias"));
  });
  afterAll(() => remove());

  it("build: the two bad issues fail with file and line, the good one is built, exit 1", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runBuild([], { root, cache: false }, { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code).toBe(1);
    expect(out.join("\n")).toMatch(/issues\/2026-06-01-good\.md → .*2026-06-01-good\.html/);
    expect(out.join("\n")).toMatch(/Built 1 issue.*2 failed/);
    const printed = err.join("\n");
    expect(printed).toContain("issues/2026-06-02-undefined-alias.md:4:7: error: YAML alias *nope refers to no anchor &nope");
    expect(printed).toMatch(/issues\/2026-06-03-alias-bomb\.md:8:\d+: error: YAML aliases expand too far/);
    expect(printed).not.toMatch(/ReferenceError|at .*\.js:\d+/);
  });

  it("lint: each bad issue gets its own error, the good one is linted", async () => {
    const { results } = await lintProject(root, undefined, { cache: false });
    const byFile = Object.fromEntries(results.map((r) => [r.file, r.diagnostics.filter((d) => d.severity === "error")]));
    expect(byFile["issues/2026-06-01-good.md"]).toEqual([]);
    expect(byFile["issues/2026-06-02-undefined-alias.md"].map((d) => [d.ruleId, d.line])).toEqual([["yaml/alias", 4]]);
    expect(byFile["issues/2026-06-03-alias-bomb.md"].map((d) => [d.ruleId, d.line])).toEqual([["yaml/alias", 8]]);
  });

  it("newsletter.yaml: a clear error with file, line and fix, never a stack", async () => {
    await copyFile(join(root, "bad-newsletter.yaml"), join(root, "newsletter.yaml"));
    const error = await loadProject(root).catch((e: unknown) => e);
    expect(isRassylkaError(error)).toBe(true);
    if (!isRassylkaError(error)) return;
    expect(error.diagnostics.map(formatDiagnostic)).toEqual([
      'newsletter.yaml:5:10: error: YAML alias *sender refers to no anchor &sender above it [yaml/alias]\n  fix: put the value in quotes if the * is meant literally ("*sender"), or define &sender before it',
    ]);
  });
});
