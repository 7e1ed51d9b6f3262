import { existsSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DomUtils, parseDocument } from "htmlparser2";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { type ArchiveEntry, injectWebNav, renderArchive, renderWebNav, stripWebNav } from "../../src/site/archive.js";
import { build } from "../../src/site/build.js";
import { safeUrl } from "../../src/site/html.js";
import { publishSite } from "../../src/site/site.js";
import { config, writeFiles } from "../helpers/newsletter.js";
import { builtNewsletter, DRAFT_SLUG, HOSTILE_PREHEADER, HOSTILE_SLUG, HOSTILE_TITLE, links, navOf } from "./fixtures.js";

const NEWEST = "2026-11-24-ne-pryachtes-za-firmu";
const OLDEST = "2026-11-10-tekushchaya-debitorka";

describe("archive in a build", () => {
  let b: Awaited<ReturnType<typeof builtNewsletter>>;
  let index: string;
  beforeAll(async () => {
    b = await builtNewsletter();
    index = await b.read("index.html");
  });
  afterAll(() => b?.remove());

  test("lists every published issue newest first, with the date in the newsletter's language, title, preheader", () => {
    const order = [...index.matchAll(/<li class="issue">[\s\S]*?href="([^"]+)\.html"/g)].map((m) => m[1]);
    expect(order).toEqual([NEWEST, HOSTILE_SLUG, OLDEST]);
    expect(index).toContain('<time datetime="2026-11-24">24 ноября 2026 г.</time>');
    expect(index).toContain("Не прячьтесь за «фирму»");
    expect(index).toContain("Как спросить о претензиях до того, как клиент вспомнит о них в день оплаты.");
  });

  test("shows the newsletter's name, navigation from config and the feed; readable on a phone", () => {
    expect(index).toContain("<h1>Как увеличить объёмы продаж</h1>");
    expect(index).toContain('<a href="https://prodazhi.example.ru/treningi">Тренинги</a>');
    expect(index).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(index).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(index).toContain('<html lang="ru">');
  });

  test("drafts are not written, not listed and not linked from any page", async () => {
    for (const ext of [".html", ".txt"]) expect(existsSync(join(b.dist, `${DRAFT_SLUG}${ext}`))).toBe(false);
    expect(b.result.drafts.map((d) => d.entry.slug)).toEqual([DRAFT_SLUG]);
    expect(b.result.built.map((d) => d.entry.slug)).not.toContain(DRAFT_SLUG);
    expect(await b.read("manifest.json")).not.toContain(DRAFT_SLUG);
    const pages = [index, ...(await Promise.all([NEWEST, HOSTILE_SLUG, OLDEST].map((s) => b.read(`${s}.html`))))];
    for (const p of pages) expect(links(p).some((l) => l.includes(DRAFT_SLUG))).toBe(false);
    expect(index).not.toContain("Черновик декабря");
  });

  test("every relative link of the archive and of the web versions' nav bars resolves to a file in dist", async () => {
    const checked: string[] = [];
    const check = (from: string, href: string) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#")) return;
      const file = join(b.dist, decodeURIComponent(href.split(/[?#]/)[0]));
      expect(existsSync(file), `${from} links to ${href}`).toBe(true);
      checked.push(href);
    };
    for (const l of links(index)) check("index.html", l);
    for (const slug of [NEWEST, HOSTILE_SLUG, OLDEST]) {
      for (const l of links(navOf(await b.read(`${slug}.html`)))) check(`${slug}.html`, l);
    }
    expect(checked).toContain(`${NEWEST}.html`);
    expect(checked).toContain("feed.xml");
    expect(checked.filter((h) => h === "index.html")).toHaveLength(3);
  });

  test("web versions link back to the archive and to the previous and next published issue", async () => {
    const rel = async (slug: string) =>
      Object.fromEntries([...navOf(await b.read(`${slug}.html`)).matchAll(/href="([^"]+)" rel="(\w+)"/g)].map((m) => [m[2], m[1]]));
    expect(await rel(NEWEST)).toEqual({ index: "index.html", prev: `${HOSTILE_SLUG}.html` });
    expect(await rel(HOSTILE_SLUG)).toEqual({ index: "index.html", prev: `${OLDEST}.html`, next: `${NEWEST}.html` });
    expect(await rel(OLDEST)).toEqual({ index: "index.html", next: `${HOSTILE_SLUG}.html` });
  });

  test("the nav bar stands right after <body> and exactly once", async () => {
    const page = await b.read(`${NEWEST}.html`);
    expect(page).toMatch(/<body[^>]*><!--rassylka:web-nav--><nav /);
    expect(page.split("<!--rassylka:web-nav-->")).toHaveLength(2);
  });

  test("hostile titles and preheaders stay text, in the archive and in the neighbours' nav bars", async () => {
    expect(index).not.toContain("<script>");
    expect(index).not.toMatch(/<img/);
    expect(index).not.toContain("\u0001");
    expect(index).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; &lt;/title&gt;&lt;x a");
    // read as a browser reads them (the entities' spelling is the template's: &#x27; for ', &#x3D; for =),
    // the title and the preheader are exactly the text written, minus the control character
    const title = HOSTILE_TITLE.replace("\u0001", "");
    const archive = parseDocument(index, { decodeEntities: true });
    const issue = DomUtils.findAll((e) => e.name === "li" && e.attribs.class === "issue", archive.children).find((li) =>
      DomUtils.findOne((a) => a.name === "a" && a.attribs.href === `${HOSTILE_SLUG}.html`, li.children),
    );
    expect(issue).toBeDefined();
    expect(DomUtils.textContent(DomUtils.getElementsByTagName("h3", issue!)[0])).toBe(title);
    expect(DomUtils.textContent(DomUtils.getElementsByTagName("p", issue!)[0])).toBe(HOSTILE_PREHEADER);
    // the one script is the search box's own (src/search), no title's or preheader's
    const ours = (e: { attribs: Record<string, string> }) => e.attribs.src === "search.js" && e.attribs.type === "module";
    for (const tag of ["script", "img", "x", "title"])
      expect(DomUtils.getElementsByTagName(tag, archive).filter((e) => !ours(e)).length, tag).toBe(tag === "title" ? 1 : 0);
    const nav = navOf(await b.read(`${NEWEST}.html`));
    expect(nav).not.toContain("<script>");
    expect(nav).not.toContain("\u0001");
    const prev = DomUtils.findOne((e) => e.name === "a" && e.attribs.rel === "prev", parseDocument(nav, { decodeEntities: true }).children);
    expect(prev && DomUtils.textContent(prev)).toBe(`‹ ${title}`);
    expect(prev?.attribs.href).toBe(`${HOSTILE_SLUG}.html`);
  });
});

describe("archive of a partial build", () => {
  test("building one issue keeps every issue in the archive and fixes its neighbours' links", async () => {
    const b = await builtNewsletter();
    try {
      // a new issue, built alone: the archive still lists the others, the former newest now has a "next"
      await writeFiles(b.dir, { "issues/2026-12-08-novyi.md": "---\ntitle: Новый выпуск\ndate: 2026-12-08\n---\nТекст.\n" });
      const r = await build({ root: b.dir, files: ["issues/2026-12-08-novyi.md"], cache: false });
      expect(r.built.map((x) => x.entry.slug)).toEqual(["2026-12-08-novyi"]);
      const index = await b.read("index.html");
      const order = [...index.matchAll(/<li class="issue">[\s\S]*?href="([^"]+)\.html"/g)].map((m) => m[1]);
      expect(order).toEqual(["2026-12-08-novyi", NEWEST, HOSTILE_SLUG, OLDEST]);
      expect(navOf(await b.read(`${NEWEST}.html`))).toContain('href="2026-12-08-novyi.html" rel="next"');
      expect(navOf(await b.read("2026-12-08-novyi.html"))).toContain(`href="${NEWEST}.html" rel="prev"`);
      // and the rebuilt page carries one nav bar, not two
      expect((await b.read(`${NEWEST}.html`)).split("<!--rassylka:web-nav-->")).toHaveLength(2);
      const feed = await b.read("feed.xml");
      expect(feed).toContain("Новый выпуск");
      expect(feed).toContain("Не прячьтесь за «фирму»");
    } finally {
      await b.remove();
    }
  });
});

describe("archive rendering", () => {
  const entries: ArchiveEntry[] = [
    { slug: "b", title: "Второй", preheader: "", date: "2026-02-01", draft: false },
    { slug: "a", title: "Первый", preheader: "p", date: "2026-01-01", draft: false },
    { slug: "d", title: "Черновик", preheader: "", date: "2026-03-01", draft: true },
  ];

  test("dates follow the newsletter's language; unknown languages fall back to English words", () => {
    const en = renderArchive(entries, { ...config(), language: "en" });
    expect(en).toContain("February 1, 2026");
    expect(en).toContain("All issues");
    const de = renderArchive(entries, { ...config(), language: "de" });
    expect(de).toContain("1. Februar 2026");
    expect(de).toContain('<html lang="de">');
  });

  test("an archive without published issues says so", () => {
    const html = renderArchive([entries[2]], config());
    expect(html).toContain("Выпусков пока нет.");
    expect(html).not.toContain("Черновик");
  });

  test("config navigation is escaped and script URLs never become links", () => {
    const html = renderArchive(entries, {
      ...config(),
      nav: [
        { title: "<b>x</b>", url: 'https://e.example/?a=1&b="2"' },
        { title: "bad", url: " JaVa\tScript:alert(1)" },
      ],
    });
    // the attribute and the text decoded as a browser does: the URL and the title exactly as configured, as text
    const links = DomUtils.getElementsByTagName("a", parseDocument(html, { decodeEntities: true }));
    const x = links.find((a) => a.attribs.href?.startsWith("https://e.example/"));
    expect(x?.attribs.href).toBe('https://e.example/?a=1&b="2"');
    expect(x && DomUtils.textContent(x)).toBe("<b>x</b>");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;</a>");
    expect(html).not.toContain("<b>x</b>");
    expect(html).not.toContain('b="2"');
    expect(html).toContain("<li>bad</li>");
    expect(html.toLowerCase()).not.toContain("script:");
    expect(safeUrl("data:text/html,x")).toBeUndefined();
    expect(safeUrl("mailto:a@b.example")).toBe("mailto:a@b.example");
    expect(safeUrl("issue.html")).toBe("issue.html");
  });

  test("injecting the nav bar twice leaves one, and stripping gives the page back", () => {
    const page = '<html><body style="x">content</body></html>';
    const nav = renderWebNav(entries, "a", config());
    const once = injectWebNav(page, nav);
    expect(injectWebNav(once, nav)).toBe(once);
    expect(stripWebNav(once)).toBe(page);
    expect(once).toContain('<body style="x"><!--rassylka:web-nav-->');
    expect(nav).toContain('href="b.html" rel="next"');
    expect(nav).not.toContain('rel="prev"');
    expect(nav).not.toContain("d.html");
  });

  test("a page of a slug the manifest does not know gets only the way back", () => {
    const nav = renderWebNav(entries, "zzz", config());
    expect(nav).toContain('href="index.html"');
    expect(nav).not.toMatch(/rel="(prev|next)"/);
  });
});

test("publishing again changes no page, and a page missing from dist does not stop it", async () => {
  const b = await builtNewsletter();
  try {
    await rm(join(b.dist, `${OLDEST}.html`));
    const before = (await stat(join(b.dist, "index.html"))).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const r = await publishSite(b.dist, (await loadConfig(b.dir)).config);
    expect((await stat(join(b.dist, "index.html"))).mtimeMs).toBe(before); // unchanged: not rewritten, ETag stays
    expect(r.pages).toEqual([]); // nothing to change on the pages that exist
    expect(await b.read("feed.xml")).toContain("Текущая дебиторка"); // still listed, without content
  } finally {
    await b.remove();
  }
});
