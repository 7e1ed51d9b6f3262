import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { lintProject } from "../../src/lint/index.js";
import { type BuildResult, build } from "../../src/site/build.js";
import { copyFixture } from "../helpers/newsletter.js";

/**
 * Regression: a layout without {{{content}}} (or with {{{contents}}}) built with exit 0
 * and every reader got the frame without the text. Fixture: tests/fixtures/layout-without-content,
 * a bring-your-own layout in the style of MJML's public one-column templates (logo bar, hero, one
 * column, footer), and two copies of it that lose the body.
 */
describe("a layout that drops the body is an error (regression)", () => {
  let root: string;
  let remove: () => Promise<void>;
  let result: BuildResult;
  beforeAll(async () => {
    ({ dir: root, remove } = await copyFixture("layout-without-content"));
    result = await build({ root, cache: false });
  });
  afterAll(() => remove());

  it("the brought layout with {{{content}}} builds, and the issue's text is in the email", async () => {
    expect(result.built.map((b) => b.entry.slug)).toEqual(["2026-06-01-default"]);
    const html = await readFile(join(root, "dist", "2026-06-01-default.html"), "utf8");
    expect(html).toContain("его должен увидеть каждый читатель");
    expect(html).toContain("hero.jpg");
  });

  it("no {{{content}}}: template/no-content naming the layout file, its <mj-body> line and the fix", () => {
    const d = result.diagnostics.filter((x) => x.ruleId === "template/no-content");
    expect(result.failed).toEqual(["issues/2026-06-02-no-content.md", "issues/2026-06-03-typo.md"]);
    expect(d.map(formatDiagnostic)).toEqual([
      "templates/layouts/no-content.mjml.hbs:11: error: templates/layouts/no-content.mjml.hbs has no {{{content}}}: every issue built with it would go out without its text [template/no-content]\n" +
        "  fix: put {{{content}}} (three braces: the body is HTML) inside an <mj-text> of templates/layouts/no-content.mjml.hbs, where the issue's text belongs",
      "templates/layouts/typo.mjml.hbs:27:11: error: templates/layouts/typo.mjml.hbs has no {{{content}}}: {{{contents}}} is not the issue's body — did you mean {{{content}}}? [template/no-content]\n" +
        "  fix: write {{{content}}} instead of {{{contents}}}",
    ]);
    expect(d.every((x) => x.url?.endsWith("#templates"))).toBe(true);
  });

  it("lint reports it too, instead of finding nothing", async () => {
    const { results } = await lintProject(root, ["issues/2026-06-02-no-content.md"], { cache: false });
    expect(results[0].diagnostics.map((x) => x.ruleId)).toContain("template/no-content");
  });
});
