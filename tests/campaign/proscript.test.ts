import { describe, expect, it } from "vitest";
import { campaignParts } from "../../src/campaign/campaign.js";
import { toProscript } from "../../src/campaign/proscript.js";
import { RassylkaError } from "../../src/diagnostics.js";
import { createPersonaliser, renderWebVersion, type Subscriber } from "../../src/render/personalise.js";
import type { CompiledIssue } from "../../src/render/pipeline.js";
import { compileText, config, FM, MINIMAL_CONFIG } from "../helpers/newsletter.js";
import { compile, makeProject } from "../send/transports/sendsay/helpers.js";
import { hasTemplateToolkit, type Member, renderProscript } from "./template-toolkit.js";

const UNSUB = "https://news.example.ru/unsubscribe";
const CONFIG = config(`${MINIMAL_CONFIG}unsubscribe:
  url: ${UNSUB}
  mailto: unsub@news.example.ru
sendsay:
  fields:
    name: base.firstName
    company: custom.company
`);

async function compiled(body: string): Promise<CompiledIssue> {
  const r = await compileText(FM + body, { config: CONFIG });
  if (!r.compiled) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.compiled;
}

async function proscript(body: string) {
  return campaignParts(await compiled(body), CONFIG);
}

describe("Handlebars subscriber tags → PROScript", () => {
  const cases: [string, string, string][] = [
    ["a field", "{{subscriber.name}}", "[% anketa.base.firstName %]"],
    ["a field, unescaped (marked trusted)", "{{!-- trusted-html --}}{{{subscriber.name}}}", "[% anketa.base.firstName | mark_raw %]"],
    ["if / else", "{{#if subscriber.name}}A{{else}}B{{/if}}", "[% IF anketa.base.firstName %]A[% ELSE %]B[% END %]"],
    ["if without else", "{{#if subscriber.company}}A{{/if}}", "[% IF anketa.custom.company %]A[% END %]"],
    ["unless", "{{#unless subscriber.name}}A{{else}}B{{/unless}}", "[% UNLESS anketa.base.firstName %]A[% ELSE %]B[% END %]"],
    [
      "else if (nested)",
      "{{#if subscriber.name}}A{{else if subscriber.company}}B{{else}}C{{/if}}",
      "[% IF anketa.base.firstName %]A[% ELSE %][% IF anketa.custom.company %]B[% ELSE %]C[% END %][% END %]",
    ],
    [
      "nested blocks with fields",
      "{{#if subscriber.name}}{{#unless subscriber.company}}{{subscriber.name}}{{/unless}}{{/if}}",
      "[% IF anketa.base.firstName %][% UNLESS anketa.custom.company %][% anketa.base.firstName %][% END %][% END %]",
    ],
    ["eq", '{{#if (eq subscriber.company "Ромашка")}}A{{/if}}', "[% IF (anketa.custom.company == 'Ромашка') %]A[% END %]"],
    [
      "not, and, or",
      "{{#if (and (not subscriber.name) (or subscriber.company subscriber.email))}}A{{/if}}",
      "[% IF (!(anketa.base.firstName) && (anketa.custom.company || anketa.member.email)) %]A[% END %]",
    ],
    ["default", '{{default subscriber.name "друг"}}', "[% IF anketa.base.firstName %][% anketa.base.firstName %][% ELSE %]друг[% END %]"],
    ["the member's address", "{{subscriber.email}}", "[% anketa.member.email %]"],
    ["Sendsay's unsubscribe link", "{{subscriber.unsubscribeUrl}}", "[% param.url_unsub %]"],
    ["a condition on email keeps its first branch", "{{#if subscriber.email}}A{{else}}B{{/if}}", ">A<"],
    // our preference page's link is signed per reader with our secret: a campaign has none, nothing is refused
    ["a condition on the preferences link takes its else branch", "{{#if subscriber.preferencesUrl}}A{{else}}B{{/if}}", ">B<"],
    [
      "issue-wide values inside a tag are rendered now",
      "{{#if subscriber.name}}{{issue.title}}{{/if}}",
      "[% IF anketa.base.firstName %]Тест[% END %]",
    ],
    [
      "an issue-wide condition inside a tag is decided now",
      "{{#if subscriber.name}}{{#if issue.preheader}}P{{else}}N{{/if}}{{/if}}",
      "[% IF anketa.base.firstName %]N[% END %]",
    ],
  ];
  it.each(cases)("%s", async (_, tag, expected) => {
    const { html } = await proscript(`<p>${tag}</p>\n`);
    expect(html).toContain(expected);
    expect(html).not.toMatch(/RSKSUB|\{\{/);
  });

  it("writes the text part's values with mark_raw (Sendsay escapes only for HTML)", async () => {
    const { text } = await proscript("Привет, {{subscriber.name}}!\n");
    expect(text).toContain("Привет, [% anketa.base.firstName | mark_raw %]!");
  });

  it("keeps text that looks like PROScript as text, in both parts and the subject", async () => {
    const c = await compiled("Скидка [% скидка %] и 100%] и [%]\n");
    const parts = campaignParts({ ...c, subject: "Тема [% x %]" }, CONFIG);
    expect(parts.html).toContain("[[% '%' %] скидка [% '%' %]]");
    expect(parts.html).not.toContain("[% скидка");
    expect(parts.text).toContain("100[% '%' %]]");
    expect(parts.subject).toBe("Тема [[% '%' %] x [% '%' %]]");
  });
});

describe("tags without a PROScript form are refused before anything is sent", () => {
  it("names an unmapped field, its file and line, and the fix", async () => {
    const c = await compiled("Первая строка.\n\nГород: {{subscriber.city}}.\n");
    const sources = [{ file: c.source, text: `${FM}Первая строка.\n\nГород: {{subscriber.city}}.\n` }];
    const e = (() => {
      try {
        campaignParts(c, CONFIG, { sources });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(RassylkaError);
    const [d] = (e as RassylkaError).diagnostics;
    expect(d).toMatchObject({ ruleId: "sendsay/unmapped-field", file: c.source, line: 7, field: "sendsay.fields.city" });
    expect(d.message).toContain("subscriber.city");
    expect(d.fix).toMatch(/sendsay\.fields.*city: custom\.city/);
  });

  it.each([
    ["formatDate", "{{formatDate subscriber.since}}"],
    ["#each", "{{#each subscriber.tags}}x{{/each}}"],
    ["#with", "{{#with subscriber}}{{name}}{{/with}}"],
  ])("names the helper %s", async (helper, tag) => {
    const c = await compiled(`<p>${tag}</p>\n`);
    const r = toProscript(c, { fields: { since: "custom.since", tags: "custom.tags" } });
    expect(r.problems.map((p) => p.ruleId)).toContain("sendsay/untranslatable");
    expect(r.problems.map((p) => p.message).join("\n")).toContain(helper);
    expect(r.problems[0].fix).toMatch(/eq, not, and, or, default/);
  });
});

describe("unsubscribe links in a campaign are Sendsay's", () => {
  it("replaces the template's and the footer's, fallbacks included; the web version keeps ours", async () => {
    const project = await makeProject(
      'footer: "Не нужны письма? [Отпишитесь](https://prodazhi.example.ru/rassylka/unsubscribe)."\nsendsay:\n  fields:\n    name: base.firstName\n    city: custom.city\n',
    );
    try {
      const { compiled: c, config: cfg } = await compile(project.root, "issues/2026-12-02-personal.md");
      for (const withoutFields of [false, true]) {
        const parts = campaignParts(c, cfg, { withoutFields });
        for (const part of [parts.html, parts.text]) {
          expect(part).not.toContain("rassylka/unsubscribe");
          expect(part).toContain("[% param.url_unsub");
        }
        expect(parts.html.match(/href="\[% param\.url_unsub %\]"/g)?.length).toBe(2);
      }
      expect(renderWebVersion(c).html).toContain('href="https://prodazhi.example.ru/rassylka/unsubscribe"');
    } finally {
      await project.cleanup();
    }
  });
});

// The independent check: what Sendsay would make of the PROScript (the real Template Toolkit renders it)
// is what rassylka's own personalisation gives the same reader over SMTP. The differences we document:
// HTML entities for ' = ` (Handlebars writes &#x27; &#x3D; &#x60;, Sendsay &#39; or the character), and
// the blank lines a block leaves when it renders empty (rassylka tidies them in the text part).
describe.runIf(hasTemplateToolkit())("Template Toolkit renders the campaign as rassylka renders the letter", () => {
  const ISSUE = `{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день, уважаемые читатели!{{/if}}

{{#unless subscriber.company}}Расскажите, где вы работаете.{{else}}Привет коллегам из {{subscriber.company}}.{{/unless}}
{{#if (eq subscriber.company "Ромашка")}}Для «Ромашки» — особое предложение.{{/if}}

Обращение: {{default subscriber.name "друг"}}. Письмо для {{subscriber.email}}.

Скидка [% скидка %] действует до 100%] — как написано.

[Отписаться]({{subscriber.unsubscribeUrl}})
`;
  const readers: Member[] = [
    {
      email: "ivan@example.ru",
      unsubscribeUrl: "https://ssec.sendsay.ru/u/1?a=1&b=2",
      anketa: { "base.firstName": "Иван", "custom.company": "Ромашка" },
    },
    { email: "anna@example.ru", unsubscribeUrl: "https://ssec.sendsay.ru/u/2", anketa: { "custom.company": "ООО <Вектор> & сыновья" } },
    { email: "o@example.ru", unsubscribeUrl: "https://ssec.sendsay.ru/u/3", anketa: { "base.firstName": `<b>О'Брайен "Лис" & Ко</b>` } },
    { email: "x@example.ru", unsubscribeUrl: "https://ssec.sendsay.ru/u/4", anketa: {} },
  ];
  const entities = (s: string) =>
    s
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/&#x3D;/g, "=")
      .replace(/&#x60;/g, "`");
  const tidy = (s: string) =>
    s
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/^\s*\n/, "");

  it.each(readers)("for $email", async (member) => {
    const c = await compiled(ISSUE);
    const parts = campaignParts(c, CONFIG);
    const subscriber: Subscriber = {
      email: member.email,
      unsubscribeUrl: member.unsubscribeUrl,
      name: member.anketa["base.firstName"],
      company: member.anketa["custom.company"],
    };
    const ours = createPersonaliser(c).render(subscriber);
    const html = renderProscript(parts.html, member, "html");
    expect(entities(html)).toBe(entities(ours.html));
    expect(tidy(renderProscript(parts.text, member, "text"))).toBe(ours.text);
    expect(renderProscript(parts.subject, member, "text")).toBe(c.subject);
    expect(html).toMatch(/Скидка \[% скидка %\] действует до.100%\]/);
  });

  it("with the example newsletter's layout, header and footer", async () => {
    const project = await makeProject("sendsay:\n  fields:\n    name: base.firstName\n    city: custom.city\n");
    try {
      const { compiled: c, config: cfg } = await compile(project.root, "issues/2026-12-02-personal.md");
      const parts = campaignParts(c, cfg);
      for (const member of readers.slice(0, 2)) {
        const m = { ...member, anketa: { "base.firstName": member.anketa["base.firstName"] ?? "", "custom.city": "Краснодар" } };
        const ours = createPersonaliser(c).render({
          email: m.email,
          unsubscribeUrl: m.unsubscribeUrl,
          name: m.anketa["base.firstName"],
          city: "Краснодар",
        });
        expect(entities(renderProscript(parts.html, m, "html"))).toBe(entities(ours.html));
        expect(tidy(renderProscript(parts.text, m, "text"))).toBe(ours.text);
      }
    } finally {
      await project.cleanup();
    }
  });
});
