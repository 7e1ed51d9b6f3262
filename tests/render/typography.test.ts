import { describe, expect, it } from "vitest";
import { typographHtml } from "../../src/render/typography.js";

const NBSP = "\u00a0";
const show = (s: string) => s.replaceAll(NBSP, "⍽");

describe("typography (typograf) on HTML", () => {
  it.each([
    ["«ёлочки» for Russian quotes", '<p>Он сказал "привет".</p>', "<p>Он⍽сказал «привет».</p>"],
    ["nested quotes become „лапки“", '<p>"Фирма "Ромашка" молчит"</p>', "<p>«Фирма „Ромашка“ молчит»</p>"],
    ["a spaced hyphen becomes an em dash with a nbsp before it", "<p>Звонок - это просто.</p>", "<p>Звонок⍽— это просто.</p>"],
    ["nbsp after short words", "<p>Звоните в пятницу и в понедельник.</p>", "<p>Звоните в⍽пятницу и⍽в⍽понедельник.</p>"],
    [
      "a dash at the start of a quoted phone line",
      "<blockquote><p>- Добрый день!</p></blockquote>",
      "<blockquote><p>—⍽Добрый день!</p></blockquote>",
    ],
    ["year ranges get an en dash", "<p>в 1990-2000 годах</p>", "<p>в⍽1990–2000 годах</p>"],
  ])("%s", (_name, html, expected) => {
    expect(show(typographHtml(html, "ru"))).toBe(expected);
  });

  it("English quotes for language en", () => {
    expect(show(typographHtml('<p>He said "hello" - ok.</p>', "en"))).toBe("<p>He⍽said “hello”⍽— ok.</p>");
  });

  it.each([
    ["inline code", '<p><code>"a" - b</code></p>'],
    ["a code block", '<pre><code>const a = "b" - c;\n</code></pre>'],
    ["tag attributes", '<p><a href="https://e.org/?a=1&b=2" title="x - y">x</a></p>'],
    ["an email address", "<p>avtor@example.org</p>"],
    ["a phone number", "<p>+7 (861) 200-00-00</p>"],
    ["an ISO date", "<p>2026-06-24</p>"],
  ])("leaves %s untouched", (_name, html) => {
    expect(typographHtml(html, "ru")).toBe(html);
  });

  it.each([
    ["de", '<p>"a" - b</p>', "<p>„a“ - b</p>"],
    // regression: typograf threw "not supported locale" and took the build down
    ["a language typograf lacks (xx) gets the common rules", '<p>"a" - b</p>', "<p>“a”⍽— b</p>"],
  ])("%s", (name, html, expected) => {
    expect(show(typographHtml(html, name.split(" ")[0]))).toBe(expected);
  });

  it("characters, not entities: the text part reads the same", () => {
    const out = typographHtml('<p>"а" - б</p>', "ru");
    expect(out).not.toMatch(/&[a-z]+;/);
    expect(out).toContain("«а»");
  });
});
