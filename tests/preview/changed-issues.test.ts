import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { copyExampleNewsletter, ISSUE_A, ISSUE_B, REPO } from "./helpers.js";

const run = promisify(execFile);
const SCRIPT = join(REPO, "scripts/changed-issues.sh");
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.org",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.org",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: "/nonexistent",
};

// A throwaway git repository in a temp dir: `main` holds the example newsletter, the test works on a branch.
let repo: string;
let remove: () => Promise<void>;
const git = (...args: string[]) => run("git", args, { cwd: repo, env: GIT_ENV });
const changed = async (...args: string[]) => (await run(SCRIPT, args, { cwd: repo, env: GIT_ENV })).stdout.split("\n").filter(Boolean);

beforeEach(async () => {
  ({ dir: repo, remove } = await copyExampleNewsletter());
  await git("init", "-q", "-b", "main");
  await git("add", ".");
  await git("commit", "-q", "-m", "base");
  await git("checkout", "-q", "-b", "pr");
});
afterEach(async () => remove?.());

describe("scripts/changed-issues.sh", () => {
  test("nothing changed: no issues", async () => {
    expect(await changed("main")).toEqual([]);
  });

  test("the issues a branch changed or added, committed or not; deleted ones left out", async () => {
    await writeFile(join(repo, "issues", `${ISSUE_A}.md`), "---\ntitle: Новое\ndate: 2026-11-10\n---\nТекст\n");
    await git("commit", "-qam", "edit A");
    await writeFile(join(repo, "issues", "2026-12-01-novyj.md"), "---\ntitle: Новый\ndate: 2026-12-01\n---\nТекст\n");
    await writeFile(join(repo, "README.md"), "not an issue\n");
    expect(await changed("main")).toEqual([`issues/${ISSUE_A}.md`, "issues/2026-12-01-novyj.md"]);

    await rm(join(repo, "issues", `${ISSUE_A}.md`));
    expect(await changed("main")).toEqual(["issues/2026-12-01-novyj.md"]);
  });

  test("a template or newsletter.yaml change selects every issue", async () => {
    await writeFile(join(repo, "templates", "partials", "signature.hbs"), "<mj-section></mj-section>\n");
    expect(await changed("main")).toEqual([`issues/${ISSUE_A}.md`, `issues/${ISSUE_B}.md`]);
    await git("checkout", "-q", "--", "templates");
    expect(await changed("main")).toEqual([]);
    await writeFile(join(repo, "newsletter.yaml"), "name: x\n", { flag: "a" });
    expect(await changed("main")).toEqual([`issues/${ISSUE_A}.md`, `issues/${ISSUE_B}.md`]);
  });

  test("a newsletter in a subfolder: paths relative to it", async () => {
    const sub = join(repo, "site");
    await mkdir(sub);
    await git("mv", "newsletter.yaml", "templates", "issues", "site/");
    await git("commit", "-qm", "move");
    await git("branch", "-f", "main", "HEAD");
    await writeFile(join(sub, "issues", `${ISSUE_B}.md`), "---\ntitle: Б\ndate: 2026-11-24\n---\nТекст\n");
    expect(await changed("main", "site")).toEqual([`issues/${ISSUE_B}.md`]);
  });

  test("an unknown base says how to fix it", async () => {
    const error = (await run(SCRIPT, ["origin/nope"], { cwd: repo, env: GIT_ENV }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(2);
    expect(error.stderr).toContain("fetch-depth: 0");
  });
});
