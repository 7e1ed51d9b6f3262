import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import type { Diagnostic } from "../../src/diagnostics.js";
import { lintProject } from "../../src/lint/index.js";
import { build } from "../../src/site/build.js";
import { copyFixture } from "../helpers/newsletter.js";

/**
 * Regression: lint's advice for a decorative image (`alt="" role="presentation"`) was one
 * MJML refuses on <mj-image>; findings from a layout or partial named the issue file without a line;
 * `{{{subscriber.x}}}` put reader data into the HTML unescaped without a word. Fixture:
 * tests/fixtures/lint-advice.
 */
const LAYOUT = "templates/layouts/default.mjml.hbs";

describe("lint's advice can be followed (regression)", () => {
  let root: string;
  let remove: () => Promise<void>;
  let findings: Diagnostic[];
  beforeAll(async () => {
    ({ dir: root, remove } = await copyFixture("lint-advice"));
    const { results } = await lintProject(root, ["issues/2026-06-01-lint.md"], { cache: false });
    findings = results[0].diagnostics;
  });
  afterAll(() => remove());

  it("an <mj-image> without alt: pointed at its template line, with a fix MJML accepts — and following it works", async () => {
    const imgs = findings.filter((d) => d.ruleId === "lint/img-alt");
    // the divider says alt="" on its <mj-image>: decorative, not reported
    expect(imgs.map((d) => [d.file, d.line])).toEqual([[LAYOUT, 10]]);
    expect(imgs[0].fix).toContain('write alt="" on it explicitly');
    expect(imgs[0].fix).not.toContain('role="presentation"');

    // follow the advice: the cover is decorative
    const layout = join(root, LAYOUT);
    const source = await readFile(layout, "utf8");
    await writeFile(layout, source.replace('-cover.png" width', '-cover.png" alt="" width'));
    const r = await build({ root, cache: false, files: ["issues/2026-06-01-lint.md"], write: false });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]); // MJML accepts it (role= would be "illegal")
    const { results } = await lintProject(root, ["issues/2026-06-01-lint.md"], { cache: false });
    expect(results[0].diagnostics.filter((d) => d.ruleId === "lint/img-alt")).toEqual([]);
    await writeFile(layout, source);
  });

  it("a link a partial puts together from {{…}} is pointed at the partial's line, not the issue without one", () => {
    const http = findings.filter((d) => d.ruleId === "lint/links");
    expect(http.map((d) => [d.severity, d.file, d.line])).toEqual([["warning", "templates/partials/footer.hbs", 4]]);
  });

  it("{{{subscriber.x}}} is an error unless marked {{!-- trusted-html --}}, in a template and in an issue", async () => {
    // a template error stops every issue: this layout joins the set for this case only
    await copyFile(join(root, "variants/unescaped.mjml.hbs"), join(root, "templates/layouts/unescaped.mjml.hbs"));
    const r = await build({ root, cache: false, files: ["issues/2026-06-02-unescaped.md"], write: false });
    const d = r.diagnostics.filter((x) => x.ruleId === "handlebars/unescaped-subscriber");
    expect(d.map((x) => [x.file, x.line])).toEqual([
      ["templates/layouts/unescaped.mjml.hbs", 10],
      ["issues/2026-06-02-unescaped.md", 9],
    ]);
    expect(d[0].message).toContain("{{{subscriber.name}}}");
    expect(d[0].fix).toContain("{{subscriber.name}}");
    expect(d[0].fix).toContain("{{!-- trusted-html --}}{{{subscriber.name}}}");
    // marked, the same triple braces build, and the value goes in as HTML
    const issue = join(root, "issues/2026-06-02-unescaped.md");
    const layout = join(root, "templates/layouts/unescaped.mjml.hbs");
    await writeFile(
      issue,
      (await readFile(issue, "utf8")).replace("{{{subscriber.signature}}}", "{{! trusted-html }} {{{subscriber.signature}}}"),
    );
    await writeFile(layout, (await readFile(layout, "utf8")).replace("{{{subscriber.name}}}", "{{subscriber.name}}"));
    const again = await build({ root, cache: false, files: ["issues/2026-06-02-unescaped.md"], write: false });
    expect(again.diagnostics.filter((x) => x.severity === "error").map(formatDiagnostic)).toEqual([]);
  });
});
