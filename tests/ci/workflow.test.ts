import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { REPO } from "../helpers/newsletter.js";

/**
 * The GitHub workflow runs what CI runs (`bash .ci/run`: it installs PostgreSQL, Postfix, Dovecot,
 * Chromium and Template Toolkit before the tests), as root in a Debian image where apt-get works; a bare
 * `npm test` on a runner without those packages fails.
 */
interface Job {
  container?: { image?: string; options?: string } | string;
  steps: { run?: string; uses?: string }[];
}

test("the GitHub workflow runs .ci/run as root in a Debian container, not a bare npm test", async () => {
  const workflow = parse(await readFile(join(REPO, ".github/workflows/ci.yml"), "utf8")) as { jobs: Record<string, Job> };
  const ciRun = await readFile(join(REPO, ".ci/run"), "utf8");
  expect(ciRun).toMatch(/apt-get install -y -q postgresql/);
  expect(ciRun).toMatch(/apt-get install -y -q postfix dovecot-imapd/);
  const jobs = Object.values(workflow.jobs);
  expect(jobs.length).toBeGreaterThan(0);
  for (const job of jobs) {
    const runs = job.steps.map((s) => s.run ?? "");
    expect(runs).toContain("bash .ci/run");
    expect(runs.some((r) => /\bnpm (test|run test)\b/.test(r))).toBe(false);
    const container = typeof job.container === "string" ? { image: job.container } : job.container;
    expect(container?.image).toMatch(/bookworm|debian/);
    expect(container?.options ?? "").toMatch(/--user root/);
  }
});
