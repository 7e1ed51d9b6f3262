import { symlink, writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { NewsletterConfig } from "../../src/config/schema.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createUnsubscribeToken } from "../../src/identity/token.js";
import { close, createPublishServer, listen } from "../../src/server/server.js";
import { openState, type StateDb } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import type { SuppressionStore } from "../../src/state/store.js";
import { builtNewsletter } from "../site/fixtures.js";
import { post, raw, request } from "./http.js";

const SECRET = "test-secret-0123456789abcdef";
const SECRET_FILE_TEXT = "TOP-SECRET-NOT-FOR-THE-WEB";

let b: Awaited<ReturnType<typeof builtNewsletter>>;
let config: NewsletterConfig;
let db: StateDb;
let suppressions: SuppressionStore;
let server: FastifyInstance;
let base: string;
const recorded: { email: string; added: boolean }[] = [];

const token = (email: string, id = newsletterId(config), secret = SECRET) => createUnsubscribeToken(email, id, secret);
const PATH = "/rassylka/unsubscribe"; // the path of unsubscribe.url in the example newsletter.yaml

beforeAll(async () => {
  b = await builtNewsletter();
  config = (await loadConfig(b.dir)).config;
  // files next to dist/ that must never be served, and a symlink that points at one of them
  await writeFile(join(b.dir, "secret.txt"), SECRET_FILE_TEXT);
  await symlink(join(b.dir, "secret.txt"), join(b.dist, "link.txt"));
  db = await openState(join(b.dir, "state", "state.sqlite"));
  suppressions = sqliteStore(db).suppressions;
  server = createPublishServer({
    dir: b.dist,
    config,
    secret: SECRET,
    state: sqliteStore(db),
    onUnsubscribe: (email, added) => recorded.push({ email, added }),
  });
  base = await listen(server, 0);
});
afterAll(async () => {
  if (server) await close(server);
  db?.close();
  await b?.remove();
});
beforeEach(() => {
  db.exec("DELETE FROM suppressed");
  recorded.length = 0;
});

describe("one-click unsubscribe (RFC 8058)", () => {
  test("a valid token POSTed with List-Unsubscribe=One-Click is recorded and answered 200, no redirect, no cookie", async () => {
    const r = await post(base, `${PATH}?token=${token("Ivan.Petrov@Example.ru")}`);
    expect(r.status).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(r.headers["set-cookie"]).toBeUndefined();
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.body).toContain("Готово: адрес ivan.petrov@example.ru больше не будет получать рассылку «Как увеличить объёмы продаж».");
    expect(await suppressions.list()).toMatchObject([{ email: "ivan.petrov@example.ru", reason: "unsubscribed", source: "one-click" }]);
  });

  test("repeating a valid request is harmless: 200 again, one row", async () => {
    const path = `${PATH}?token=${token("anna@example.ru")}`;
    expect((await post(base, path)).status).toBe(200);
    expect((await post(base, path)).status).toBe(200);
    expect(await suppressions.count()).toBe(1);
    expect(recorded.map((r) => r.added)).toEqual([true, false]);
  });

  test("also answers on /unsubscribe, with a trailing slash, and to a multipart/form-data body", async () => {
    expect((await post(base, `/unsubscribe?token=${token("a@example.ru")}`)).status).toBe(200);
    expect((await post(base, `${PATH}/?token=${token("b@example.ru")}`)).status).toBe(200);
    const boundary = "----rsk";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const r = await request(base, `${PATH}?token=${token("c@example.ru")}`, {
      method: "POST",
      body,
      headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(r.status).toBe(200);
    expect((await suppressions.list()).map((s) => s.email)).toEqual(["a@example.ru", "b@example.ru", "c@example.ru"]);
  });

  const valid = () => token("victim@example.ru");
  const cases: [string, () => string][] = [
    ["forged (another secret)", () => token("victim@example.ru", newsletterId(config), "another-secret-0123456789")],
    ["altered MAC", () => valid().replace(/.$/, (c) => (c === "A" ? "B" : "A"))],
    [
      // the last character's two unused bits flipped — the same MAC bytes, another spelling
      "MAC's last character to a neighbour with the same bytes",
      () => {
        const t = valid();
        const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return t.slice(0, -1) + abc[abc.indexOf(t.at(-1)!) ^ 1];
      },
    ],
    ["address swapped, MAC kept", () => `${Buffer.from("other@example.ru").toString("base64url")}.${valid().split(".")[1]}`],
    ["another newsletter's token", () => token("victim@example.ru", "drugaya-rassylka.example.org")],
    ["garbage", () => "not-a-token"],
    ["empty", () => ""],
    ["non-canonical base64", () => `${valid().split(".")[0]}=.${valid().split(".")[1]}`],
    ["huge", () => "A".repeat(5000)],
  ];
  for (const [name, make] of cases) {
    test(`${name}: 400 and nothing recorded, for POST and GET`, async () => {
      const path = `${PATH}?token=${encodeURIComponent(make())}`;
      const p = await post(base, path);
      expect(p.status).toBe(400);
      expect(p.body).toContain("Ссылка для отписки повреждена");
      expect(p.body).toContain("mailto:unsubscribe@prodazhi.example.ru");
      expect((await request(base, path)).status).toBe(400);
      expect(await suppressions.count()).toBe(0);
      expect(recorded).toEqual([]);
    });
  }

  test("no token, or two tokens: 400", async () => {
    expect((await post(base, PATH)).status).toBe(400);
    expect((await post(base, `${PATH}?token=${token("a@example.ru")}&token=${token("b@example.ru")}`)).status).toBe(400);
    expect(await suppressions.count()).toBe(0);
  });

  test("a POST without the one-click body is refused and records nothing", async () => {
    for (const body of ["", "List-Unsubscribe=Yes", "one-click"]) {
      expect((await post(base, `${PATH}?token=${token("a@example.ru")}`, body)).status).toBe(400);
    }
    expect(await suppressions.count()).toBe(0);
  });

  test("GET (what mail scanners do) and HEAD change nothing; the page's button POSTs and then unsubscribes, as the page's", async () => {
    const path = `${PATH}?token=${token("reader@example.ru")}`;
    const g = await request(base, path);
    expect(g.status).toBe(200);
    expect((await request(base, path, { method: "HEAD" })).status).toBe(200);
    expect(await suppressions.count()).toBe(0);
    expect(g.headers["set-cookie"]).toBeUndefined();
    expect(g.body).toContain('<html lang="ru">');
    expect(g.body).toContain("Отписать адрес reader@example.ru от рассылки «Как увеличить объёмы продаж»?");
    expect(g.body).toContain(">Отписаться</button>");
    // submit the form the way a browser would: its action resolved against the page, its fields as the body
    const form = /<form method="post" action="([^"]+)" enctype="application\/x-www-form-urlencoded">([\s\S]*?)<\/form>/.exec(g.body);
    expect(form).not.toBeNull();
    const decode = (s: string) =>
      s.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(Number.parseInt(h, 16))).replace(/&amp;/g, "&");
    const action = new URL(decode(form![1]), new URL(path, base));
    const fields = new URLSearchParams(
      [...form![2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]+)">/g)].map((m) => [m[1], m[2]]),
    );
    const p = await post(base, action.pathname + action.search, fields.toString());
    expect(p.status).toBe(200);
    // recorded as the page's unsubscribe, which the report counts apart from the mail client's one-click
    expect(await suppressions.list()).toMatchObject([{ email: "reader@example.ru", reason: "unsubscribed", source: "page" }]);
    // and GET afterwards says it is done, still without a form
    const again = await request(base, path);
    expect(again.body).toContain("Готово");
    expect(again.body).not.toContain("<form");
  });

  test("other methods get 405 with Allow", async () => {
    const r = await request(base, `${PATH}?token=${token("a@example.ru")}`, { method: "PUT", body: "List-Unsubscribe=One-Click" });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("GET, HEAD, POST");
    expect(await suppressions.count()).toBe(0);
  });

  test("200 parallel POSTs (and 50 repeats among them) are all answered 200 and each address is recorded exactly once", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const emails = Array.from({ length: 200 }, (_, i) => `reader${i}@example.ru`);
      const targets = [...emails, ...emails.slice(0, 50)];
      const replies = await Promise.all(targets.map((e) => post(base, `${PATH}?token=${token(e)}`, undefined, agent)));
      expect(replies.map((r) => r.status)).toEqual(targets.map(() => 200));
      expect(await suppressions.count()).toBe(200);
      const rows = db.prepare("SELECT email, count(*) AS n FROM suppressed GROUP BY email").all() as { email: string; n: number }[];
      expect(rows.map((r) => r.email).sort()).toEqual([...emails].sort());
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect(recorded.filter((r) => r.added)).toHaveLength(200);
      expect(recorded.filter((r) => !r.added)).toHaveLength(50);
    } finally {
      agent.destroy();
    }
  });

  test("when the state file cannot be written the answer is 503 with Retry-After, never 200", async () => {
    const s = createPublishServer({ dir: b.dist, config, secret: SECRET, state: sqliteStore(db) });
    const url = await listen(s, 0);
    db.pragma("query_only = ON");
    try {
      const r = await post(url, `${PATH}?token=${token("a@example.ru")}`);
      expect(r.status).toBe(503);
      expect(r.headers["retry-after"]).toBe("60");
    } finally {
      db.pragma("query_only = OFF");
      await close(s);
    }
    expect(await suppressions.count()).toBe(0);
  });

  test("without a secret the endpoint answers 503 and records nothing", async () => {
    const s = createPublishServer({ dir: b.dist, config, state: sqliteStore(db) });
    const url = await listen(s, 0);
    try {
      const r = await post(url, `${PATH}?token=${token("a@example.ru")}`);
      expect(r.status).toBe(503);
      expect(r.headers["retry-after"]).toBeDefined();
      expect(await suppressions.count()).toBe(0);
    } finally {
      await close(s);
    }
  });
});

