import { connect } from "node:net";
import { join } from "node:path";
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
import { post, raw } from "./http.js";

/**
 * A one-click POST whose body is over the limit (16 KB) reset the connection
 * instead of answering 413. Here a real socket writes a big body the way a client does — headers, then
 * the whole body without waiting — and must read a complete 413 answer, with nothing recorded.
 * Fixture: tests/fixtures/bad-requests.
 */
const SECRET = "bad-requests-secret-0123456789abcdef";

let fixture: Awaited<ReturnType<typeof copyFixture>>;
let config: NewsletterConfig;
let db: StateDb;
let server: FastifyInstance;
let base: string;

beforeAll(async () => {
  fixture = await copyFixture("bad-requests");
  const result = await build({ root: fixture.dir, cache: false });
  if (result.failed.length) throw new Error(result.diagnostics.map((d) => d.message).join("; "));
  config = (await loadConfig(fixture.dir)).config;
  db = await openState(join(fixture.dir, "state.sqlite"));
  server = createPublishServer({ dir: join(fixture.dir, "dist"), config, secret: SECRET, state: sqliteStore(db) });
  base = await listen(server, 0);
}, 120_000);
afterAll(async () => {
  if (server) await close(server);
  db?.close();
  await fixture?.remove();
});

/** Writes the request on a raw socket and reads until the server closes: the answer, or how it failed. */
function rawPost(path: string, body: Buffer, chunked: boolean): Promise<{ answer: string; error?: string }> {
  const u = new URL(base);
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${body.length}\r\n\r\n`),
      );
      socket.write(chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")]) : body);
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e) => done({ answer: Buffer.concat(chunks).toString("utf8"), error: e.message }));
    socket.on("close", () => done({ answer: Buffer.concat(chunks).toString("utf8") }));
  });
}

describe("a one-click body over the limit is answered 413, not a reset", () => {
  const sizes: [string, number, boolean][] = [
    ["just over 16 KB", 16 * 1024 + 1, false],
    ["1 MB", 1024 * 1024, false],
    ["8 MB", 8 * 1024 * 1024, false],
    ["1 MB chunked (no Content-Length)", 1024 * 1024, true],
  ];
  for (const [name, size, chunked] of sizes) {
    test(name, async () => {
      const token = createUnsubscribeToken("big@example.ru", newsletterId(config), SECRET);
      const body = Buffer.from(`List-Unsubscribe=One-Click&pad=${"x".repeat(size)}`);
      const r = await rawPost(`/unsubscribe?token=${token}`, body, chunked);
      expect(r.error).toBeUndefined();
      expect(r.answer).toMatch(/^HTTP\/1\.1 413 /);
      const [head, page] = r.answer.split("\r\n\r\n");
      expect(head.toLowerCase()).toContain("content-type: text/html; charset=utf-8");
      expect(Number(/content-length: (\d+)/i.exec(head)?.[1])).toBe(Buffer.byteLength(page));
      expect(page).toContain("Запрос слишком большой.");
      expect(await sqliteStore(db).suppressions.count()).toBe(0);
    }, 60_000);
  }

  test("a body at the limit is read, and the server keeps answering after the refusals", async () => {
    const token = createUnsubscribeToken("fits@example.ru", newsletterId(config), SECRET);
    const body = `List-Unsubscribe=One-Click&pad=${"x".repeat(16 * 1024 - 31)}`;
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    expect((await post(base, `/unsubscribe?token=${token}`, body)).status).toBe(200);
    expect(await sqliteStore(db).suppressions.has("fits@example.ru")).toBe(true);
    expect((await raw(base, "/")).status).toBe(200);
  });

  test("a malformed percent-escape in a path is a 400 page, not a 500", async () => {
    for (const target of ["/%E0%A4%A", "/unsubscribe%", "/%E0%A4%A.html"]) {
      const r = await raw(base, target);
      expect(r.status, target).toBe(400);
      expect(Buffer.from(r.text, "latin1").toString("utf8"), target).toContain("Запрос повреждён");
    }
  });
});
