import { describe, expect, it } from "vitest";
import { markdownToHtml } from "../../src/render/markdown.js";
import { escapeLoneBraces, protectHandlebars } from "../../src/render/protect.js";
import { PROCESS_NONCE, token } from "../../src/render/tokens.js";
import { typographHtml } from "../../src/render/typography.js";

/** Stages 4–5 as the pipeline runs them: protect, markdown, typography, restore. */
const stages45 = (md: string, language = "ru") => {
  const g = protectHandlebars(md);
  return g.restore(typographHtml(markdownToHtml(g.text), language));
};

describe("protect: Handlebars tags become inert tokens and come back unchanged", () => {
  it.each([
    ["a mustache", "Привет, {{subscriber.name}}!", ["{{subscriber.name}}"]],
    ["a triple mustache", "{{{newsletter.footerHtml}}}", ["{{{newsletter.footerHtml}}}"]],
    ["a block with a quoted argument", '{{#if (eq issue.slug "a-b")}}x{{/if}}', ['{{#if (eq issue.slug "a-b")}}', "{{/if}}"]],
    ["a partial", "{{> signature}}", ["{{> signature}}"]],
    ["a comment with braces", "{{!-- a }} b --}}", ["{{!-- a }} b --}}"]],
    ["an escaped literal", "\\{{not a tag}}", ["\\{{not a tag}}"]],
    ["a tag over two lines", "{{#each\n  events}}", ["{{#each\n  events}}"]],
  ])("%s", (_name, source, tags) => {
    const g = protectHandlebars(source);
    for (const t of tags) expect(g.text).not.toContain(t);
    expect(g.text).not.toContain("{{");
    expect(g.restore(g.text)).toBe(source);
  });

  it("tokens are plain words, so Markdown and typograf leave them alone", () => {
    const g = protectHandlebars("{{> header}}\n\n{{subscriber.name}}");
    expect(g.text).toBe(`${token("HB", PROCESS_NONCE, 0)}\n\n${token("HB", PROCESS_NONCE, 1)}`);
  });

  it("restore leaves text without tokens unchanged", () => {
    expect(protectHandlebars("a").restore("<p>«б»</p>")).toBe("<p>«б»</p>");
  });
});

describe("escapeLoneBraces", () => {
  it.each([
    ["a lone escape", "Пишите \\{{ так", "Пишите &#123;&#123; так"],
    ["an escaped tag on one line stays", "\\{{subscriber.name}}", "\\{{subscriber.name}}"],
    ["a lone escape before a real tag on a later line", "\\{{ a\n{{b}}", "&#123;&#123; a\n{{b}}"],
    ["tags are not touched", "{{a}} {{#if b}}c{{/if}}", "{{a}} {{#if b}}c{{/if}}"],
  ])("%s", (_name, source, out) => {
    expect(escapeLoneBraces(source)).toBe(out);
  });

  it("the entities pass markdown-it and typograf as they are", () => {
    expect(stages45(escapeLoneBraces("Пишите \\{{ так"))).toBe("<p>Пишите &#123;&#123; так</p>\n");
  });
});

describe("protect + markdown + typography: tags survive in place", () => {
  it.each([
    // name, markdown, expected HTML (\u00a0 written as ⍽)
    ["a partial line is not a block quote", "{{> header}}\n\nТекст", "<p>{{> header}}</p>\n<p>Текст</p>\n"],
    ["quotes inside a tag stay straight", '{{#if (eq issue.slug "x")}}Да{{/if}}', '<p>{{#if (eq issue.slug "x")}}Да{{/if}}</p>\n'],
    [
      "a dash inside a tag stays a hyphen",
      "{{default subscriber.name 'друг - коллега'}}",
      "<p>{{default subscriber.name 'друг - коллега'}}</p>\n",
    ],
    [
      "underscores inside a tag are not emphasis",
      "{{subscriber.first_name}} и {{subscriber.last_name}}",
      "<p>{{subscriber.first_name}} и⍽{{subscriber.last_name}}</p>\n",
    ],
    ["a closing quote glued to a tag", 'Да "так"{{/if}}', "<p>Да⍽«так»{{/if}}</p>\n"],
    ["an opening quote glued to a tag", '{{#if a}}"Да" - нет', "<p>{{#if a}}«Да»⍽— нет</p>\n"],
    ["quotes around a tag", 'Клиент "{{subscriber.company}}" ждёт', "<p>Клиент «{{subscriber.company}}» ждёт</p>\n"],
    [
      "no space after punctuation glued to a tag (regression: typograf added one)",
      "{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}",
      "<p>{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}</p>\n",
    ],
    ["a tag glued after a full stop", "Итак.{{x}} Дальше", "<p>Итак.{{x}} Дальше</p>\n"],
    ["a tag between words keeps its spaces", "до {{x}} после", "<p>до⍽{{x}} после</p>\n"],
    ["a link to a tag", "[отписаться]({{subscriber.unsubscribeUrl}})", '<p><a href="{{subscriber.unsubscribeUrl}}">отписаться</a></p>\n'],
    ["an escaped literal", "Пишите \\{{subscriber.name}}", "<p>Пишите \\{{subscriber.name}}</p>\n"],
  ])("%s", (_name, md, html) => {
    expect(stages45(md).replace(/\u00a0/g, "⍽")).toBe(html);
  });
});
