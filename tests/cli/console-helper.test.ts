import { execFile } from "node:child_process";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";

/**
 * Handlebars' `log` helper writes to the console: `{{log subscriber.email subscriber.name}}` in an issue
 * printed every reader's data to stdout during a send (and build, lint, preview for the sample readers)
 * and broke `--json`. It is not available to issues or templates: build and lint refuse it, with the fix.
 */
const BIN = join(REPO, "bin/rassylka.js");
const ISSUE = "issues/2026-11-10-tekushchaya-debitorka.md";

type Result = { code: number; stdout: string; stderr: string };
let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
const run = (args: string[]) =>
  new Promise<Result>((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: t.dir, env: { ...process.env, RASSYLKA_LANG: "en" }, timeout: 120_000 },
      (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

beforeEach(async () => {
  t = await copyExampleNewsletter();
});
afterEach(async () => {
  await t.remove();
});

describe("{{log}} in an issue or a template", () => {
  test("an issue's {{log subscriber.email subscriber.name}}: build and lint fail naming the file, line and fix; nothing is logged", async () => {
    const file = join(t.dir, ISSUE);
    const lines = (await readFile(file, "utf8")).split("\n");
    const at = lines.length + 1; // the file ends with a newline: its last "line" is empty
    await appendFile(file, "\n{{log subscriber.email subscriber.name}}\n");
    for (const command of [["build"], ["lint"]]) {
      const r = await run(command);
      expect(r.code, r.stdout + r.stderr).not.toBe(0);
      const out = r.stdout + r.stderr;
      expect(out).toContain("handlebars/console-helper");
      expect(out).toContain(`${ISSUE}:${at}`);
      expect(out).toMatch(/writes to the console[\s\S]*remove it/);
      // Handlebars' log writes "[object Object]"-style lines or the values themselves at level info
      expect(out).not.toMatch(/^\s*(info|debug|warn)\b/m);
    }
  });

  test("a subexpression (log …) inside another helper, and {{log}} in a layout: refused too", async () => {
    const layout = join(t.dir, "templates/layouts/default.mjml.hbs");
    const source = await readFile(layout, "utf8");
    await writeFile(layout, source.replace("<mj-body", "{{#if (log issue.title)}}{{/if}}<mj-body"));
    const r = await run(["build"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("handlebars/console-helper");
    expect(r.stdout + r.stderr).toContain("templates/layouts/default.mjml.hbs");
    expect(r.stdout + r.stderr).not.toContain("unknown helper");
  });
});
