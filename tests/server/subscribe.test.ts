import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { NewsletterConfig } from "../../src/config/schema.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createUnsubscribeToken } from "../../src/identity/token.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { close, createPublishServer, listen } from "../../src/server/server.js";
import { build } from "../../src/site/build.js";
import { injectSubscribeForm, subscribeFormHtml } from "../../src/site/subscribe-form.js";
import { openStore, type Store } from "../../src/state/store.js";
import { consentTextHash, type SubscribeLog } from "../../src/subscribe/subscribe.js";
import { parse, type Sink, startSmtp } from "../send/helpers.js";
import { builtNewsletter, CONSENT, subscribeYaml } from "../site/fixtures.js";
import { backends } from "../state/backends.js";
import { post, request } from "./http.js";

const SECRET = "subscribe-http-secret-0123456789";

let b: Awaited<ReturnType<typeof builtNewsletter>>;
let config: NewsletterConfig;
let sink: Sink;
beforeAll(async () => {
  b = await builtNewsletter({ "newsletter.yaml": await subscribeYaml() });
  config = (await loadConfig(b.dir)).config;
  sink = await startSmtp();
}, 120_000);
afterAll(async () => {
  await sink?.close();
  await b?.remove();
});

const form = (over: Record<string, string> = {}) =>
  new URLSearchParams({
    email: "reader@example.ru",
    name: "Читатель",
    consent: "yes",
    website: "",
    consent_hash: consentTextHash(CONSENT),
    page: "https://prodazhi.example.ru/rassylka/",
    ...over,
  }).toString();

/**
 * Confirmations go out after the answer (src/subscribe/queue.ts): wait until the sink holds `count` and
 * every queued email's outcome was logged.
 */
async function mails(count: number, events: SubscribeLog[]): Promise<void> {
  const open = () =>
    events.filter((e) => e.result === "queued").length >
    events.filter((e) => e.result === "sent" || e.result === "mail-failed" || e.result === "already-confirmed").length;
  for (let i = 0; i < 600 && (sink.received.length < count || open()); i++) await new Promise((r) => setTimeout(r, 50));
}
/** The request logs (what was answered), without the later outcomes of queued work. */
const answered = (events: SubscribeLog[]) => events.filter((e) => e.result !== "sent" && e.result !== "already-confirmed");

