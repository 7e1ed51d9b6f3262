import { join } from "node:path";
import { parseDocument } from "htmlparser2";
import { afterAll, describe, expect, it } from "vitest";
import { noCache } from "../../src/compile/cache.js";
import { compileIssueFile } from "../../src/compile/compile.js";
import { detectFeatures } from "../../src/lint/caniemail.js";
import { skeleton } from "../../src/lint/client-support.js";
import { classify } from "../../src/lint/links.js";
import { sizeFindings } from "../../src/lint/message-size.js";
import { loadProject } from "../../src/project/project.js";
import { FOOTER, issue, LAYOUT, lintOne, makeProject, type ProjectSpec, removeProjects } from "./fixtures.js";

afterAll(removeProjects);

// a relative picture in a template is published by build like an issue's (tests/render/images.test.ts); one
// that is not there stops the compile, at the template's line, before any lint rule runs
it("a relative image source in a template that names no file: the compile says so at the template's line", async () => {
  const root = await makeProject({
    footer: `${FOOTER}<mj-section><mj-column><mj-text><img src="img/logo.png" alt="Логотип" /></mj-text></mj-column></mj-section>`,
    issues: { "2026-11-10-test.md": issue({ title: "Тест", date: "2026-11-10" }) },
  });
  const r = await compileIssueFile(await loadProject(root), join(root, "issues/2026-11-10-test.md"), noCache);
  expect(r.compiled).toBeUndefined();
  expect(r.diagnostics).toContainEqual(
    expect.objectContaining({
      ruleId: "image/missing",
      severity: "error",
      file: "templates/partials/footer.hbs",
      line: expect.any(Number),
    }),
  );
});

interface Expected {
  severity: "error" | "warning";
  message: RegExp;
  file?: string;
  line?: number;
}

interface Case {
  name: string;
  spec: ProjectSpec & { issue: string };
  expect: Expected[];
}

const ISSUE = "issues/2026-11-10-test.md";
const ok = issue({});
// front-matter lines: 1 ---, 2 title, 3 date, 4 preheader, … then ---; body starts after
const body = (text: string, fm: Record<string, unknown> = {}) => issue(fm, text);

const cyrillic = "Продавец звонит клиенту за неделю до оплаты и спрашивает, всё ли в порядке с поставкой. ";

