import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { type PreviewServer, startPreview } from "../../src/preview/server.js";
import { copyFixture } from "../helpers/newsletter.js";
import { raw } from "../server/http.js";

/**
 * A malformed percent-escape in the key (`/issue/%E0%A4%A`) was
 * answered 500 (a URIError out of decodeURIComponent). Bad requests are 4xx, in the preview's own page.
 * Fixture: tests/fixtures/bad-requests.
 */
const KEY = "2026-06-01-vypusk";

let fixture: Awaited<ReturnType<typeof copyFixture>>;
let server: PreviewServer;

// the preview is the editors' tool: its panel and error pages speak the editor's language, here Russian
beforeAll(async () => {
  setLanguage("ru");
  fixture = await copyFixture("bad-requests");
  server = await startPreview({ root: fixture.dir, port: 0, debounceMs: 40 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await fixture?.remove();
});

const utf8 = (latin1: string) => Buffer.from(latin1, "latin1").toString("utf8");

describe("the preview answers bad requests with 4xx", () => {
  for (const target of ["/issue/%E0%A4%A", "/issue/%E0%A4%A/email.html", "/issue/%E0%A4%A/email.txt", "/issue/%", "/%E0%A4%A"]) {
    test(`${target}: 400, a page in the editor's language`, async () => {
      const r = await raw(server.url, target);
      expect(r.status).toBe(400);
      expect(r.text).toMatch(/content-type: text\/html; charset=utf-8/i);
      expect(utf8(r.text)).toContain("Запрос повреждён");
      expect(utf8(r.text)).toContain('<html lang="ru">');
    });
  }

  test("the same issue with a well-formed key still answers, and an unknown one is 404", async () => {
    expect((await raw(server.url, `/issue/${KEY}`)).status).toBe(200);
    expect((await raw(server.url, `/issue/${encodeURIComponent(KEY)}/email.txt`)).status).toBe(200);
    expect((await raw(server.url, "/issue/%D0%BD%D0%B5%D1%82")).status).toBe(404);
    expect((await raw(server.url, "/nowhere")).status).toBe(404);
  });
});
