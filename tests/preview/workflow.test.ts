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
  if?: string;
}

// The workflow's steps are commands that exist here: every script and CLI command it calls is real.
describe(".github/workflows/preview.yml", () => {
  test("runs on pull requests with the full history, Node 20 and the steps the preview needs", async () => {
    const wf = parse(await readFile(join(REPO, ".github/workflows/preview.yml"), "utf8"));
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    const steps: Step[] = wf.jobs.preview.steps;
    const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["fetch-depth"]).toBe(0);
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe(20);
    expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with?.path).toContain("dist/screenshots/*.png");
    const runs = steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm ci");
    expect(runs).toContain("apt-get install -y -q chromium");
    expect(runs).toContain("lint --format github");
    expect(runs).toContain('>> "$GITHUB_STEP_SUMMARY"');

    for (const script of runs.match(/scripts\/[\w-]+\.(?:sh|ts)/g) ?? []) await access(join(REPO, script));
    const commands = new Set((await createProgram()).commands.map((c) => c.name()));
    for (const [, command] of runs.matchAll(/bin\/rassylka\.js (\w+)/g)) expect(commands.has(command)).toBe(true);
    expect(new Set([...runs.matchAll(/bin\/rassylka\.js (\w+)/g)].map((m) => m[1]))).toEqual(new Set(["build", "lint", "screenshots"]));
  });
});
