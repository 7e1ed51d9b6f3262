import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.js";
import { issue, makeProject, removeProjects } from "./fixtures.js";

afterAll(removeProjects);

const repo = fileURLToPath(new URL("../..", import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "rassylka", "lint", ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const good = issue({});
// the image without alt is on the file's 8th line, its address from column 5
const bad = issue({}, "Первый абзац.\n\n![](https://rassylka-test.ru/g.png)");
const warned = issue({ draft: true });

describe("rassylka lint", () => {
  it("exits 0 and says so when there is nothing wrong (text)", async () => {
    const root = await makeProject({ issues: { "2026-11-10-good.md": good } });
    const r = await run(["--root", root, "--no-cache"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("Checked 1 issue: 0 errors, 0 warnings.");
  });

  it("exits 0 on warnings only", async () => {
    const root = await makeProject({ issues: { "2026-11-10-draft.md": warned } });
    const r = await run(["--root", root, "--no-cache"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("issues/2026-11-10-draft.md:5: warning: the issue is marked `draft: true`");
    expect(r.out).toContain("[lint/draft]");
  });

  it("exits 1 on an error, with file and line (text)", async () => {
    const root = await makeProject({ issues: { "2026-11-10-good.md": good, "2026-11-11-bad.md": bad } });
    const r = await run(["--root", root, "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^issues\/2026-11-11-bad\.md:8:5: error: image https:\/\/rassylka-test\.ru\/g\.png has no alt text/m);
    expect(r.out).toContain("  fix: write what the image shows between the brackets");
    expect(r.out).toContain("Checked 2 issues: 1 error, 0 warnings.");
  });

  it("lints only the files given, by path or slug", async () => {
    const root = await makeProject({ issues: { "2026-11-10-good.md": good, "2026-11-11-bad.md": bad } });
    expect((await run(["--root", root, "--no-cache", "2026-11-10-good"])).code).toBe(0);
    expect((await run(["--root", root, "--no-cache", `${root}/issues/2026-11-11-bad.md`])).code).toBe(1);
  });

  it("prints workflow annotations (github)", async () => {
    const root = await makeProject({ issues: { "2026-11-11-bad.md": bad, "2026-11-12-draft.md": warned } });
    const r = await run(["--root", root, "--no-cache", "--format", "github"]);
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=issues\/2026-11-11-bad\.md,line=8,col=5,title=lint\/img-alt::image https:\/\/rassylka-test\.ru\/g\.png has no alt text/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^::warning file=issues\/2026-11-12-draft\.md,line=5,title=lint\/draft::/));
  });

  it("prints one JSON document (json)", async () => {
    const root = await makeProject({ issues: { "2026-11-11-bad.md": bad } });
    const r = await run(["--root", root, "--no-cache", "--format", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.errors).toBe(1);
    expect(doc.results).toHaveLength(1);
    expect(doc.results[0]).toMatchObject({ file: "issues/2026-11-11-bad.md", slug: "2026-11-11-bad" });
    expect(doc.results[0].diagnostics[0]).toMatchObject({
      ruleId: "lint/img-alt",
      severity: "error",
      file: "issues/2026-11-11-bad.md",
      line: 8,
      url: "https://github.com/rassylka/rassylka#lint-img-alt",
    });
  });

  it("prints a finding of a template once, not once per issue", async () => {
    const root = await makeProject({
      issues: { "2026-11-10-a.md": good, "2026-11-11-b.md": good },
      footer: "<mj-section><mj-column><mj-text>Пока!</mj-text></mj-column></mj-section>",
    });
    const r = await run(["--root", root, "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.out.match(/no unsubscribe link/g)).toHaveLength(1);
    expect(r.out).toContain("Checked 2 issues: 1 error, 0 warnings.");
  });

  it("reports an issue that does not compile, and exits 1", async () => {
    const root = await makeProject({ issues: { "2026-11-10-broken.md": "---\ntitle: Без даты\n---\nТекст\n" } });
    const r = await run(["--root", root, "--no-cache", "--format", "github"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error file=issues\/2026-11-10-broken\.md.*date/m);
  });

  it("reports an unusable newsletter.yaml in the asked-for format, and exits 1", async () => {
    const root = await makeProject({ configText: "name: Без отправителя\n", issues: { "2026-11-10-good.md": good } });
    const r = await run(["--root", root, "--no-cache", "--format", "github"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^::error file=newsletter\.yaml/m);
  });

  it("refuses an unknown format", async () => {
    const root = await makeProject({ issues: { "2026-11-10-good.md": good } });
    const r = await run(["--root", root, "--format", "xml"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(""); // commander explains on stderr; nothing was linted
  });
});

// The binary, as CI runs it (tests/global-setup.ts builds dist-lib/ when it is stale).
describe("node bin/rassylka.js lint", () => {
  const exec = promisify(execFile);
  it("sets the process exit code: 1 with an error, 0 without", async () => {
    const root = await makeProject({ issues: { "2026-11-11-bad.md": bad } });
    const failed = await exec("node", [`${repo}/bin/rassylka.js`, "lint", "--root", root, "--no-cache", "--format", "github"]).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^::error file=issues\/2026-11-11-bad\.md,line=8/m);
    const okRoot = await makeProject({ issues: { "2026-11-10-good.md": good } });
    const passed = await exec("node", [`${repo}/bin/rassylka.js`, "lint", "--root", okRoot, "--no-cache"]);
    expect(passed.stdout).toContain("0 errors");
  });
});
