import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lintProject } from "../../src/lint/index.js";
import { listIssueFiles } from "../../src/project/project.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

describe("the example newsletter in this repository", () => {
  it("passes lint with no errors", async () => {
    // no cache: the test must not write .rassylka/ into the repository
    const { results } = await lintProject(repo, undefined, { cache: false });
    expect(results.map((r) => r.file)).toEqual((await listIssueFiles(repo)).map((f) => f.slice(repo.length).replace(/^\//, "")));
    expect(results.length).toBeGreaterThan(0);
    const errors = results.flatMap((r) => r.diagnostics).filter((d) => d.severity === "error");
    expect(errors).toEqual([]);
    for (const r of results) expect(r.slug).toMatch(/^[a-z0-9-]+$/);
  });
});
