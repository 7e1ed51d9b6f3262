import { beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { createHandlebars } from "../../src/render/handlebars.js";
import { createPersonaliser, renderWebVersion } from "../../src/render/personalise.js";
import type { CompiledIssue } from "../../src/render/pipeline.js";
import { tokenPattern } from "../../src/render/tokens.js";
import { BARE_LAYOUT, bodyOf, compileText, templateSet } from "../helpers/newsletter.js";

/** A layout and a partial that read subscriber fields too, inside <mj-text> as MJML requires. */
const LAYOUT = BARE_LAYOUT.replace(
  "{{{content}}}",
  '{{{content}}}\n          {{> unsub}}\n          <p>Письмо для {{default subscriber.email "вас"}}.</p>',
);
const UNSUB =
  '{{#if subscriber.unsubscribeUrl}}<a href="{{subscriber.unsubscribeUrl}}">Отписаться</a>{{else}}<a href="https://e.org/u">Отписаться</a>{{/if}}';

const BODY = `---
title: Тест
date: 2026-06-01
---
{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день, читатель!{{/if}}

Компания: {{subscriber.company}}.
`;

describe("personalise: subscriber fields filled per reader, after MJML", () => {
  let compiled: CompiledIssue;
  beforeAll(async () => {
    const r = await compileText(BODY, { templates: templateSet({ default: LAYOUT }, { unsub: UNSUB }) });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    compiled = r.compiled!;
  });

  it("the compiled issue lists the fields it reads", () => {
    expect(compiled.subscriberFields).toEqual(["company", "email", "name", "unsubscribeUrl"]);
  });

  it.each([
    [
      "every field given",
      { name: "Иван", company: "Ромашка", email: "ivan@e.org", unsubscribeUrl: "https://e.org/u/tok" },
      ["Иван, добрый день!", "Компания: Ромашка.", "Письмо для ivan@e.org.", 'href="https://e.org/u/tok"'],
      ["Иван, добрый день!", "Компания: Ромашка.", "Письмо для ivan@e.org.", "Отписаться (https://e.org/u/tok)"],
    ],
    [
      "no name: the template's fallback",
      { email: "a@e.org" },
      ["Добрый день, читатель!", "Компания: .", 'href="https://e.org/u"'],
      ["Добрый день, читатель!", "Отписаться (https://e.org/u)"],
    ],
    [
      "a name that is markup: escaped in HTML, raw in text",
      { name: "<script>alert(1)</script>", company: 'A & B "C"', email: "x@e.org" },
      ["&lt;script&gt;alert(1)&lt;/script&gt;, добрый день!", "Компания: A &amp; B &quot;C&quot;."],
      ["<script>alert(1)</script>, добрый день!", 'Компания: A & B "C".'],
    ],
    [
      "an unsubscribe URL that tries to break out of the attribute",
      { unsubscribeUrl: 'https://e.org/"><script>x</script>' },
      ['href="https://e.org/&quot;&gt;&lt;script&gt;x&lt;/script&gt;"'],
      ['Отписаться (https://e.org/"><script>x</script>)'],
    ],
  ])("%s", (_name, subscriber, inHtml, inText) => {
    const out = createPersonaliser(compiled).render(subscriber);
    for (const s of inHtml) expect(out.html).toContain(s);
    for (const s of inText) expect(out.text.replace(/\s+/g, " ")).toContain(s);
    expect(out.html).not.toContain("<script>");
    expect(out.html).not.toMatch(/RSKSUB|RSKTPL|RSKHB/);
    expect(out.text).not.toMatch(/RSKSUB|RSKTPL|RSKHB/);
  });

  it("the text also comes in pieces when it is exactly its pieces joined (src/message/prepared.ts counts the static ones once)", () => {
    const out = createPersonaliser(compiled).render({ name: "Иван", company: "Ромашка" });
    expect(out.textParts?.statics.length).toBeGreaterThan(1);
    expect(out.textParts?.statics.map((st, i) => st + (out.textParts?.values[i] ?? "")).join("")).toBe(out.text);
  });

  it("one personaliser serves many readers, each getting only their own values", () => {
    const p = createPersonaliser(compiled);
    const a = p.render({ name: "Анна" });
    const b = p.render({ name: "Борис" });
    expect(a.html).toContain("Анна,");
    expect(a.html).not.toContain("Борис");
    expect(b.html).toContain("Борис,");
    // the rest of the email is the same bytes
    expect(a.html.replace("Анна", "Борис")).toBe(b.html);
  });

  it("the web version: subscriber fields empty, the template's fallbacks shown", () => {
    const web = renderWebVersion(compiled);
    expect(bodyOf(web.html)).toContain("Добрый день, читатель!");
    expect(web.html).toContain("Письмо для вас.");
    expect(web.html).toContain('href="https://e.org/u"');
    expect(web.text).toContain("Добрый день, читатель!");
    expect(web.html).not.toMatch(/\{\{|RSKSUB/);
  });

  it("the compiled issue is JSON-safe (it is cached as JSON) and still personalises", () => {
    const copy = JSON.parse(JSON.stringify(compiled)) as CompiledIssue;
    expect(createPersonaliser(copy).render({ name: "Иван" })).toEqual(createPersonaliser(compiled).render({ name: "Иван" }));
  });
});

describe("personalise: a subscriber block over several paragraphs", () => {
  it("fills in for a reader and vanishes for the web, leaving no runs of blank lines in the text (regression)", async () => {
    const r = await compileText(
      "---\ntitle: T\ndate: 2026-06-01\n---\n{{#if subscriber.name}}\n\nПривет, **{{subscriber.name}}**!\n\n- пункт {{subscriber.city}}\n\n{{/if}}\n\nТекст.\n",
    );
    expect(r.diagnostics).toEqual([]);
    const reader = createPersonaliser(r.compiled!).render({ name: "Иван", city: "Сочи" });
    expect(bodyOf(reader.html)).toContain("<p>Привет, <strong>Иван</strong>!</p> <ul> <li>пункт Сочи</li> </ul>");
    expect(reader.text).toBe("T\n\nПривет, Иван!\n\n * пункт Сочи\n\nТекст.\n");
    const web = renderWebVersion(r.compiled!);
    expect(web.text).toBe("T\n\nТекст.\n");
    expect(web.html).not.toContain("Привет");
    // the blank lines tidied away: the text is not its pieces joined, so it comes whole only
    expect(reader.textParts).toBeUndefined();
    expect(createPersonaliser(r.compiled!).render({}).textParts).toBeUndefined();
  });
});

describe("personalise: a subscriber block first in the email", () => {
  it("leaves no blank line at the top of the text when it renders empty (regression)", async () => {
    const layout = BARE_LAYOUT.replace(
      "<h1>{{issue.title}}</h1>",
      '{{#if subscriber.email}}<a href="https://e.org/web">Открыть в браузере</a>{{/if}}\n<h1>{{issue.title}}</h1>',
    );
    const r = await compileText("---\ntitle: Заголовок\ndate: 2026-06-01\n---\nТекст\n", { templates: templateSet({ default: layout }) });
    expect(r.diagnostics).toEqual([]);
    expect(renderWebVersion(r.compiled!).text).toBe("Заголовок\n\nТекст\n");
    expect(createPersonaliser(r.compiled!).render({ email: "a@e.org" }).text).toBe(
      "Открыть в браузере (https://e.org/web)\n\nЗаголовок\n\nТекст\n",
    );
  });
});

describe("personalise: a subscriber block around MJML tags is refused", () => {
  it("names the template file and line", async () => {
    const layout = BARE_LAYOUT.replace(
      "    <mj-section>",
      "    {{#if subscriber.name}}\n    <mj-section><mj-column><mj-text>Привет</mj-text></mj-column></mj-section>\n    {{/if}}\n    <mj-section>",
    );
    const r = await compileText(BODY, { templates: templateSet({ default: layout }) });
    expect(r.compiled).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({
      ruleId: "handlebars/subscriber-block-around-mjml",
      file: "templates/layouts/default.mjml.hbs",
      line: 7,
    });
    expect(r.diagnostics[0].fix).toContain("<mj-text>");
  });
});

/**
 * A part's single-line tags run as one Handlebars call per reader, joined by a separator made of
 * the compile's nonce. The reference here is each tag compiled and run on its own (the earlier code, with
 * the same helpers), filled into the same tokens: both must give the same bytes for every reader.
 */
describe("personalise: the joined tags render exactly as one call per tag", () => {
  const MANY = BARE_LAYOUT.replace(
    "{{{content}}}",
    [
      "{{{content}}}",
      '          <p>{{default subscriber.name "друг"}} · {{#if (eq subscriber.plan "pro")}}PRO{{else}}базовый{{/if}} · {{subscriber.city}}</p>',
      "          <p>{{#each subscriber.tags}}[{{this}}]{{/each}}{{~subscriber.empty~}} {{!-- trusted-html --}}{{{subscriber.raw}}}</p>",
      "          {{#if subscriber.name}}",
      "          <p>Вы с нами, {{subscriber.name}}.</p>",
      "          {{/if}}",
      '          <p>{{#if subscriber.email}}{{#*inline "hi"}}Привет{{/inline}}{{> hi}}, {{subscriber.email}}{{/if}}</p>',
    ].join("\n"),
  );
  const ISSUE = `---
title: Тест
date: 2026-06-01
---
{{subscriber.name}}, {{subscriber.company}}: {{#if subscriber.city}}город {{subscriber.city}}{{/if}}.

Текст.
`;
  let compiled: CompiledIssue;
  beforeAll(async () => {
    const r = await compileText(ISSUE, { templates: templateSet({ default: MANY }) });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    compiled = r.compiled!;
  });

  function onePerTag(subscriber: Record<string, unknown>): { html: string; text: string } {
    const hb = createHandlebars("ru");
    const context = { ...compiled.context, subscriber };
    const fill = (s: string, tags: string[], noEscape: boolean) =>
      s.replace(tokenPattern("SUB", compiled.tokens), (_m, n: string) => hb.compile(tags[Number(n)], { strict: false, noEscape })(context));
    const text = fill(compiled.text, compiled.deferredText, true)
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/^\s*\n/, "");
    return { html: fill(compiled.html, compiled.deferred, false), text };
  }

  it("the issue has tags both joined (one line) and rendered alone (several lines, an inline partial)", () => {
    expect(compiled.deferred.length).toBeGreaterThan(6);
    expect(compiled.deferred.some((t) => t.includes("\n"))).toBe(true);
    expect(compiled.deferred.some((t) => t.includes("{{#*inline"))).toBe(true);
  });

  const separator = () => `\u0001RSKSEP${compiled.tokens}\u0001`;
  it.each<[string, () => Record<string, unknown>]>([
    ["every field", () => ({ name: "Иван", company: "Ромашка", plan: "pro", city: "Сочи", email: "i@e.org", tags: ["a", "b"] })],
    ["no fields", () => ({})],
    ["markup to escape", () => ({ name: '<b>"Иван" & Co</b>', company: "A&B", raw: "<i>raw</i>", city: "<x>" })],
    ["a value holding the separator (falls back to a call per tag)", () => ({ name: `до${separator()}после`, city: separator() })],
    ["a value holding a token-like string", () => ({ name: `RSKSUB${compiled.tokens}0Z`, company: "{{subscriber.city}}" })],
  ])("%s", (_name, make) => {
    const subscriber = make();
    const ours = createPersonaliser(compiled).render(subscriber as Record<string, string>);
    const reference = onePerTag(subscriber);
    expect(ours.html).toBe(reference.html);
    expect(ours.text).toBe(reference.text);
    expect(ours.htmlParts.statics.map((s, i) => s + (ours.htmlParts.values[i] ?? "")).join("")).toBe(ours.html);
  });

  it("a value holding the separator reaches the email whole, beside its neighbours", () => {
    const name = `до${separator()}после`;
    const out = createPersonaliser(compiled).render({ name, plan: "pro", city: "Омск" });
    expect(out.html).toContain(`${name} · PRO · Омск`);
    expect(out.text).toContain(`${name}, : город Омск.`);
  });
});
