import Handlebars from "handlebars";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { checkTemplate } from "../../src/render/checks/index.js";
import { deferSubscriber, OUR_HELPERS } from "../../src/render/handlebars.js";
import { createPersonaliser, renderWebVersion } from "../../src/render/personalise.js";
import type { CompileResult } from "../../src/render/pipeline.js";
import { PROCESS_NONCE, token, tokenPattern } from "../../src/render/tokens.js";
import { BARE_LAYOUT, bodyOf, compileText, config, MINIMAL_CONFIG, only, templateSet } from "../helpers/newsletter.js";

const FILE = "issues/2026-06-01-test.md";
/** Four lines of front-matter: body line N is file line N + 4. */
const FM = "---\ntitle: Тест\ndate: 2026-06-01\n---\n";
const partials = new Set(["header", "signature"]);
const check = (source: string, lineOffset = 0) =>
  checkTemplate(source, "templates/layouts/x.mjml.hbs", { lineOffset, partials, helpers: OUR_HELPERS });

describe("handlebars: bad tags in an issue are named at the FILE's line", () => {
  it.each([
    // name, body, ruleId, file line, column, words
    [
      "unclosed block at its opening line",
      "Привет\n\n{{#if issue.title}}\nтекст\n",
      "handlebars/unclosed-block",
      7,
      1,
      ["{{#if}} is never closed", "{{/if}}"],
    ],
    [
      "unclosed inner block, the outer one closed",
      "a\n{{#if issue.title}}\n  b {{#each events}}\n{{/if}}\n",
      "handlebars/mismatched-block",
      7,
      5,
      ["{{#each}} opened here is closed by {{/if}} on line 8"],
    ],
    ["unclosed subscriber block", "{{#if subscriber.name}}Иван", "handlebars/unclosed-block", 5, 1, ["never closed"]],
    [
      "mismatched block",
      "a\n{{#if issue.title}}\nb\n{{/each}}\n",
      "handlebars/mismatched-block",
      6,
      1,
      ["closed by {{/each}} on line 8", "close it with {{/if}}"],
    ],
    ["closing a block never opened", "a\n\n{{/if}}\n", "handlebars/unopened-block", 7, 1, ["{{/if}} closes a block that was never opened"]],
    [
      "unknown block helper",
      "a\n\n{{#foreach events}}x{{/foreach}}\n",
      "handlebars/unknown-helper",
      7,
      1,
      ["unknown block helper {{#foreach}}", "each"],
    ],
    ["unknown block without arguments", "a\n{{#loop}}x{{/loop}}\n", "handlebars/unknown-helper", 6, 1, ["{{#loop}}"]],
    [
      "unknown inline helper",
      "a\n\nсегодня {{fmtDate issue.date}}\n",
      "handlebars/unknown-helper",
      7,
      9,
      ["unknown helper {{fmtDate …}}", "formatDate"],
    ],
    [
      "missing partial",
      "a\n\n\n{{> podpis}}\n",
      "handlebars/missing-partial",
      8,
      1,
      ['partial "podpis" not found', "templates/partials/podpis.hbs"],
    ],
    ["{{#if}} without an argument", "a\n{{#if}}x{{/if}}\n", "handlebars/helper-arguments", 6, 1, ["needs exactly one argument"]],
    ["a syntax error", "a\n\n{{issue.title\n", "handlebars/syntax", 7, undefined, ["Handlebars syntax error"]],
    [
      "a subscriber block inside {{#each}} that reads the loop's item (regression: rendered empty)",
      "а\n{{#each events}}\n  {{#if ../subscriber.name}}{{title}}{{/if}}\n{{/each}}\n",
      "handlebars/subscriber-in-loop",
      7,
      3,
      ['inside {{#each}} also reads "title"', "@root"],
    ],
  ])("%s", async (_name, body, ruleId, line, column, words) => {
    const r = await compileText(FM + body, { file: FILE });
    expect(r.compiled).toBeUndefined();
    const d = only(r.diagnostics);
    expect(d).toMatchObject({ ruleId, file: FILE, line });
    if (column !== undefined) expect(d.column).toBe(column);
    const printed = formatDiagnostic(d);
    for (const w of words) expect(printed).toContain(w);
    expect(d.fix).toBeTruthy();
  });

  it("a longer front-matter shifts the line", async () => {
    const r = await compileText("---\ntitle: Тест\ndate: 2026-06-01\npreheader: П\ntags: [a]\n---\n{{#if issue.title}}\n", { file: FILE });
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "handlebars/unclosed-block", line: 7 });
  });

  it("CRLF line endings count the same lines", async () => {
    const r = await compileText("---\r\ntitle: Тест\r\ndate: 2026-06-01\r\n---\r\nа\r\n{{#each events}}\r\n", { file: FILE });
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "handlebars/unclosed-block", line: 6 });
  });

  it('an inline partial {{#*inline "x"}}…{{/inline}} is a well-formed block (regression: refused as mismatched)', async () => {
    const r = await compileText(`${FM}{{#*inline "hi"}}Привет{{/inline}}{{> hi}}, мир.\n`);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(renderWebVersion(r.compiled!).text).toContain("Привет, мир.");
  });

  it("an escaped \\{{#if}} is not a block", async () => {
    const r = await compileText(`${FM}Пишите \\{{#if subscriber.name}} в шаблоне.\n`);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
  });
});

