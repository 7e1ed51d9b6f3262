import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { spawnServe } from "../helpers/serve.js";
import { request } from "../server/http.js";

/**
 * `serve` against clients that open connections and never finish them (slowloris): each is closed after
 * its limit, and one client's 300 half-sent requests do not keep a reader's request from being answered,
 * even when the server has only 256 file descriptors (`ulimit -n 256` in the child's shell).
 */
let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
beforeAll(async () => {
  t = await copyExampleNewsletter();
});
afterAll(async () => {
  await t?.remove();
});

const serve = (extra: string[], fdLimit?: number) => spawnServe(t.dir, extra, { RASSYLKA_LANG: "en" }, fdLimit);

/** A socket that wrote `text` and then nothing; resolves with when (ms after the write) the server closed it. */
function halfSent(port: number, text: string): { socket: Socket; closed: Promise<number> } {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  let start = 0;
  socket.on("connect", () => {
    start = Date.now();
    socket.write(text);
  });
  socket.on("data", () => {});
  const closed = new Promise<number>((r) => socket.on("close", () => r(Date.now() - start)));
  return { socket, closed };
}

describe("serve closes what a client leaves unfinished", () => {
  test("headers unfinished after 10 s, a body unfinished after 30 s, an idle keep-alive connection after --keep-alive", async () => {
    const s = await serve(["--keep-alive", "3"]);
    try {
      const headers = halfSent(s.port, "GET / HTTP/1.1\r\nHost: example.org\r\nX-Slow: ");
      const body = halfSent(
        s.port,
        "POST /subscribe HTTP/1.1\r\nHost: example.org\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc",
      );
      const idle = halfSent(s.port, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
      const [h, b, i] = await Promise.all([headers.closed, body.closed, idle.closed]);
      // Node checks the limits once a second: closed after the limit, and not long after it
      expect(h).toBeGreaterThanOrEqual(9_000);
      expect(h).toBeLessThan(20_000);
      expect(b).toBeGreaterThanOrEqual(29_000);
      expect(b).toBeLessThan(45_000);
      expect(i).toBeGreaterThanOrEqual(2_500);
      expect(i).toBeLessThan(9_000);
    } finally {
      await s.stop();
    }
  }, 90_000);

  test("an idle keep-alive connection stays open 60 s by default (it is not closed at Node's 5 s)", async () => {
    const s = await serve([]);
    try {
      const idle = halfSent(s.port, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
      const early = await Promise.race([idle.closed, new Promise<"open">((r) => setTimeout(() => r("open"), 8_000))]);
      expect(early).toBe("open");
      idle.socket.destroy();
    } finally {
      await s.stop();
    }
  }, 60_000);

  test("--keep-alive 0 is refused: it cannot be turned off", async () => {
    const s = serve(["--keep-alive", "0"]);
    await expect(s).rejects.toThrow(/--keep-alive 0 is not a number of seconds above 0[\s\S]*cannot be turned off/);
  });

  test("15 s after one client opened 300 half-sent requests, a reader's request is answered within 2 s, with 256 file descriptors", async () => {
    const s = await serve([], 256);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 300; i++) sockets.push(halfSent(s.port, `GET /${i} HTTP/1.1\r\nHost: example.org\r\n`).socket);
      await new Promise((r) => setTimeout(r, 15_000));
      const start = Date.now();
      const reply = await request(s.base, "/");
      expect(Date.now() - start).toBeLessThan(2_000);
      expect([200, 404]).toContain(reply.status);
      expect(s.output()).not.toMatch(/EMFILE|Error:/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await s.stop();
    }
  }, 90_000);
});