describe("static files", () => {
  test("the archive at /, issues, the feed and text with their content types and caching headers", async () => {
    const root = await request(base, "/");
    expect(root.status).toBe(200);
    expect(root.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(root.body).toContain("<h2>Все выпуски</h2>");
    expect(root.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(root.headers["last-modified"]).toMatch(/GMT$/);
    expect(root.headers["cache-control"]).toBe("no-cache");
    expect(root.headers["x-content-type-options"]).toBe("nosniff");
    const types: Record<string, string> = {
      "/index.html": "text/html; charset=utf-8",
      "/feed.xml": "application/atom+xml; charset=utf-8",
      "/2026-11-24-ne-pryachtes-za-firmu.txt": "text/plain; charset=utf-8",
      "/2026-11-24-ne-pryachtes-za-firmu": "text/html; charset=utf-8",
    };
    for (const [path, type] of Object.entries(types)) {
      const r = await request(base, path);
      expect(r.status, path).toBe(200);
      expect(r.headers["content-type"], path).toBe(type);
      expect(Number(r.headers["content-length"]), path).toBe(Buffer.byteLength(r.body));
    }
  });

  test("conditional requests get 304, HEAD gets no body, writes get 405", async () => {
    const first = await request(base, "/feed.xml");
    const byEtag = await request(base, "/feed.xml", { headers: { "If-None-Match": first.headers.etag! } });
    expect(byEtag.status).toBe(304);
    expect(byEtag.body).toBe("");
    const byDate = await request(base, "/feed.xml", { headers: { "If-Modified-Since": first.headers["last-modified"]! } });
    expect(byDate.status).toBe(304);
    const stale = await request(base, "/feed.xml", { headers: { "If-None-Match": 'W/"0-0"' } });
    expect(stale.status).toBe(200);
    const head = await request(base, "/feed.xml", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe(first.headers["content-length"]);
    const put = await request(base, "/index.html", { method: "POST", body: "x" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("GET, HEAD");
  });

  test("the build manifest, dot files and missing files are 404", async () => {
    for (const path of ["/manifest.json", "/.rassylka/state.sqlite", "/nope.html", "/nope/"]) {
      expect((await request(base, path)).status, path).toBe(404);
    }
  });

  const attempts = [
    "/../newsletter.yaml",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/x/../../secret.txt",
    "/x/%2e%2e/%2e%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "/secret.txt%00.html",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    `/${"%2e%2e/".repeat(8)}etc/passwd`,
    "/link.txt",
    "/%",
    "http://evil.example/../secret.txt",
    "/./../secret.txt",
  ];
  for (const target of attempts) {
    test(`path traversal ${JSON.stringify(target)} is refused`, async () => {
      const r = await raw(base, target);
      expect([400, 404]).toContain(r.status);
      expect(r.text).not.toContain(SECRET_FILE_TEXT);
      expect(r.text).not.toContain("root:");
      expect(r.text).not.toContain("from:");
    });
  }
});
