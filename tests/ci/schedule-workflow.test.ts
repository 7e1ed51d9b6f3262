// .github/workflows/schedule.yml: its rassylka steps run as the workflow runs them (bash, the secret as
// RASSYLKA_DATABASE_URL, the summary file), against a real PostgreSQL database.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN } from "../helpers/cli.js";
import { REPO } from "../helpers/newsletter.js";
import { connectPostgres, type TestPostgres } from "../helpers/postgres.js";
import { SLUG, writeIssue } from "../schedule/helpers.js";
import { CONFIG, makeProject, SECRET } from "../send/helpers.js";

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { push?: { branches?: string[] }; schedule?: unknown };
  jobs: Record<string, { steps: Step[] }>;
}

let pg: TestPostgres;
beforeAll(async () => {
  pg = await connectPostgres();
});
afterAll(() => pg?.close());

it("pushes the schedule on every push to main with the secret's database, never on a timer, and writes schedule list to the summary", async () => {
  const workflow = parse(await readFile(join(REPO, ".github/workflows/schedule.yml"), "utf8")) as Workflow;
  expect(workflow.on.push?.branches).toEqual(["main"]);
  expect(workflow.on.schedule).toBeUndefined();
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.run?.includes("rassylka")));
  expect(steps.map((s) => s.run?.match(/rassylka schedule (push|list)/)?.[1])).toEqual(["push", "list"]);
  // GitHub's expression syntax, written as the workflow has it
  const secret = ["$", "{{ secrets.RASSYLKA_DATABASE_URL }}"].join("");
  for (const s of steps) expect(s.env).toEqual({ RASSYLKA_DATABASE_URL: secret });

  const { root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\n`);
  try {
    await writeIssue(root, "2030-03-02 10:00");
    const url = await pg.database();
    const summary = join(root, "summary.md");
    await writeFile(summary, "");
    for (const step of steps) {
      // `npx rassylka` is this checkout's CLI
      const script = step.run!.replaceAll("npx rassylka", `node ${BIN}`);
      await promisify(execFile)("bash", ["-e", "-c", script], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          RASSYLKA_SECRET: SECRET,
          RASSYLKA_LANG: "en",
          RASSYLKA_DATABASE_URL: url,
          GITHUB_STEP_SUMMARY: summary,
        },
      });
    }
    const text = await readFile(summary, "utf8");
    expect(text).toContain("## Scheduled issues");
    expect(text).toMatch(new RegExp(`scheduled\\s+${SLUG} \\(subscribers, 0 readers\\)`));
  } finally {
    await cleanup();
  }
}, 120_000);
