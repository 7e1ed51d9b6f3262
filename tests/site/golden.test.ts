import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { type BuiltIssue, build } from "../../src/site/build.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";

/**
 * Golden files for one example issue, compiled from the repository's own newsletter.yaml and templates.
 * (`.golden`, so that formatters leave them as they are.) A deliberate change to the templates or the
 * pipeline: rewrite them with
 *   UPDATE_GOLDEN=1 npx vitest run tests/site/golden.test.ts
 * and review the diff of tests/site/golden/ like any other change.
 */
const GOLDEN = fileURLToPath(new URL("./golden/", import.meta.url));
const SLUG = "2026-11-10-tekushchaya-debitorka";
const update = process.env.UPDATE_GOLDEN === "1";

/** Whitespace collapsed, one tag per line, MJML's generated ids (if any) made stable. */
function normaliseHtml(html: string): string {
  return html
    .replace(/\r\n/g, "\n")
    .replace(/\s+/g, " ")
    .replace(/>\s*</g, ">\n<")
    .replace(/\b(id|for|aria-labelledby)="mj-[a-z0-9-]*?[0-9a-f]{6,}"/gi, '$1="mj-ID"')
    .replace(/\bmj-column-per-[\d-]+-[0-9a-f]{6,}\b/g, "mj-column-HASH")
    .split("\n")
    .map((l) => l.trim())
    .join("\n")
    .trim()
    .concat("\n");
}

async function compareGolden(name: string, actual: string): Promise<void> {
  const file = join(GOLDEN, name);
  if (update) {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = await readFile(file, "utf8");
  } catch {
    throw new Error(`no golden file ${file}: run UPDATE_GOLDEN=1 npx vitest run tests/site/golden.test.ts`);
  }
  expect(actual, `${name} differs from its golden file; if the change is intended, run with UPDATE_GOLDEN=1`).toBe(expected);
}

describe("golden: the example issue", () => {
  let issue: BuiltIssue;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const t = await copyExampleNewsletter();
    remove = t.remove;
    const r = await build({ root: t.dir, files: [SLUG], cache: false, write: false });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    issue = r.built[0];
  });
  afterAll(() => remove());

  it("normalising is stable and keeps the content", () => {
    const n = normaliseHtml(issue.html);
    expect(normaliseHtml(n)).toBe(n);
    expect(n).toContain("Текущая дебиторка: договор подписан, что дальше?");
  });

  it("HTML (the web version) matches tests/site/golden/", async () => {
    await compareGolden(`${SLUG}.html.golden`, normaliseHtml(issue.html));
  });

  it("plain text matches tests/site/golden/", async () => {
    await compareGolden(`${SLUG}.txt.golden`, issue.text);
  });
});
