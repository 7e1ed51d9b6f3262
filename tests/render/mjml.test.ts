import mjml2html from "mjml";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { compileMjml, locateRenderedLine, skeletonStats, splitMjmlContents, unclosedMjmlTags } from "../../src/render/mjml.js";
import { PROCESS_NONCE, token } from "../../src/render/tokens.js";
import { compileText, FM, only, templateSet } from "../helpers/newsletter.js";

const layout = (inner: string) => `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
${inner}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

describe("mjml: invalid MJML in a template points at the template file and line", () => {
  it.each([
    // name, layouts, partials, expected file, line, words
    [
      "an illegal attribute on a line that also holds the content",
      { default: layout('        <mj-text colr="red">{{{content}}}</mj-text>') },
      {},
      "templates/layouts/default.mjml.hbs",
      5,
      ["<mj-text>", "colr is illegal"],
    ],
    [
      "an element that does not exist",
      { default: layout("        <mj-txt>{{issue.title}}</mj-txt>") },
      {},
      "templates/layouts/default.mjml.hbs",
      5,
      ["mj-txt", "doesn't exist"],
    ],
    [
      "mj-text directly in a section",
      {
        default: `<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-text>{{{content}}}</mj-text>\n    </mj-section>\n  </mj-body>\n</mjml>\n`,
      },
      {},
      "templates/layouts/default.mjml.hbs",
      4,
      ["cannot be used inside mj-section"],
    ],
    [
      "an error in a partial, not in the line that includes it",
      { default: `<mjml>\n  <mj-body>\n    {{> banner}}\n  </mj-body>\n</mjml>\n` },
      { banner: '<mj-section>\n  <mj-column>\n    <mj-image src="https://e.org/a.png" hreff="x" />\n  </mj-column>\n</mj-section>\n' },
      "templates/partials/banner.hbs",
      3,
      ["<mj-image>", "hreff is illegal"],
    ],
    [
      "an error below a block that renders nothing",
      {
        default: layout(
          '        {{#if issue.preheader}}\n        <mj-text>{{issue.preheader}}</mj-text>\n        {{/if}}\n        <mj-button hre="x">Go</mj-button>',
        ),
      },
      {},
      "templates/layouts/default.mjml.hbs",
      8,
      ["hre is illegal"],
    ],
  ])("%s", async (_name, layouts, partials, file, line, words) => {
    const r = await compileText(`${FM}Текст\n`, { templates: templateSet(layouts, partials) });
    expect(r.compiled).toBeUndefined();
    const d = r.diagnostics.find((x) => x.ruleId === "mjml/validation");
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toMatchObject({ severity: "error", file, line });
    const printed = formatDiagnostic(d!);
    for (const w of words) expect(printed).toContain(w);
    expect(d!.fix).toContain("documentation.mjml.io");
  });

  it("a forgotten </mj-text>: an error at its line, not an email without its content (regression)", async () => {
    const r = await compileText(`${FM}Текст выпуска\n`, { templates: templateSet({ default: layout("        <mj-text>{{{content}}}") }) });
    expect(r.compiled).toBeUndefined();
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "mjml/unclosed-tag", file: "templates/layouts/default.mjml.hbs", line: 5 });
    expect(r.diagnostics[0].fix).toContain("</mj-text>");
  });

  it("a layout that is not MJML at all", async () => {
    const r = await compileText(`${FM}Текст\n`, { templates: templateSet({ default: "<html><body>{{{content}}}</body></html>\n" }) });
    expect(r.compiled).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "mjml/validation", file: "templates/layouts/default.mjml.hbs", line: 1 });
  });

  it("an issue that asks for a layout that does not exist: the issue's template line", async () => {
    const r = await compileText("---\ntitle: T\ndate: 2026-06-01\ntemplate: promo\n---\nТекст\n");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      ruleId: "template/missing-layout",
      file: "issues/2026-06-01-test.md",
      line: 4,
      field: "template",
    });
    expect(r.diagnostics[0].fix).toContain("templates/layouts/promo.mjml.hbs");
    expect(r.diagnostics[0].fix).toContain("default");
  });
});

describe("mjml: compile", () => {
  it("valid MJML compiles to an HTML document, no diagnostics", async () => {
    const r = await compileMjml(
      "<mjml><mj-body><mj-section><mj-column><mj-text>Привет</mj-text></mj-column></mj-section></mj-body></mjml>",
      [],
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.html).toMatch(/^<!doctype html>/i);
    expect(r.html).toContain("Привет");
  });
});

describe("unclosedMjmlTags", () => {
  it.each([
    ["balanced", "<mjml><mj-body><mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>", []],
    [
      "self-closing tags",
      '<mjml><mj-body><mj-section><mj-column><mj-image src="a" /><mj-divider/></mj-column></mj-section></mj-body></mjml>',
      [],
    ],
    ["a > in an attribute", '<mjml><mj-head><mj-all font-family="a > b" /></mj-head></mjml>', []],
    ["tags in comments", "<mjml><!-- <mj-text> --></mjml>", []],
    ["HTML inside mj-text is not MJML's", "<mjml><mj-text><p>a<br></mj-text></mjml>", []],
    ["an unclosed mj-text", "<mjml>\n<mj-column>\n<mj-text>x\n</mj-column>\n</mjml>", [{ tag: "mj-text", line: 3 }]],
    ["an unclosed mj-body at the end", "<mjml>\n<mj-body>\n</mjml>", [{ tag: "mj-body", line: 2 }]],
  ])("%s", (_name, mjml, expected) => {
    expect(unclosedMjmlTags(mjml)).toEqual(expected);
  });
});

describe("locateRenderedLine", () => {
  const sources = [
    { name: "default", file: "L", source: '<mjml>\n  {{> p}}\n  <mj-text a="{{x}}">{{{content}}}</mj-text>\n</mjml>' },
    { name: "p", file: "P", source: '{{#if y}}\n<mj-image src="{{src}}" />\n{{/if}}' },
  ];
  it.each([
    ['<mjml>\n<mj-image src="a.png" />', 2, "mj-image", { file: "P", line: 2 }],
    ['<mjml>\n<mj-image src="a.png" />\n<mj-text a="1"><p>x</p>\n<p>y</p></mj-text>', 3, "mj-text", { file: "L", line: 3 }],
    ["<mjml>", 1, "mjml", { file: "L", line: 1 }],
    ["<mjml>\n\n", 2, "mj-text", {}],
  ])("%#", (rendered, line, tag, where) => {
    expect(locateRenderedLine(rendered, line, sources, tag)).toEqual(where);
  });
});

describe("mjml: the skeleton path gives exactly what MJML gives for the whole document", () => {
  const whole = async (doc: string) => (await mjml2html(doc, { validationLevel: "strict", keepComments: false, minify: false })).html;
  const doc = (body: string, head = "") => `<mjml lang="ru">
  <mj-head>
    <mj-title>Заголовок «номер» ${body.length}</mj-title>
    <mj-preview>Превью &amp; текст</mj-preview>
    <mj-attributes><mj-text font-size="17px" color="#222" /></mj-attributes>
    ${head}
  </mj-head>
  <mj-body>
    <mj-section><mj-column>
      <mj-text css-class="rsk-content">
        ${body}
      </mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>`;
  const inline = `<mj-style inline="inline">p { margin: 0 0 14px; } a { color: #1f5fa8; } .rsk-content td { border: 1px solid #ccc; } blockquote { border-left: 4px solid #d9822b; }</mj-style>`;
  const bodies = [
    "<p>Один абзац.</p>",
    `<h2>Таблица</h2><table class="rsk-data"><tr><th>А</th><td>Б</td></tr></table><blockquote><p>— Цитата</p></blockquote>`,
    `<ul><li>раз<ul><li>вложенный</li></ul></li></ul><p><img src="https://x.ru/a.png" alt="картинка"> <a href="https://x.ru">ссылка</a></p>`,
    "<p>RSKSUB0Z, добрый день! Литерал {{ и }} остаётся.</p>",
  ];

  it("splits out every content, keeps self-closing tags in mj-attributes, and keeps empty contents", () => {
    const { skeleton, contents } = splitMjmlContents(doc("<p>x</p>").replace("Превью &amp; текст", ""));
    expect(contents).toEqual([expect.stringContaining("Заголовок"), "<p>x</p>"]);
    expect(skeleton).toContain('<mj-text font-size="17px" color="#222" />');
    expect(skeleton).toContain("<mj-preview></mj-preview>");
    expect(skeleton).toContain(`>${token("MJ", PROCESS_NONCE, 1)}</mj-text>`);
  });

  for (const [name, head] of [
    ["with inline CSS", inline],
    ["without inline CSS", ""],
  ] as const) {
    it(`same HTML as the whole document, ${name}, for several issues sharing one skeleton`, async () => {
      const reused = skeletonStats.reused;
      for (const body of bodies) {
        const d = doc(body, head);
        const r = await compileMjml(d, []);
        expect(r.diagnostics).toEqual([]);
        expect(r.html).toBe(await whole(d));
      }
      // the first issue verifies the skeleton; the others are served by it
      expect(skeletonStats.reused - reused).toBe(bodies.length - 1);
    });
  }

  it("an empty preview stays empty (MJML then writes no hidden div)", async () => {
    const d = doc("<p>x</p>").replace("Превью &amp; текст", "");
    expect((await compileMjml(d, [])).html).toBe(await whole(d));
  });
});
