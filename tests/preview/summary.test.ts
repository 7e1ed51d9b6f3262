import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type SummaryRow, summaryMarkdown } from "../../src/preview/summary.js";
import { copyExampleNewsletter, ISSUE_A, ISSUE_B, REPO } from "./helpers.js";

const run = promisify(execFile);

/** The CLI as the workflow runs it: `node --import tsx scripts/pr-summary.ts …`. */
async function summary(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run("node", ["--import", "tsx", join(REPO, "scripts/pr-summary.ts"), ...args], { cwd: REPO });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

function tableRows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe("scripts/pr-summary.ts", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await copyExampleNewsletter());
  });
  afterAll(async () => remove?.());

  test("a table row per issue: file, subject, encoded size, lint counts", async () => {
    const r = await summary(["--root", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| Issue | Subject | Size | Errors | Warnings |");
    const rows = tableRows(r.stdout);
    expect(rows.map((c) => c[0])).toEqual([`\`issues/${ISSUE_A}.md\``, `\`issues/${ISSUE_B}.md\``]);
    expect(rows[0][1]).toBe("Договор подписан, оплата через месяц. Что делать сейчас?");
    expect(rows[1][1]).toBe("Не прячьтесь за «фирму»");
    for (const row of rows) {
      const kb = Number(/^([\d.]+) KB ✅$/.exec(row[2])?.[1]);
      expect(kb).toBeGreaterThan(10);
      expect(kb).toBeLessThan(80);
      // the example issues pass lint
      expect(row[3]).toBe("0");
      expect(Number(row[4])).toBeGreaterThanOrEqual(0);
    }
  });

  test("only the files listed in --files-from; an empty list says there is nothing to preview", async () => {
    const list = join(dir, "changed.txt");
    await writeFile(list, `issues/${ISSUE_B}.md\n`);
    const one = await summary(["--root", dir, "--files-from", list]);
    expect(tableRows(one.stdout).map((c) => c[0])).toEqual([`\`issues/${ISSUE_B}.md\``]);

    await writeFile(list, "");
    const none = await summary(["--root", dir, "--files-from", list]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("nothing to preview");
    expect(tableRows(none.stdout)).toEqual([]);
  });

  test("an issue that does not build is a row that says why, with its line", async () => {
    await writeFile(join(dir, "issues", "2026-12-01-broken.md"), "---\ntitle: Сломанный\ndate: 2026-02-30\n---\nТекст\n");
    const r = await summary(["--root", dir, "issues/2026-12-01-broken.md"]);
    expect(r.code).toBe(0);
    const [row] = tableRows(r.stdout);
    expect(row[1]).toContain("does not build");
    expect(row[1]).toContain("line 3");
    expect(row[2]).toBe("—");
    expect(row[3]).toBe("**1**");
  });

  test("a newsletter that cannot be loaded exits 1 with the error", async () => {
    const r = await summary(["--root", join(dir, "issues")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("newsletter.yaml");
  });

  test("sizes over the limits are flagged, and a subject cannot break the table", () => {
    const rows: SummaryRow[] = [
      { file: "issues/a.md", subject: "A | B", draft: true, bytes: 90 * 1024, errors: 0, warnings: 2 },
      { file: "issues/b.md", subject: "Длинный", draft: false, bytes: 110 * 1024, errors: 1, warnings: 0 },
    ];
    const md = summaryMarkdown(rows);
    const parsed = tableRows(md);
    expect(parsed[0]).toHaveLength(5);
    expect(parsed[0][1]).toBe("A \\| B *(draft)*");
    expect(parsed[0][2]).toBe("90.0 KB ⚠️");
    expect(parsed[1][2]).toContain("❌");
    expect(parsed[1][2]).toContain("Gmail clips it");
    expect(md).toContain("2 issue(s): 1 error(s), 2 warning(s).");
  });
});