describe("handlebars: templates are checked with their own file and line", () => {
  it.each([
    ["unclosed", "<mjml>\n  {{#each events}}\n  <mj-body></mj-body>\n</mjml>", "handlebars/unclosed-block", 2, 3],
    ["mismatched", "<mjml>\n{{#if a}}\n{{/with}}\n</mjml>", "handlebars/mismatched-block", 2, 1],
    ["unknown block", "<mjml>\n\n{{#iff a}}{{/iff}}</mjml>", "handlebars/unknown-helper", 3, 1],
    ["missing partial", "<mjml>\n  <mj-body>\n    {{> footer}}\n  </mj-body>\n</mjml>", "handlebars/missing-partial", 3, 5],
  ])("%s", (_name, source, ruleId, line, column) => {
    const d = only(check(source).diagnostics);
    expect(d).toMatchObject({ ruleId, file: "templates/layouts/x.mjml.hbs", line, column });
  });

  it("the known partials and helpers pass", () => {
    const r = check(
      '{{> header}}{{#each events}}{{formatDate date}}{{/each}}{{#with newsletter}}{{name}}{{/with}}{{#if (eq a "b")}}{{/if}}',
    );
    expect(r.diagnostics).toEqual([]);
  });

  it("a bad partial fails every issue and names the partial's file", async () => {
    const templates = templateSet(
      { default: BARE_LAYOUT.replace("{{{content}}}", "{{{content}}}{{> sig}}") },
      { sig: "line one\n{{#if issue.author}}\n" },
    );
    const r = await compileText(`${FM}Текст\n`, { templates });
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "handlebars/unclosed-block", file: "templates/partials/sig.hbs", line: 2 });
  });
});

describe("handlebars: deferral of subscriber tags", () => {
  it.each([
    ["a subscriber field", "Привет, {{subscriber.name}}!", ["{{subscriber.name}}"]],
    ["a block on a subscriber field", "{{#if subscriber.name}}Да{{else}}Нет{{/if}}", ["{{#if subscriber.name}}Да{{else}}Нет{{/if}}"]],
    ["a helper reading subscriber", "{{default subscriber.name 'друг'}}", ["{{default subscriber.name 'друг'}}"]],
    ["a subexpression", "{{#if (eq subscriber.plan 'pro')}}pro{{/if}}", ["{{#if (eq subscriber.plan 'pro')}}pro{{/if}}"]],
    ["@root.subscriber inside each", "{{#each events}}{{title}} {{@root.subscriber.email}}{{/each}}", ["{{@root.subscriber.email}}"]],
    ["two fields", "{{subscriber.a}} и {{subscriber.b}}", ["{{subscriber.a}}", "{{subscriber.b}}"]],
    ["nothing to defer", "{{issue.title}} {{#if issue.preheader}}p{{/if}}", []],
  ])("%s", (_name, source, deferredTags) => {
    const deferred: string[] = [];
    const out = deferSubscriber(source, deferred);
    expect(deferred).toEqual(deferredTags);
    expect(out).not.toContain("subscriber");
    // put back, the source is what it was
    expect(out.replace(tokenPattern("SUB", PROCESS_NONCE), (_, i: string) => deferred[Number(i)])).toBe(source);
    // what is left renders without the subscriber
    expect(() => Handlebars.compile(out)({})).not.toThrow();
  });

  it("token numbers continue across calls (body, layout and partials of one issue)", () => {
    const deferred: string[] = [];
    deferSubscriber("{{subscriber.a}}", deferred);
    expect(deferSubscriber("{{subscriber.b}}", deferred)).toBe(token("SUB", PROCESS_NONCE, 1));
  });
});

