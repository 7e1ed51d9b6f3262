import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { NewsletterConfig } from "../../src/config/schema.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createUnsubscribeToken } from "../../src/identity/token.js";
import { close, createPublishServer, listen } from "../../src/server/server.js";
import { build } from "../../src/site/build.js";
import { openState, type StateDb } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import { copyFixture } from "../helpers/newsletter.js";
import { links } from "../site/fixtures.js";
import { post, request } from "./http.js";

/**
 * Nothing in dist/ links to an error page. The web versions and the feed showed
 * «Отписаться» pointing at the bare `unsubscribe.url` (no token), which `serve` answered with 400
 * («Ссылка для отписки повреждена»). Fixture: tests/fixtures/archive-links (archive under
 * https://rassylka-test.ru/archive, the unsubscribe URL under it, nav and issue links to our own pages).
 */
const SECRET = "links-test-secret-0123456789abcdef";

let fixture: Awaited<ReturnType<typeof copyFixture>>;
let config: NewsletterConfig;
let dist: string;
let drafts: string[];
let db: StateDb;
let server: FastifyInstance;
let base: string;

beforeAll(async () => {
  fixture = await copyFixture("archive-links");
  const result = await build({ root: fixture.dir, cache: false });
  if (result.failed.length) throw new Error(result.diagnostics.map((d) => d.message).join("; "));
  drafts = result.drafts.map((d) => d.entry.html);
  config = (await loadConfig(fixture.dir)).config;
  dist = join(fixture.dir, "dist");
  db = await openState(join(fixture.dir, "state.sqlite"));
  server = createPublishServer({ dir: dist, config, secret: SECRET, state: sqliteStore(db) });
  base = await listen(server, 0);
}, 120_000);
afterAll(async () => {
  if (server) await close(server);
  db?.close();
  await fixture?.remove();
});

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* files(join(dir, e.name));
    else yield join(dir, e.name);
  }
}

/** The XML in the feed's `<content type="html">` is escaped HTML: its links count too. */
function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * Every same-origin link (href, src) of every published HTML and XML file in dist/, as the path `serve`
 * gets it: the archive is published at config `url`, and a reverse proxy maps that path to serve's `/`.
 */
async function sameOriginLinks(): Promise<Map<string, string[]>> {
  const archive = new URL(config.url!.replace(/\/?$/, "/"));
  const found = new Map<string, string[]>();
  for await (const file of files(dist)) {
    if (!/\.(html|xml)$/.test(file)) continue;
    const rel = relative(dist, file).split("\\").join("/");
    const page = new URL(rel, archive);
    const text = await readFile(file, "utf8");
    for (const href of [...links(text), ...links(decodeXml(text))]) {
      const url = new URL(href, page);
      if (url.origin !== archive.origin) continue;
      // a same-origin link outside the archive's path would not reach serve at all: that is a failure too
      expect(url.pathname.startsWith(archive.pathname), `${rel}: ${href} is on our host but outside ${archive.href}`).toBe(true);
      const path = `/${url.pathname.slice(archive.pathname.length)}${url.search}`;
      found.set(path, [...(found.get(path) ?? []), rel]);
    }
  }
  return found;
}

describe("every link in dist/ to our own server answers 200", () => {
  test("every same-origin href/src of every HTML and XML file, the bare unsubscribe URL included", async () => {
    const found = await sameOriginLinks();
    // the fixture's links that once failed, and the ones around them, are among them
    expect([...found.keys()]).toEqual(expect.arrayContaining(["/otpiska", "/", "/index.html", "/feed.xml", "/2026-01-01-vypusk-1.html"]));
    expect(found.get("/otpiska")).toEqual(expect.arrayContaining(["feed.xml", "2026-01-01-vypusk-1.html"]));
    // a draft is not published: not written, nothing links to it, and serve does not answer it
    expect(drafts.length).toBeGreaterThan(0);
    for (const draft of drafts) {
      expect(existsSync(join(dist, draft)), draft).toBe(false);
      expect(found.has(`/${draft}`), draft).toBe(false);
      expect((await request(base, `/${draft}`)).status, draft).toBe(404);
    }
    for (const [path, from] of found) {
      const r = await request(base, path);
      expect(r.status, `${path} (linked from ${from.join(", ")})`).toBe(200);
      expect(r.headers.location, path).toBeUndefined();
    }
  });

  test("the bare unsubscribe URL explains how to unsubscribe, in the newsletter's language, and its own links work", async () => {
    for (const path of ["/otpiska", "/archive/otpiska", "/unsubscribe", "/otpiska/"]) {
      const r = await request(base, path);
      expect(r.status, path).toBe(200);
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.body).toContain('<html lang="ru">');
      expect(r.body).toContain("Чтобы отписаться от рассылки «Проверка ссылок», откройте любое её письмо");
      expect(r.body).toContain('href="mailto:otpiska@rassylka-test.ru"');
      expect(r.body).not.toContain("<form");
      expect(r.body).not.toContain("повреждена");
    }
    const page = await request(base, "/otpiska");
    expect(links(page.body)).toEqual(["mailto:otpiska@rassylka-test.ru", "https://rassylka-test.ru/archive"]);
    expect((await request(base, "/")).status).toBe(200);
  });

  test("a bad or forged token still answers 400 and records nothing; a POST without a token too", async () => {
    const id = newsletterId(config);
    const forged = createUnsubscribeToken("reader@example.ru", id, "another-secret-0123456789abcdef");
    for (const path of [`/otpiska?token=${forged}`, "/otpiska?token=", "/otpiska?token=garbage"]) {
      expect((await request(base, path)).status, path).toBe(400);
      expect((await post(base, path)).status, path).toBe(400);
    }
    expect((await post(base, "/otpiska")).status).toBe(400);
    expect(await sqliteStore(db).suppressions.count()).toBe(0);
    // and a real one still works from the path the proxy hands over
    expect((await post(base, `/otpiska?token=${createUnsubscribeToken("reader@example.ru", id, SECRET)}`)).status).toBe(200);
    expect(await sqliteStore(db).suppressions.has("reader@example.ru")).toBe(true);
  });
});
