import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpServer } from "../../src/server/http.js";
import { run } from "../helpers/cli.js";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { spawnServe } from "../helpers/serve.js";
import { request } from "../server/http.js";

/**
 * `serve` against clients that open connections and never finish them (slowloris): each is closed after
 * its limit, and one client's 300 half-sent requests do not keep a reader's request from being answered,
 * even when the server has only 256 file descriptors (`ulimit -n 256` in the child's shell). The limits'
 * defaults (10 s, 30 s, 60 s) are read where they are set; their working is shown with short ones.
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
  // from the connection (a socket that never connects counts from its creation, not from 1970)
  let start = Date.now();
  socket.on("connect", () => {
    start = Date.now();
    socket.write(text);
  });
  socket.on("data", () => {});
  const closed = new Promise<number>((r) => socket.on("close", () => r(Date.now() - start)));
  return { socket, closed };
}

describe("serve closes what a client leaves unfinished", () => {
  test("headers unfinished after --headers-timeout, a body unfinished after --request-timeout, an idle keep-alive connection after --keep-alive", async () => {
    const s = await serve(["--keep-alive", "1", "--headers-timeout", "1", "--request-timeout", "5"]);
    try {
      const headers = halfSent(s.port, "GET / HTTP/1.1\r\nHost: example.org\r\nX-Slow: ");
      const body = halfSent(
        s.port,
        "POST /subscribe HTTP/1.1\r\nHost: example.org\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc",
      );
      const idle = halfSent(s.port, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
      const [h, b, i] = await Promise.all([headers.closed, body.closed, idle.closed]);
      // Node checks the limits once a second: closed after the limit, and well before the next one
      // (unapplied, the headers would wait for the request's 5 s, the body for the default 30 s, the idle one 60 s)
      expect(i).toBeGreaterThanOrEqual(500);
      expect(i).toBeLessThan(4_500);
      expect(h).toBeGreaterThanOrEqual(500);
      expect(h).toBeLessThan(4_500);
      expect(b).toBeGreaterThanOrEqual(4_500);
      expect(b).toBeLessThan(20_000);
    } finally {
      await s.stop();
    }
  }, 90_000);

  test("by default headers get 10 s, a whole request 30 s, an idle keep-alive connection 60 s (not Node's 5 s)", async () => {
    const help = (await run(["serve", "--help"], { RASSYLKA_LANG: "en" })).out;
    const option = (flag: string) =>
      help
        .split(/\n\s+(?=-)/)
        .find((o) => o.startsWith(flag))
        ?.replace(/\s+/g, " ");
    expect(option("--keep-alive <seconds>")).toMatch(/\(default: "60"\)$/);
    expect(option("--headers-timeout <seconds>")).toMatch(/\(default: "10"\)$/);
    expect(option("--request-timeout <seconds>")).toMatch(/\(default: "30"\)$/);
    // what the HTTP layer gives Node when nothing is said (the preview server's limits too)
    const app = createHttpServer({ bodyLimit: 1024, errorPage: () => "" });
    try {
      expect(app.server.headersTimeout).toBe(10_000);
      expect(app.server.requestTimeout).toBe(30_000);
      expect(app.server.keepAliveTimeout).toBe(60_000);
    } finally {
      await app.close();
    }
  });

  test("--keep-alive 0 is refused: it cannot be turned off", async () => {
    const s = serve(["--keep-alive", "0"]);
    await expect(s).rejects.toThrow(/--keep-alive 0 is not a number of seconds above 0[\s\S]*cannot be turned off/);
  });

  test("a timeout of 0 and headers allowed longer than the whole request are refused (exit 1, nothing served)", async () => {
    const zero = await run(["serve", "--root", t.dir, "--port", "0", "--headers-timeout", "0"], { RASSYLKA_LANG: "en" });
    expect(zero.code).toBe(1);
    expect(zero.err).toMatch(/--headers-timeout 0 is not a number of seconds above 0[\s\S]*--request-timeout 30/);
    const longer = await run(["serve", "--root", t.dir, "--port", "0", "--headers-timeout", "40"], { RASSYLKA_LANG: "en" });
    expect(longer.code).toBe(1);
    expect(longer.err).toMatch(/--headers-timeout 40 is longer than --request-timeout 30/);
    expect(`${zero.out}${longer.out}`).not.toMatch(/at http:/);
  });

  test("once one client's 300 half-sent requests are closed at the headers' limit, a reader's request is answered within 2 s, with 256 file descriptors", async () => {
    const s = await serve(["--headers-timeout", "2"], 256);
    const sockets: ReturnType<typeof halfSent>[] = [];
    try {
      for (let i = 0; i < 300; i++) sockets.push(halfSent(s.port, `GET /${i} HTTP/1.1\r\nHost: example.org\r\n`));
      // the server holds what its descriptors allow and closes them at the headers' limit; what it could not
      // take is dropped at once: wait until all are closed (without the limit they never were)
      const closed = await Promise.all(sockets.map((x) => x.closed));
      expect(closed.filter((ms) => ms >= 1_500).length).toBeGreaterThan(100);
      const start = Date.now();
      const reply = await request(s.base, "/");
      expect(Date.now() - start).toBeLessThan(2_000);
      expect([200, 404]).toContain(reply.status);
      expect(s.output()).not.toMatch(/EMFILE|Error:/);
    } finally {
      for (const x of sockets) x.socket.destroy();
      await s.stop();
    }
  }, 90_000);
});