const table: Record<string, Case[]> = {
  "message-size": [
    { name: "a short issue passes", spec: { issue: ok }, expect: [] },
    {
      name: "a long Cyrillic issue is clipped",
      spec: { issue: body(Array.from({ length: 60 }, () => cyrillic.repeat(5)).join("\n\n")) },
      expect: [{ severity: "error", message: /Gmail clips messages over 102\.0 KB/, file: ISSUE }],
    },
  ],
  subject: [
    { name: "the title stands in for a missing subject", spec: { issue: ok }, expect: [] },
    { name: "78 characters pass", spec: { issue: issue({ subject: "С".repeat(78) }) }, expect: [] },
    {
      name: "79 characters are too many",
      spec: { issue: issue({ subject: "С".repeat(79) }) },
      expect: [{ severity: "warning", message: /79 characters long/, file: ISSUE, line: 5 }],
    },
    {
      name: "a blank subject is an error",
      spec: { issue: issue({ subject: " " }) },
      expect: [{ severity: "error", message: /no subject/, file: ISSUE, line: 5 }],
    },
    {
      name: "each subject of an A/B test is checked at its own line",
      spec: { config: { tracking: { clicks: true } }, issue: issue({ subject: ["Короткая тема", "С".repeat(79)] }) },
      expect: [{ severity: "warning", message: /79 characters long/, file: ISSUE, line: 7 }],
    },
    {
      name: "an A/B test judged by opens is warned about",
      spec: {
        config: { tracking: { opens: true } },
        issue: issue({ subject: ["Первая тема", "Вторая тема"], abTest: { metric: "opens" } }),
      },
      expect: [{ severity: "warning", message: /opens, which are inflated/, file: ISSUE, line: 8 }],
    },
    {
      name: "an A/B test without clicks tracked cannot be judged",
      spec: { issue: issue({ subject: ["Первая тема", "Вторая тема"] }) },
      expect: [{ severity: "error", message: /needs clicks tracked per reader/, file: ISSUE, line: 5 }],
    },
  ],
  preheader: [
    { name: "a preheader passes", spec: { issue: ok }, expect: [] },
    {
      name: "a missing preheader",
      spec: { issue: issue({ preheader: undefined }) },
      expect: [{ severity: "warning", message: /no preheader/, file: ISSUE, line: 2 }],
    },
    {
      name: "141 characters are too many",
      spec: { issue: issue({ preheader: "п".repeat(141) }) },
      expect: [{ severity: "warning", message: /141 characters long/, line: 4 }],
    },
  ],
  "img-alt": [
    { name: "an image with alt text passes", spec: { issue: body("![График платежей](https://rassylka-test.ru/g.png)") }, expect: [] },
    {
      name: "a decorative image that says so passes",
      spec: { issue: body('<img src="https://rassylka-test.ru/line.png" alt="" role="presentation">') },
      expect: [],
    },
    {
      name: "Markdown ![](src) has no alt",
      spec: { issue: body("Первый абзац.\n\n![](https://rassylka-test.ru/g.png)") },
      expect: [{ severity: "error", message: /image https:\/\/rassylka-test\.ru\/g\.png has no alt text/, file: ISSUE, line: 8 }],
    },
    {
      name: "an image in the layout without alt points at the layout",
      spec: {
        issue: ok,
        layout: LAYOUT.replace("<h1>", '<img src="https://rassylka-test.ru/logo.png" width="120"><h1>'),
      },
      expect: [{ severity: "error", message: /logo\.png has no alt/, file: "templates/layouts/default.mjml.hbs", line: 13 }],
    },
  ],
  links: [
    {
      name: "https, mailto, tel and a non-reserved example.ru domain pass",
      spec: {
        issue: body(
          "[сайт](https://rassylka-test.ru/a) [почта](mailto:avtor@rassylka-test.ru) [звонок](tel:+78612000000) [тренинги](https://prodazhi.example.ru/treningi)",
        ),
      },
      expect: [],
    },
    {
      name: "relative",
      spec: { issue: body("Первый абзац.\n\nСм. [тренинги](/treningi).") },
      expect: [{ severity: "error", message: /link "\/treningi" is relative/, file: ISSUE, line: 8 }],
    },
    {
      name: "http",
      spec: { issue: body("[сайт](http://rassylka-test.ru/)") },
      expect: [{ severity: "warning", message: /uses http:/, line: 6 }],
    },
    {
      name: "empty",
      spec: { issue: body("Первый.\n\n[пусто]()") },
      expect: [{ severity: "error", message: /an empty link goes nowhere/, line: 8 }],
    },
    { name: "#", spec: { issue: body("[скоро](#)") }, expect: [{ severity: "error", message: /placeholder/, line: 6 }] },
    {
      name: "example.com, twice",
      spec: { issue: body("[a](https://www.example.com/x) и [b](https://www.example.com/x)") },
      expect: [{ severity: "error", message: /www\.example\.com, a domain reserved for examples \(2 times\)/, line: 6 }],
    },
    {
      name: "a placeholder link from newsletter.yaml points at the config",
      spec: {
        issue: ok,
        config: { nav: [{ title: "Сайт", url: "https://example.org/site" }] },
        footer: `${FOOTER}<mj-section><mj-column><mj-text>{{#each newsletter.nav}}<a href="{{url}}">{{title}}</a>{{/each}}</mj-text></mj-column></mj-section>`,
      },
      expect: [{ severity: "error", message: /example\.org/, file: "newsletter.yaml" }],
    },
  ],
  unsubscribe: [
    { name: "a header and a footer link pass", spec: { issue: ok }, expect: [] },
    {
      name: "a mailto-only header and a link by its text pass",
      spec: {
        issue: ok,
        config: { unsubscribe: { mailto: "unsubscribe@rassylka-test.ru" } },
        footer:
          '<mj-section><mj-column><mj-text><a href="https://rassylka-test.ru/otpiska">Отписаться от рассылки</a></mj-text></mj-column></mj-section>',
      },
      expect: [],
    },
    {
      name: "no unsubscribe in the config: no header and no link",
      spec: { issue: ok, config: { unsubscribe: undefined } },
      expect: [
        { severity: "error", message: /no unsubscribe header/, file: "newsletter.yaml" },
        { severity: "error", message: /no unsubscribe link/ },
      ],
    },
    {
      name: "a footer without the link",
      spec: { issue: ok, footer: "<mj-section><mj-column><mj-text>До встречи!</mj-text></mj-column></mj-section>" },
      expect: [{ severity: "error", message: /no unsubscribe link/, file: "templates/layouts/default.mjml.hbs", line: 18 }],
    },
  ],
  "merge-fields": [
    {
      name: "a field one sample has passes (others get the fallback)",
      spec: { issue: body("{{#if subscriber.name}}{{subscriber.name}}, привет!{{else}}Привет!{{/if}}") },
      expect: [],
    },
    { name: "sender fields pass", spec: { issue: body("Письмо для {{subscriber.email}}.") }, expect: [] },
    {
      name: "a typo",
      spec: { issue: body("Первый.\n\n{{#if subscriber.nmae}}{{subscriber.nmae}}!{{/if}}") },
      expect: [{ severity: "error", message: /subscriber\.nmae is not a field of any sample reader/, file: ISSUE, line: 8 }],
    },
    {
      name: "no sample readers at all",
      spec: { issue: body("{{subscriber.name}}"), config: { preview: { subscribers: [] } } },
      expect: [{ severity: "warning", message: /no preview\.subscribers/, file: "newsletter.yaml" }],
    },
  ],
  "past-events": [
    { name: "events after the issue pass", spec: { issue: issue({ events: [{ date: "2026-12-01", title: "Переговоры" }] }) }, expect: [] },
    {
      name: "an event before the issue",
      spec: {
        issue: issue({
          events: [
            { date: "2026-12-01", title: "Переговоры" },
            { date: "2026-11-01", title: "Дебиторка" },
          ],
        }),
      },
      expect: [{ severity: "error", message: /"Дебиторка" on 2026-11-01, before the issue's date 2026-11-10/, file: ISSUE, line: 8 }],
    },
  ],
  draft: [
    { name: "a final issue passes", spec: { issue: ok }, expect: [] },
    { name: "draft: true", spec: { issue: issue({ draft: true }) }, expect: [{ severity: "warning", message: /draft: true/, line: 5 }] },
  ],
  "client-support": [
    { name: "MJML's own output is the baseline: nothing to report", spec: { issue: ok }, expect: [] },
    {
      name: "position in the body",
      spec: { issue: body('Первый.\n\n<div style="position:absolute;top:0">Наверху</div>') },
      expect: [
        {
          severity: "warning",
          message: /^position is not supported by Gmail, Outlook \(Windows, Windows Mail, iOS\), Mail\.ru/,
          file: ISSUE,
          line: 8,
        },
        { severity: "warning", message: /^left, right, top, bottom is not supported by Gmail, Outlook \(Windows, Windows Mail\)/, line: 8 },
      ],
    },
    {
      name: "a WebP image, only for Outlook",
      spec: { issue: body("![Схема](https://rassylka-test.ru/s.webp)"), config: { lint: { clients: ["outlook.windows", "apple-mail"] } } },
      expect: [{ severity: "warning", message: /^webP image format is not supported by Outlook$/, line: 6 }],
    },
    {
      name: "the layout's own dark-mode media query is the author's, not MJML's",
      spec: {
        issue: ok,
        layout: LAYOUT.replace(
          "</mj-head>",
          "<mj-style>@media (prefers-color-scheme: dark) { .x { color: #fff; } }</mj-style>\n  </mj-head>",
        ),
        config: { lint: { clients: ["gmail.ios"] } },
      },
      expect: [
        {
          severity: "warning",
          message: /^@media \(prefers-color-scheme\) is not supported by Gmail$/,
          file: "templates/layouts/default.mjml.hbs",
          line: 8,
        },
      ],
    },
    {
      name: "an unknown client name",
      spec: { issue: ok, config: { lint: { clients: ["gmial", "yandex"] } } },
      expect: [{ severity: "warning", message: /"gmial", which caniemail has no data for/, file: "newsletter.yaml" }],
    },
  ],
};

describe.each(Object.entries(table))("lint/%s", (rule, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const found = await lintOne(c.spec, [rule]);
    expect(found.map((d) => `${d.severity}: ${d.message}`)).toHaveLength(c.expect.length);
    c.expect.forEach((e, i) => {
      const d = found[i];
      expect(d.ruleId).toBe(`lint/${rule}`);
      expect(d.severity).toBe(e.severity);
      expect(d.message).toMatch(e.message);
      if (e.file) expect(d.file).toBe(e.file);
      if (e.line) expect(d.line).toBe(e.line);
      expect(d.url).toBe(`https://github.com/rassylka/rassylka#lint-${rule}`);
      expect(d.fix).toBeTruthy();
    });
  });
});

