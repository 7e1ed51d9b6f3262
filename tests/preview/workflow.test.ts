import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { createProgram } from "../../src/cli/index.js";
import { REPO } from "./helpers.js";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}

// The workflow's steps are commands that exist here: every script and CLI command it calls is real.
describe(".github/workflows/preview.yml", () => {
  test("runs on pull requests (never pull_request_target) with the full history, Node 20 and the steps the review needs", async () => {
    const source = await readFile(join(REPO, ".github/workflows/preview.yml"), "utf8");
    const wf = parse(source);
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(source).not.toMatch(/^\s*pull_request_target\s*:/m);
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const steps: Step[] = wf.jobs.preview.steps;
    const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["fetch-depth"]).toBe(0);
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe(20);
    const runs = steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm ci");
    expect(runs).toContain("apt-get install -y -q chromium");
    expect(runs).toContain("lint --format github");

    // the review compares with the base branch, named through the environment, into review/
    const review = steps.find((s) => s.id === "review");
    expect(review?.run).toBe('node bin/rassylka.js review --base "origin/$BASE_REF" --out review');
    expect(review?.env?.BASE_REF).toMatch(/^\$\{\{\s*github\.base_ref\s*\}\}$/);
    expect(runs).not.toMatch(/\$\{\{\s*github\.(base_ref|head_ref)/);
    expect(runs).toContain('cat review/summary.md >> "$GITHUB_STEP_SUMMARY"');
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.path).toBe("review/");
    expect(upload?.if).toBe("always()");

    // one sticky comment, found by its marker; skipped for forks, with a note instead
    const sameRepo = "github.event.pull_request.head.repo.full_name == github.repository";
    const comment = steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(comment?.if).toContain(sameRepo);
    expect(comment?.if).toContain("steps.review.outcome == 'success'");
    const script = String(comment?.with?.script);
    expect(script).toContain('const marker = "<!-- rassylka-review -->"');
    expect(script).toContain('readFileSync("review/summary.md"');
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
    const fork = steps.find((s) => s.if?.includes("github.event.pull_request.head.repo.full_name != github.repository"));
    expect(fork?.run).toContain("fork");

    // the job fails on build, lint or review errors, after the artifact and the comment are there
    const last = steps[steps.length - 1];
    expect(last.if).toBe("steps.build.outcome == 'failure' || steps.lint.outcome == 'failure' || steps.review.outcome == 'failure'");
    expect(steps.indexOf(upload!)).toBeLessThan(steps.length - 1);

    for (const script of runs.match(/scripts\/[\w-]+\.(?:sh|ts)/g) ?? []) await access(join(REPO, script));
    const commands = new Set((await createProgram()).commands.map((c) => c.name()));
    for (const [, command] of runs.matchAll(/bin\/rassylka\.js (\w+)/g)) expect(commands.has(command)).toBe(true);
    expect(new Set([...runs.matchAll(/bin\/rassylka\.js (\w+)/g)].map((m) => m[1]))).toEqual(new Set(["build", "lint", "review"]));
  });
});