describe("handlebars: a lone \\{{", () => {
  it("is a literal {{, and the tags after it still work (regression: Handlebars failed or swallowed them)", async () => {
    const r = await compileText(`${FM}Пишите \\{{ чтобы вставить тег.\n\n{{#if issue.title}}Заголовок: {{issue.title}}{{/if}}\n`);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const web = renderWebVersion(r.compiled!);
    expect(web.text).toContain("Пишите {{ чтобы вставить тег.\n\nЗаголовок: Тест\n");
    expect(bodyOf(web.html)).toContain("<p>Пишите &#123;&#123; чтобы вставить тег.</p> <p>Заголовок: Тест</p>");
  });
});

describe("handlebars: subscriber tags inside {{#each}}", () => {
  it("../subscriber and @root.subscriber are filled in for each item (regression: ../ rendered empty)", async () => {
    const cfg = config(`${MINIMAL_CONFIG}events:\n  - date: 2026-06-10\n    title: Тренинг\n  - date: 2026-06-11\n    title: Семинар\n`);
    const r = await compileText(
      `${FM}{{#each events}}{{title}} для {{../subscriber.name}}/{{@root.subscriber.name}}{{#if ../subscriber.name}}!{{/if}}; {{/each}}\n`,
      { config: cfg },
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const out = createPersonaliser(r.compiled!).render({ name: "Иван" });
    // whitespace collapsed: the text part is wrapped before readers' fields are filled in
    expect(out.text.replace(/\s+/g, " ")).toContain("Тренинг для Иван/Иван!; Семинар для Иван/Иван!;");
    expect(renderWebVersion(r.compiled!).text.replace(/\s+/g, " ")).toContain("Тренинг для /; Семинар для /;");
  });

  it("{{#with ../subscriber}} inside {{#each}} reads the subscriber's own fields: no error", async () => {
    const cfg = config(`${MINIMAL_CONFIG}events:\n  - date: 2026-06-10\n    title: Тренинг\n`);
    const r = await compileText(`${FM}{{#each events}}{{#with ../subscriber}}{{name}}{{/with}}{{/each}}\n`, { config: cfg });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(createPersonaliser(r.compiled!).render({ name: "Иван" }).text).toContain("Иван");
  });
});

describe("handlebars: rendering an issue (one compile shared)", () => {
  let r: CompileResult;
  let web: { html: string; text: string };
  beforeAll(async () => {
    r = await compileText(
      `${FM}{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}

Выпуск «{{issue.title}}» от {{issue.dateText}}, {{newsletter.name}}.

Чтобы вставить имя, пишите \\{{subscriber.name}} — и \\{{#if}} тоже.

{{#each events}}Событие {{title}}{{/each}}{{! a comment }}
`,
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    web = renderWebVersion(r.compiled!);
  });

  it("context: newsletter, issue (with the date in words)", () => {
    expect(bodyOf(web.html)).toContain("Выпуск «Тест» от 1 июня 2026 г., Тестовая рассылка.");
  });

  it("a literal \\{{ appears as {{ in the HTML and the text", () => {
    expect(bodyOf(web.html).replaceAll("\u00a0", " ")).toContain("пишите {{subscriber.name}} — и {{#if}} тоже.");
    expect(web.text.replaceAll("\u00a0", " ")).toContain("пишите {{subscriber.name}} — и {{#if}} тоже.");
    expect(web.html).not.toContain("\\{{");
  });

  it("the literal is not filled in for a reader", async () => {
    const out = createPersonaliser(r.compiled!).render({ name: "Иван" });
    expect(out.html).toContain("пишите {{subscriber.name}}");
    expect(out.html).toContain("Иван, добрый день!");
  });

  it("the subscriber's tags are deferred: tokens in the compiled issue, sources kept", () => {
    const c = r.compiled!;
    expect(c.deferred).toEqual(["{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}"]);
    expect(c.html).toContain(token("SUB", c.tokens, 0));
    expect(c.text).toContain(token("SUB", c.tokens, 0));
    expect(c.subscriberFields).toEqual(["name"]);
    expect(c.mjml).toContain(token("SUB", c.tokens, 0));
  });

  it("comments and empty each leave nothing behind", () => {
    expect(web.html).not.toContain("a comment");
    expect(web.html).not.toContain("Событие");
  });
});