describe("lint/message-size thresholds", () => {
  it.each([
    [80 * 1024, []],
    [80 * 1024 + 1, ["warning"]],
    [102 * 1024, ["warning"]],
    [102 * 1024 + 1, ["error"]],
  ])("%i bytes → %j", (bytes, severities) => {
    expect(sizeFindings(bytes as number, 1000, "issues/a.md").map((d) => d.severity)).toEqual(severities);
  });

  it("measures the encoded message, not the HTML string", async () => {
    // ~60 KB of Cyrillic HTML: under 102 KB as a string, over it once encoded for the wire
    const text = Array.from({ length: 60 }, () => cyrillic.repeat(5)).join("\n\n");
    const found = await lintOne({ issue: body(text) }, ["message-size"]);
    const m = /encoded message is ([\d.]+) KB \(HTML ([\d.]+) KB/.exec(found[0]?.message ?? "");
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(102);
    expect(Number(m![1])).toBeGreaterThan(102);
    expect(found[0].severity).toBe("error");
  });
});

describe("lint/links classify", () => {
  it.each([
    ["https://rassylka-test.ru/", undefined],
    ["https://sub.example.net/a", "error"],
    ["https://shop.test/", "error"],
    ["http://localhost:3000/", "error"],
    ["//cdn.rassylka-test.ru/x.png", "error"],
    ["javascript:void(0)", "error"],
    ["file:///C:/doc.pdf", "error"],
    ["mailto:someone@example.com", "error"],
    ["#section", undefined],
    ["https://example.ru/", undefined],
  ])("%s → %s", (href, severity) => {
    expect(classify(href)?.severity).toBe(severity);
  });
});

describe("lint/client-support internals", () => {
  it("finds features by exact tag names (a <tbody> is not a <body>)", () => {
    const uses = detectFeatures(parseDocument('<table><tbody><tr><td style="opacity:0.5">x</td></tr></tbody></table>'));
    const titles = uses.map((u) => u.title);
    expect(titles).not.toContain("<body> element");
    expect(titles).toContain("<table> element");
    expect(titles).toContain("opacity");
  });

  it("does not look into Outlook's conditional comments", () => {
    const titles = detectFeatures(parseDocument('<!--[if mso]><v:rect style="position:absolute"></v:rect><![endif]--><p>x</p>')).map(
      (u) => u.title,
    );
    expect(titles).not.toContain("position");
  });

  it("the skeleton keeps every component and attribute but drops content and mj-style", () => {
    const mjml = `<mjml><mj-head><mj-attributes><mj-text color="#111" /></mj-attributes><mj-style>.a { position: fixed; }</mj-style><mj-preview>Анонс</mj-preview></mj-head>
<mj-body><mj-section css-class="card"><mj-column><mj-text align="center"><p style="position:absolute">Текст</p></mj-text><mj-button href="https://rassylka-test.ru">Кнопка</mj-button></mj-column></mj-section></mj-body></mjml>`;
    const s = skeleton(mjml);
    expect(s).toContain('<mj-text color="#111" />');
    expect(s).toContain('<mj-section css-class="card">');
    expect(s).toContain('<mj-text align="center"></mj-text>');
    expect(s).toContain('<mj-button href="https://rassylka-test.ru"></mj-button>');
    expect(s).toContain("<mj-preview>preview</mj-preview>");
    expect(s).not.toContain("position");
    expect(s).not.toContain("Текст");
  });
});
