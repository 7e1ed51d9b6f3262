import { copyFile, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { build } from "../../src/site/build.js";
import { copyFixture } from "../helpers/newsletter.js";

/**
 * Regression: MJML 5 drops <mj-include> unless includes are allowed, and rassylka said
 * nothing: the banner a layout included was silently missing. Fixture: tests/fixtures/mj-include
 * (a layout including a banner that includes a social block, a CSS file, and a partial including a legal
 * footer relative to itself); broken/ holds variants a case copies over the layout.
 */
const LAYOUT = "templates/layouts/default.mjml.hbs";
const ISSUE = "issues/2026-06-01-with-banner.md";

describe("<mj-include> works or says why (regression)", () => {
  let remove: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await remove?.();
    remove = undefined;
  });
  async function fixture(): Promise<string> {
    const t = await copyFixture("mj-include");
    remove = t.remove;
    return t.dir;
  }

  it("includes resolve relative to the including template, nested ones too, and CSS includes apply", async () => {
    const root = await fixture();
    const r = await build({ root, cache: false });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const html = await readFile(join(root, "dist", "2026-06-01-with-banner.html"), "utf8");
    expect(html).toContain("БАННЕР: тренинг 8 декабря"); // layout → ../includes/banner.mjml
    expect(html).toContain("СОЦСЕТИ: мы в Телеграме"); // banner.mjml → social.mjml, beside it
    expect(html).toContain("ЮРИДИЧЕСКОЕ: ООО «Рассылка»"); // partials/footer.hbs → ../includes/legal.mjml
    expect(html).toMatch(/letter-spacing: ?1px/); // type="css"
  });

  it("an edited included file rebuilds the issue (the cache key has it)", async () => {
    const root = await fixture();
    const first = await build({ root });
    expect(first.built[0].fromCache).toBe(false);
    expect((await build({ root })).built[0].fromCache).toBe(true);
    await writeFile(
      join(root, "templates/includes/social.mjml"),
      "<mj-section><mj-column><mj-text>СОЦСЕТИ: теперь и ВКонтакте</mj-text></mj-column></mj-section>\n",
    );
    const again = await build({ root });
    expect(again.built[0].fromCache).toBe(false);
    expect(again.built[0].html).toContain("теперь и ВКонтакте");
  });

  const refused = [
    {
      name: "a missing file",
      variant: "missing.mjml.hbs",
      expected: `${LAYOUT}:7:5: error: <mj-include path="../includes/nope.mjml">: templates/includes/nope.mjml does not exist [mjml/include-missing]`,
    },
    {
      name: "a file outside templates/ (in the newsletter's folder)",
      variant: "outside.mjml.hbs",
      expected: `${LAYOUT}:7:5: error: <mj-include path="../../secret.mjml"> leads to`,
      words: ["secret.mjml, outside templates/: refused", "CVE-2025-67898", "[mjml/include-refused]"],
    },
    {
      name: "an absolute path",
      variant: "absolute.mjml.hbs",
      expected: `${LAYOUT}:7:5: error: <mj-include path="/etc/passwd">: an absolute path is refused [mjml/include-refused]`,
    },
  ];
  for (const c of refused) {
    it(`${c.name}: an error at the template's file and line, the issue not built`, async () => {
      const root = await fixture();
      await copyFile(join(root, "broken", c.variant), join(root, LAYOUT));
      const r = await build({ root, cache: false });
      expect(r.failed).toEqual([ISSUE]);
      const printed = r.diagnostics.map(formatDiagnostic);
      expect(printed).toHaveLength(1);
      expect(printed[0].startsWith(c.expected)).toBe(true);
      for (const w of c.words ?? []) expect(printed[0]).toContain(w);
      expect(r.diagnostics[0].fix).toBeTruthy();
    });
  }

  it("a symlink in templates/ to a file outside is refused, naming where it leads", async () => {
    const root = await fixture();
    await writeFile(join(root, "templates/includes/banner.mjml"), '<mj-include path="evil.mjml" />\n');
    await symlink(join(root, "secret.mjml"), join(root, "templates/includes/evil.mjml"));
    const r = await build({ root, cache: false });
    expect(r.failed).toEqual([ISSUE]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^templates\/includes\/banner\.mjml:1:1: error: <mj-include path="evil\.mjml"> leads to .*secret\.mjml, outside templates\/: refused/,
      ),
    ]);
  });

  it("MJML's error inside an included file names that file and its own line", async () => {
    const root = await fixture();
    await copyFile(join(root, "broken", "invalid-include.mjml"), join(root, "templates/includes/social.mjml"));
    const r = await build({ root, cache: false });
    expect(r.failed).toEqual([ISSUE]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "mjml/validation", file: "templates/includes/social.mjml", line: 3 });
    expect(r.diagnostics[0].message).toContain("colr");
  });
});