const tokenIn = (text: string) => /[?&]token=([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? "";

describe("the built pages", () => {
  test("the archive and every web version carry one form: address, optional name, a required unticked consent, a hidden honeypot, a stamp", async () => {
    const slug = "2026-11-10-tekushchaya-debitorka";
    for (const html of [await b.read("index.html"), await b.read(`${slug}.html`)]) {
      expect(html.match(/class="rassylka-subscribe-form"/g)).toHaveLength(1);
      expect(html).toContain('<input type="email" name="email" required');
      expect(html).toMatch(/<input type="text" name="name" maxlength="100"/);
      expect(html).toContain('<input type="checkbox" name="consent" value="yes" required>');
      expect(html).not.toMatch(/name="consent"[^>]*checked/);
      expect(html).toContain("Я соглашаюсь получать рассылку «Как увеличить объёмы продаж»");
      expect(html).toMatch(
        /aria-hidden="true" style="position:absolute;left:-10000px[^"]*"><label>[^<]*<input type="text" name="website" value="" tabindex="-1"/,
      );
      expect(html).toContain('data-rassylka-stamp="subscribe/stamp"');
      expect(html).toContain(`name="consent_hash" value="${consentTextHash(CONSENT)}"`);
      expect(html).toContain('action="subscribe"');
    }
    // the email itself has no form
    const eml = await readFile(join(b.dist, `${slug}.txt`), "utf8");
    expect(eml).not.toContain(CONSENT);
    // building again does not add a second form
    await build({ root: b.dir, cache: false });
    expect((await b.read(`${slug}.html`)).match(/class="rassylka-subscribe-form"/g)).toHaveLength(1);
  }, 120_000);
});

describe("the form in a custom layout", () => {
  test("between the markers the layout places, in the web version only; the email keeps the empty markers", async () => {
    const layout = (await readFile(join(b.dir, "templates/layouts/default.mjml.hbs"), "utf8")).replace(
      "  </mj-body>",
      '    <mj-raw><div class="my-sidebar"><!--rassylka:subscribe--><!--/rassylka:subscribe--></div></mj-raw>\n  </mj-body>',
    );
    const custom = await builtNewsletter({ "newsletter.yaml": await subscribeYaml(), "templates/layouts/default.mjml.hbs": layout });
    try {
      const html = await custom.read("2026-11-10-tekushchaya-debitorka.html");
      expect(html.match(/class="rassylka-subscribe-form"/g)).toHaveLength(1);
      expect(html).toMatch(
        /<div class="my-sidebar"><!--rassylka:subscribe--><section class="rassylka-subscribe"[\s\S]*<\/section><!--\/rassylka:subscribe--><\/div>/,
      );
      await build({ root: custom.dir, cache: false });
      expect((await custom.read("2026-11-10-tekushchaya-debitorka.html")).match(/class="rassylka-subscribe-form"/g)).toHaveLength(1);
    } finally {
      await custom.remove();
    }
  }, 120_000);

  test("injectSubscribeForm: before </body>, or between the markers; again replaces; an empty form removes", () => {
    const form = "<section>F</section>";
    const once = injectSubscribeForm("<html><body><p>x</p></body></html>", form);
    expect(once).toBe("<html><body><p>x</p><!--rassylka:subscribe--><section>F</section><!--/rassylka:subscribe--></body></html>");
    expect(injectSubscribeForm(once, form)).toBe(once);
    expect(injectSubscribeForm(once, "")).toBe("<html><body><p>x</p><!--rassylka:subscribe--><!--/rassylka:subscribe--></body></html>");
    expect(injectSubscribeForm("<body>a<!--rassylka:subscribe--><!--/rassylka:subscribe-->b</body>", form)).toBe(
      "<body>a<!--rassylka:subscribe--><section>F</section><!--/rassylka:subscribe-->b</body>",
    );
    expect(injectSubscribeForm("<body>plain</body>", "")).toBe("<body>plain</body>");
  });
});

describe.each(backends())("serve's subscribe endpoints on $name", (backend) => {
  let store: Store;
  let server: FastifyInstance;
  let base: string;
  let clock = Date.parse("2026-12-01T10:00:00.000Z");
  const events: SubscribeLog[] = [];
  const mailer = () => new SmtpTransport({ url: sink.url, maxConnections: 5 });
  let smtp: SmtpTransport;

  async function start(limits: Record<string, number>) {
    const c = { ...config, subscribe: { ...config.subscribe!, limits: { ...config.subscribe!.limits, ...limits } } };
    const s = createPublishServer({
      dir: b.dist,
      config: c,
      secret: SECRET,
      state: store,
      subscribe: { store: store.subscribers, mailer: smtp, onEvent: (e) => events.push(e), now: () => clock },
    });
    return { server: s, base: await listen(s, 0) };
  }

  beforeAll(async () => {
    await backend.start();
    store = await openStore(await backend.fresh());
    smtp = mailer();
    ({ server, base } = await start({ perIpPerHour: 1000, perIpPerDay: 1000, emailsPerHour: 1000 }));
  }, 120_000);
  afterAll(async () => {
    if (server) await close(server);
    await smtp?.close();
    await store?.close();
    await backend.stop();
  });

  async function stamp(): Promise<string> {
    const r = await request(base, "/subscribe/stamp");
    expect(r.status).toBe(200);
    expect(r.headers["cache-control"]).toBe("no-store");
    clock += 4000; // a person takes a few seconds
    return r.body.trim();
  }

  test("subscribe → one confirmation email → GET shows a button and confirms nothing → POST confirms once", async () => {
    const before = sink.received.length;
    const r = await post(base, "/rassylka/subscribe", form({ stamp: await stamp() }));
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.body).toContain("Проверьте почту");
    expect(r.body).toContain('<html lang="ru">');
    await mails(before + 1, events);
    expect(events.slice(-2)).toEqual([
      { event: "subscribe", result: "queued", email: "r***@example.ru", ip: "127.0.0.1" },
      { event: "subscribe", result: "sent", email: "r***@example.ru", ip: "127.0.0.1" },
    ]);
    expect(sink.received).toHaveLength(before + 1);
    const mail = await parse(sink.received[before].raw);
    const link = (mail.text ?? "").match(/https:\/\/\S+/)![0];
    expect(link.startsWith("https://prodazhi.example.ru/rassylka/subscribe/confirm?token=")).toBe(true);
    const path = new URL(link).pathname + new URL(link).search;
    // a mail scanner's GET, and HEAD: nothing changes
    for (const method of ["GET", "HEAD", "GET"]) {
      const g = await request(base, path, { method });
      expect(g.status).toBe(200);
    }
    const page = await request(base, path);
    expect(page.body).toContain("Подтвердить подписку");
    expect(page.body).toContain(`action="?token&#x3D;${tokenIn(link)}"`); // Handlebars escapes =
    expect((await store.subscribers.get("reader@example.ru"))?.status).toBe("pending");
    const c = await request(base, path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Test browser" },
      body: "confirm=yes",
    });
    expect(c.status).toBe(200);
    expect(c.body).toContain("Готово: вы подписаны");
    expect(await store.subscribers.get("reader@example.ru")).toMatchObject({
      status: "confirmed",
      consent: { ip: "127.0.0.1", page: "https://prodazhi.example.ru/rassylka/", text: CONSENT },
      confirmed: { ip: "127.0.0.1", userAgent: "Test browser" },
    });
    expect((await request(base, path, { method: "POST", body: "" })).status).toBe(200);
    expect((await request(base, "/subscribe/confirm?token=nonsense")).status).toBe(400);
    expect((await request(base, "/subscribe/confirm", { method: "DELETE" })).status).toBe(405);
  });

  test("no enumeration: a confirmed, a new and a honeypot request get the same page; only the new one gets mail", async () => {
    const before = sink.received.length;
    clock += 3_600_000 * 2;
    const confirmed = await post(base, "/subscribe", form({ stamp: await stamp() })); // confirmed in the test above
    const fresh = await post(base, "/subscribe", form({ email: "new@example.ru", stamp: await stamp() }));
    const bot = await post(base, "/subscribe", form({ email: "bot@example.ru", website: "https://spam.example", stamp: await stamp() }));
    expect([confirmed.status, fresh.status, bot.status]).toEqual([200, 200, 200]);
    expect(confirmed.body).toBe(fresh.body);
    expect(bot.body).toBe(fresh.body);
    await mails(before + 1, events);
    await new Promise((r) => setTimeout(r, 300)); // a second email would have come by now
    expect(sink.received.length - before).toBe(1);
    expect(
      answered(events)
        .slice(-3)
        .map((e) => e.result),
    ).toEqual(["queued", "queued", "honeypot"]);
    // after the answers: the confirmed address found confirmed (no email), the new one mailed
    expect(events.slice(-5).map((e) => e.result)).toEqual(expect.arrayContaining(["already-confirmed", "sent"]));
    expect(await store.subscribers.get("bot@example.ru")).toBeUndefined();
  });

  test("too fast, no stamp, no consent, a bad address: the form again (422) with the values and a fresh stamp", async () => {
    const r = await request(base, "/subscribe/stamp");
    const fast = await post(base, "/subscribe", form({ email: "quick@example.ru", stamp: r.body }));
    expect(fast.status).toBe(422);
    expect(fast.body).toContain("Форма отправлена слишком быстро");
    expect(fast.body).toContain('value="quick@example.ru"');
    expect(fast.body).toMatch(/name="stamp" value="\d+\.[A-Za-z0-9_-]{43}"/);
    expect((await post(base, "/subscribe", form({ email: "quick@example.ru" }))).status).toBe(422);
    const noConsent = await post(base, "/subscribe", form({ email: "c@example.ru", consent: "", stamp: await stamp() }));
    expect(noConsent.status).toBe(422);
    expect(noConsent.body).toContain("поставьте отметку о согласии");
    expect((await post(base, "/subscribe", form({ email: "<script>@x", stamp: await stamp() }))).body).not.toContain("<script>@x");
    expect(await store.subscribers.get("quick@example.ru")).toBeUndefined();
    // the page GET /subscribe answers: the form with a stamp, in Russian
    const page = await request(base, "/subscribe");
    expect(page.status).toBe(200);
    expect(page.body).toContain("Подписаться на рассылку");
    expect(page.body).toMatch(/name="stamp" value="\d+\./);
  });

  test("bodies and fields are bounded", async () => {
    const big = await post(base, "/subscribe", form({ name: "x".repeat(20_000), stamp: await stamp() }));
    expect(big.status).toBe(413);
    const long = await post(base, "/subscribe", form({ name: "Я".repeat(150), stamp: await stamp() }));
    expect(long.status).toBe(422);
    expect(long.body).toContain("Слишком длинное значение");
  });

  test("one-click unsubscribe marks the subscriber unsubscribed (and suppressed); subscribing again needs confirmation", async () => {
    const id = newsletterId(config);
    const u = await post(base, `/rassylka/unsubscribe?token=${createUnsubscribeToken("reader@example.ru", id, SECRET)}`);
    expect(u.status).toBe(200);
    expect((await store.subscribers.get("reader@example.ru"))?.status).toBe("unsubscribed");
    expect(await store.suppressions.has("reader@example.ru")).toBe(true);
    clock += 3 * 86_400_000;
    const before = sink.received.length;
    expect((await post(base, "/subscribe", form({ stamp: await stamp() }))).status).toBe(200);
    await mails(before + 1, events);
    expect((await store.subscribers.get("reader@example.ru"))?.status).toBe("pending");
    expect(await store.suppressions.has("reader@example.ru")).toBe(true);
    const link = ((await parse(sink.received[before].raw)).text ?? "").match(/https:\/\/\S+/)![0];
    expect((await request(base, new URL(link).pathname + new URL(link).search, { method: "POST", body: "" })).status).toBe(200);
    expect(await store.suppressions.has("reader@example.ru")).toBe(false);
  });

  test("200 parallel requests for distinct addresses: every one recorded once, 200 emails", async () => {
    const s = await stamp();
    const before = sink.received.length;
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(base, "/subscribe", form({ email: `many${i}@example.ru`, stamp: s }))),
    );
    expect(replies.map((r) => r.status).filter((x) => x !== 200)).toEqual([]);
    await mails(before + 200, events);
    expect((await store.subscribers.list({ status: "pending" })).filter((x) => x.email.startsWith("many"))).toHaveLength(200);
    expect(sink.received.length - before).toBe(200);
  }, 120_000);

  test("limits held in the store: an address once an hour (same page), an IP (429), and all emails an hour (429), across a restart", async () => {
    const limited = await start({ perIpPerHour: 3, emailsPerHour: 1000 });
    try {
      clock += 86_400_000;
      const before = sink.received.length;
      const st = async () => {
        const r = await request(limited.base, "/subscribe/stamp");
        clock += 4000;
        return r.body;
      };
      expect((await post(limited.base, "/subscribe", form({ email: "l1@example.ru", stamp: await st() }))).status).toBe(200);
      expect((await post(limited.base, "/subscribe", form({ email: "l1@example.ru", stamp: await st() }))).status).toBe(200);
      expect(answered(events).at(-1)?.result).toBe("address-limit");
      expect((await post(limited.base, "/subscribe", form({ email: "l2@example.ru", stamp: await st() }))).status).toBe(200);
      expect((await post(limited.base, "/subscribe", form({ email: "l3@example.ru", stamp: await st() }))).status).toBe(200);
      await mails(before + 3, events);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.received.length - before).toBe(3);
    } finally {
      await close(limited.server);
    }
    // a new server on the same store: the counts still hold
    const again = await start({ perIpPerHour: 3, emailsPerHour: 1000 });
    try {
      const s = (await request(again.base, "/subscribe/stamp")).body;
      clock += 4000;
      const r = await post(again.base, "/subscribe", form({ email: "l4@example.ru", stamp: s }));
      expect(r.status).toBe(429);
      expect(r.headers["retry-after"]).toBe("3600");
      expect(r.body).toContain("Слишком много запросов");
    } finally {
      await close(again.server);
    }
    const global = await start({ perIpPerHour: 1000, perIpPerDay: 1000, emailsPerHour: 1 });
    try {
      clock += 86_400_000;
      const s = (await request(global.base, "/subscribe/stamp")).body;
      clock += 4000;
      expect((await post(global.base, "/subscribe", form({ email: "g1@example.ru", stamp: s }))).status).toBe(200);
      expect((await post(global.base, "/subscribe", form({ email: "g2@example.ru", stamp: s }))).status).toBe(429);
      expect(answered(events).at(-1)).toMatchObject({ result: "global-limit", email: "g***@example.ru" });
    } finally {
      await close(global.server);
    }
  });
});

describe("the subscribe pages come from templates that escape", () => {
  test("no unmarked triple braces; a hostile name, consent text, address and values stay text", async () => {
    const { templateSources, unmarkedTripleBraces } = await import("../../src/site/templates.js");
    const { subscribePages } = await import("../../src/server/subscribe-pages.js");
    for (const source of templateSources()) expect(unmarkedTripleBraces(source)).toEqual([]);
    const HOSTILE = `<script>alert("x")</script> "кавычки"`;
    const c = { name: HOSTILE, language: "ru", url: "javascript:alert(1)", subscribe: { ...config.subscribe!, consent: HOSTILE } };
    for (const html of [
      subscribeFormHtml(c, HOSTILE),
      subscribePages.form(c, {
        page: HOSTILE,
        stamp: HOSTILE,
        values: { email: HOSTILE, name: HOSTILE },
        errors: [{ field: "email", code: "email" }],
      }),
      subscribePages.checkMail(c),
      subscribePages.ask(c, `${HOSTILE}@x.ru`, `?token=${HOSTILE}`),
      subscribePages.confirmed(c),
      subscribePages.expired(c),
    ]) {
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("javascript:");
    }
  });
});
