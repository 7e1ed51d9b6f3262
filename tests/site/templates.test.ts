import { describe, expect, test } from "vitest";
import { pageStrings } from "../../src/i18n/pages.js";
import { errorPage } from "../../src/preview/page.js";
import { pages } from "../../src/server/pages.js";
import { renderArchive, renderWebNav } from "../../src/site/archive.js";
import { errorStatus, template, templateSources, unmarkedTripleBraces } from "../../src/site/templates.js";

const HOSTILE = `<script>alert("x")</script> & "кавычки" 'апостроф' \`=`;

describe("pages come from templates that escape by default", () => {
  test("no template puts a value in unescaped without saying so", () => {
    // importing the page modules registered their templates and partials
    expect(templateSources().length).toBeGreaterThanOrEqual(8);
    for (const source of templateSources()) expect(unmarkedTripleBraces(source)).toEqual([]);
    expect(unmarkedTripleBraces("{{{x}}}")).toEqual(["x"]);
    expect(unmarkedTripleBraces("{{!-- html: our own markup --}}{{{x}}}")).toEqual([]);
  });

  test("a value is text, in an element and in an attribute", () => {
    const t = template<{ v: string }>(`<p title="{{v}}">{{v}}</p>`);
    const html = t({ v: HOSTILE });
    expect(html).not.toContain("<script>");
    expect(html).toBe(
      `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;кавычки&quot; &#x27;апостроф&#x27; &#x60;&#x3D;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;кавычки&quot; &#x27;апостроф&#x27; &#x60;&#x3D;</p>`,
    );
  });

  test("the archive and the web versions' nav bar escape the issues' titles and everything from config", () => {
    const entries = [
      { slug: "b", title: HOSTILE, preheader: HOSTILE, date: "2026-02-01", draft: false },
      { slug: "a", title: HOSTILE, preheader: "", date: "2026-01-01", draft: false },
    ];
    const config = {
      name: HOSTILE,
      language: "ru",
      description: HOSTILE,
      nav: [
        { title: HOSTILE, url: `https://x.ru/"><script>` },
        { title: "js", url: "javascript:alert(1)" },
      ],
      url: `https://x.ru/"><script>`,
      subscribe: { consent: HOSTILE },
    } as Parameters<typeof renderArchive>[1];
    for (const html of [renderArchive(entries, config), renderWebNav(entries, "a", config), renderWebNav(entries, "b", config)]) {
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain('"><script');
      expect(html).not.toContain("javascript:");
      expect(html).toContain(
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;кавычки&quot; &#x27;апостроф&#x27; &#x60;&#x3D;",
      );
    }
  });

  test("serve's pages escape the newsletter's name and the address; the preview's escape its name", () => {
    const config = {
      name: HOSTILE,
      language: "ru",
      unsubscribe: { url: "https://x.ru/u", mailto: `a@x.ru"><script>` },
      url: "javascript:alert(1)",
    };
    for (const html of [
      pages.question(config, `${HOSTILE}@x.ru`, `?token=${HOSTILE}`),
      pages.done(config, `${HOSTILE}@x.ru`),
      pages.badLink(config),
      pages.howTo(config),
      pages.error(config, 404),
      errorPage({ language: "ru", newsletterName: HOSTILE, version: HOSTILE, projectErrors: [] }, 400),
    ]) {
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain('x.ru"><script');
      expect(html).not.toContain("javascript:");
    }
  });
});

describe("one table of page words", () => {
  test("Russian first, English for an unknown language, every error status has words", () => {
    expect(pageStrings("ru").unsubscribeButton).toBe("Отписаться");
    expect(pageStrings("ru-RU").errors[413]).toBe("Запрос слишком большой.");
    expect(pageStrings("de").unsubscribeButton).toBe("Unsubscribe");
    expect(pageStrings("uk").errors[404]).toBe("Такої сторінки немає.");
    expect(errorStatus(418)).toBe(400);
    expect(errorStatus(502)).toBe(500);
    for (const lang of ["ru", "en", "uk"]) {
      for (const status of [400, 403, 404, 405, 413, 500] as const) expect(pageStrings(lang).errors[status]).toMatch(/\S/);
    }
  });
});
