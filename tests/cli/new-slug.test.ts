import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { slugPattern } from "../../src/issue/schema.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { startCli } from "../send/helpers.js";

/** `rassylka new` makes only files `build` accepts: a slug without dots, and of a bounded length. */
let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
beforeEach(async () => {
  t = await copyExampleNewsletter();
});
afterEach(async () => {
  await t.remove();
});

async function created(before: string[]): Promise<string> {
  const now = await readdir(join(t.dir, "issues"));
  const added = now.filter((f) => !before.includes(f));
  expect(added).toHaveLength(1);
  return added[0];
}

describe("new → build", () => {
  test.each([
    ["a title with dots and a colon", "Итоги 2.0: что дальше..."],
    ["a 5,000-character title", "Очень длинный заголовок ".repeat(210)],
  ])(
    "%s: a slug build accepts, a file name under 100 characters",
    async (_, title) => {
      const before = await readdir(join(t.dir, "issues"));
      const made = await startCli(t.dir, ["new", title]).done;
      expect(made.code, made.stderr).toBe(0);
      const file = await created(before);
      expect(file.length).toBeLessThan(100);
      expect(file.replace(/\.md$/, "")).toMatch(slugPattern);
      const built = await startCli(t.dir, ["build", `issues/${file}`]).done;
      expect(built.stdout + built.stderr).not.toMatch(/bad-slug|ENAMETOOLONG/);
      expect(built.code, built.stdout + built.stderr).toBe(0);
    },
    120_000,
  );
});
