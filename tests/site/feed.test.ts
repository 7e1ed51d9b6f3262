import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FeedEntry, feedContent, renderFeed, uuidV5 } from "../../src/site/feed.js";
import { config } from "../helpers/newsletter.js";
import { builtNewsletter, DRAFT_SLUG, HOSTILE_PREHEADER, HOSTILE_SLUG, HOSTILE_TITLE } from "./fixtures.js";

type Node = Record<string, unknown>;

/** Parse as XML (well-formedness first), with every element a list and attributes kept. */
function parseAtom(xml: string): Node {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name !== "?xml",
    parseTagValue: false,
    trimValues: false,
    processEntities: { enabled: true, maxTotalExpansions: 10_000_000, maxExpandedLength: 100_000_000 },
  });
  return parser.parse(xml) as Node;
}

const text = (n: unknown): string => {
  const v = Array.isArray(n) ? n[0] : n;
  return typeof v === "string" ? v : String((v as Node)?.["#text"] ?? "");
};
const list = (n: Node, key: string): Node[] => (n[key] as Node[] | undefined) ?? [];

/** RFC 4287 §4.1.1–4.1.2 and §3.3: what a feed and each entry must carry. */
function checkRfc4287(feed: Node) {
  const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  expect(feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
  for (const key of ["id", "title", "updated"]) expect(list(feed, key), `feed ${key}`).toHaveLength(1);
  expect(text(feed.updated)).toMatch(RFC3339);
  const entries = list(feed, "entry");
  // atom:author is required on the feed unless every entry has one
  if (!entries.every((e) => list(e, "author").length)) expect(text(list(list(feed, "author")[0] ?? {}, "name"))).not.toBe("");
  for (const e of entries) {
    for (const key of ["id", "title", "updated"]) expect(list(e, key), `entry ${key}`).toHaveLength(1);
    expect(text(e.updated)).toMatch(RFC3339);
    expect(() => new URL(text(e.id))).not.toThrow(); // an IRI
    const alternate = list(e, "link").filter((l) => (l["@rel"] ?? "alternate") === "alternate");
    expect(alternate.length).toBeGreaterThanOrEqual(1);
  }
  const ids = entries.map((e) => text(e.id));
  expect(new Set(ids).size).toBe(ids.length);
}

describe("feed.xml of a build", () => {
  let b: Awaited<ReturnType<typeof builtNewsletter>>;
  let xml: string;
  let feed: Node;
  beforeAll(async () => {
    b = await builtNewsletter();
    xml = await b.read("feed.xml");
    feed = list(parseAtom(xml), "feed")[0];
  });
  afterAll(() => b?.remove());

  test("is well-formed Atom with every element RFC 4287 requires", () => {
    checkRfc4287(feed);
    expect(text(feed.title)).toBe("Как увеличить объёмы продаж");
    expect(text(feed.id)).toBe("https://prodazhi.example.ru/rassylka/");
    expect(list(feed, "link").find((l) => l["@rel"] === "self")?.["@href"]).toBe("https://prodazhi.example.ru/rassylka/feed.xml");
  });

  test("lists published issues newest first, ids and links from url + slug, updated from the date, drafts left out", () => {
    const entries = list(feed, "entry");
    expect(entries.map((e) => text(e.id))).toEqual([
      "https://prodazhi.example.ru/rassylka/2026-11-24-ne-pryachtes-za-firmu.html",
      `https://prodazhi.example.ru/rassylka/${HOSTILE_SLUG}.html`,
      "https://prodazhi.example.ru/rassylka/2026-11-10-tekushchaya-debitorka.html",
    ]);
    expect(list(entries[0], "link")[0]["@href"]).toBe("https://prodazhi.example.ru/rassylka/2026-11-24-ne-pryachtes-za-firmu.html");
    expect(text(entries[0].updated)).toBe("2026-11-24T00:00:00Z");
    expect(text(feed.updated)).toBe("2026-11-24T00:00:00Z");
    expect(xml).not.toContain(DRAFT_SLUG);
  });

  test("carries each issue's full HTML, without the web nav bar or the hidden preheader", () => {
    const entry = list(feed, "entry")[0];
    const content = list(entry, "content")[0];
    expect(content["@type"]).toBe("html");
    const html = text(content);
    expect(html).toContain("Ловушка первая: претензии");
    expect(html).toContain("Анна Викторовна");
    expect(html).not.toContain("rassylka:web-nav");
    expect(html).not.toContain("display:none");
    expect(text(entry.summary)).toBe("Как спросить о претензиях до того, как клиент вспомнит о них в день оплаты.");
  });

  test("hostile titles and preheaders come back as the same text after parsing (minus what XML cannot carry)", () => {
    const entry = list(feed, "entry").find((e) => text(e.id).includes(HOSTILE_SLUG))!;
    expect(text(entry.title)).toBe(HOSTILE_TITLE.replace("\u0001", ""));
    expect(text(entry.summary)).toBe(HOSTILE_PREHEADER);
    expect(text(list(entry, "content")[0])).not.toContain("<script>alert");
  });

  test("ids are stable: a second build gives the same feed", async () => {
    const { build } = await import("../../src/site/build.js");
    await build({ root: b.dir, cache: false });
    expect(await b.read("feed.xml")).toBe(xml);
  });
});

describe("feed rendering", () => {
  const issue = (i: number, extra: Partial<FeedEntry> = {}): FeedEntry => ({
    slug: `issue-${String(i).padStart(2, "0")}`,
    title: `Выпуск ${i}`,
    preheader: "",
    date: `2026-01-${String(i).padStart(2, "0")}`,
    draft: false,
    html: `<html><body><p>Текст ${i}</p></body></html>`,
    ...extra,
  });

  test("keeps the newest 20 of more", () => {
    const xml = renderFeed(
      Array.from({ length: 25 }, (_, i) => issue(i + 1)),
      config(),
    );
    const entries = list(list(parseAtom(xml), "feed")[0], "entry");
    expect(entries).toHaveLength(20);
    expect(text(entries[0].title)).toBe("Выпуск 25");
    expect(text(entries[19].title)).toBe("Выпуск 6");
  });

  test("without config url: urn:uuid ids, stable and distinct per newsletter and slug; relative links", () => {
    const cfg = config(); // the helper's config has no url
    const xml = renderFeed([issue(1), issue(2)], cfg);
    const feed = list(parseAtom(xml), "feed")[0];
    checkRfc4287(feed);
    const ids = list(feed, "entry").map((e) => text(e.id));
    for (const id of [...ids, text(feed.id)])
      expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(renderFeed([issue(1), issue(2)], cfg)).toBe(xml);
    const other = renderFeed([issue(1)], { ...cfg, from: { ...cfg.from, email: "news@other.example" } });
    expect(other).not.toContain(ids[1]);
    expect(list(list(feed, "entry")[0], "link")[0]["@href"]).toBe("issue-02.html");
    expect(xml).not.toContain("xml:base");
  });

  test("v5 UUIDs match published vectors (RFC 9562 Appendix A.4, Python's uuid docs)", () => {
    const DNS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    expect(uuidV5("www.example.com", DNS)).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(uuidV5("python.org", DNS)).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
  });

  test("an empty archive still gives a valid feed", () => {
    const xml = renderFeed([issue(1, { draft: true })], config(), { now: new Date("2026-05-05T10:00:00Z") });
    const feed = list(parseAtom(xml), "feed")[0];
    checkRfc4287(feed);
    expect(list(feed, "entry")).toHaveLength(0);
    expect(text(feed.updated)).toBe("2026-05-05T10:00:00.000Z");
  });

  test("text from config is escaped too", () => {
    const xml = renderFeed([issue(1)], { ...config(), name: "A & B <c> ]]>", description: "\u0007d\uFFFE" });
    const feed = list(parseAtom(xml), "feed")[0];
    expect(text(feed.title)).toBe("A & B <c> ]]>");
    expect(text(feed.subtitle)).toBe("d");
  });

  test("feed content is the page's body without comments", () => {
    expect(feedContent('<html><head><style>x</style></head><body a="1"><!--[if mso]><table><![endif]--><p>x</p></body></html>')).toBe(
      "<p>x</p>",
    );
  });
});
