import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { openStore, type Store } from "../../src/state/store.js";
import {
  confirmationPage,
  confirmSubscription,
  consentTextHash,
  formStamp,
  ipLimitKey,
  requestSubscription,
  type SubscribeConfig,
  type SubscribeContext,
  type SubscribeFields,
} from "../../src/subscribe/subscribe.js";
import { CONFIRM_TTL_MS, createConfirmToken } from "../../src/subscribe/tokens.js";
import { parse, type Sink, startSmtp } from "../send/helpers.js";
import { backends } from "../state/backends.js";

const CONSENT = "Я согласен получать рассылку «Как увеличить объёмы продаж» и даю согласие на обработку моего адреса и имени.";
const SECRET = "subscribe-tests-secret-0123456789";
const LIST = "prodazhi.example.ru";
const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const CLIENT = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11) Test" };

function config(limits: Record<string, number> = {}): SubscribeConfig {
  const c = configSchema.parse({
    name: "Как увеличить объёмы продаж",
    language: "ru",
    url: "https://prodazhi.example.ru/rassylka",
    from: { name: "Практика продаж", email: "rassylka@prodazhi.example.ru" },
    subscribe: { consent: CONSENT, limits },
  });
  return c as SubscribeConfig;
}

/** The token inside the link of a confirmation email. */
function tokenOf(text: string): string {
  const m = /[?&]token=([A-Za-z0-9_.-]+)/.exec(text);
  if (!m) throw new Error(`no link in: ${text}`);
  return m[1];
}

describe.each(backends())("the subscribe flow on $name", (backend) => {
  let sink: Sink;
  beforeAll(async () => {
    await backend.start();
    sink = await startSmtp();
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await backend.stop();
  });

  async function withContext(fn: (ctx: SubscribeContext, store: Store) => Promise<void>, limits?: Record<string, number>) {
    const store = await openStore(await backend.fresh());
    const mailer = new SmtpTransport({ url: sink.url });
    try {
      await fn(
        {
          config: config(limits),
          listId: LIST,
          secret: SECRET,
          store: store.subscribers,
          mailer,
          confirmUrl: "https://prodazhi.example.ru/rassylka/subscribe/confirm",
        },
        store,
      );
    } finally {
      await mailer.close();
      await store.close();
    }
  }

  const form = (ctx: SubscribeContext, over: SubscribeFields = {}, servedAt = T0 - 5000): SubscribeFields => ({
    email: "Reader@Example.ru",
    name: "Читатель",
    consent: "yes",
    website: "",
    stamp: formStamp(ctx, servedAt),
    consentHash: consentTextHash(CONSENT),
    page: "https://prodazhi.example.ru/rassylka/",
    ...over,
  });

  test("a valid request: pending with the consent record, one confirmation over SMTP; GET looks, POST confirms once", () =>
    withContext(async (ctx, store) => {
      const before = sink.received.length;
      const out = await requestSubscription(ctx, form(ctx), CLIENT, T0);
      expect(out).toEqual({ kind: "check-mail", log: { event: "subscribe", result: "sent", email: "R***@Example.ru", ip: CLIENT.ip } });
      expect(sink.received).toHaveLength(before + 1);
      const mail = await parse(sink.received[before].raw);
      expect(mail.subject).toBe("Подтвердите подписку на рассылку «Как увеличить объёмы продаж»");
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address?.toLowerCase() : "").toBe("reader@example.ru");
      expect(mail.text).toContain("https://prodazhi.example.ru/rassylka/subscribe/confirm?token=");
      expect(mail.html).toContain("Подтвердить подписку");
      expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
      const s = await store.subscribers.get("reader@example.ru");
      expect(s).toMatchObject({
        status: "pending",
        source: "form",
        fields: { name: "Читатель" },
        consent: {
          at: new Date(T0).toISOString(),
          ip: CLIENT.ip,
          userAgent: CLIENT.userAgent,
          page: "https://prodazhi.example.ru/rassylka/",
          text: CONSENT,
        },
      });
      const token = tokenOf(mail.text ?? "");
      // a scanner's GET, twice: nothing changes
      for (let i = 0; i < 2; i++) expect((await confirmationPage(ctx, token, { ip: "198.51.100.9" }, T0 + 1000)).kind).toBe("ask");
      expect((await store.subscribers.get("reader@example.ru"))?.status).toBe("pending");
      const confirmed = await confirmSubscription(ctx, token, { ip: "198.51.100.20", userAgent: "Browser" }, T0 + 60_000);
      expect(confirmed).toMatchObject({
        kind: "confirmed",
        subscriber: { status: "confirmed", confirmed: { ip: "198.51.100.20", userAgent: "Browser" } },
      });
      expect(confirmed.log).toEqual({ event: "confirm", result: "confirmed", email: "r***@example.ru", ip: "198.51.100.20" });
      expect((await confirmSubscription(ctx, token, CLIENT, T0 + 61_000)).kind).toBe("already-confirmed");
      expect((await confirmationPage(ctx, token, CLIENT, T0 + 62_000)).kind).toBe("already-confirmed");
      // asked again for a confirmed address: the same answer, nothing sent, nothing changed
      const n = sink.received.length;
      const again = await requestSubscription(ctx, form(ctx, { name: "Чужой" }), { ip: "192.0.2.1" }, T0 + 2 * 3_600_000);
      expect(again.kind).toBe("check-mail");
      expect(again.log.result).toBe("already-confirmed");
      expect(sink.received).toHaveLength(n);
      expect((await store.subscribers.get("reader@example.ru"))?.fields).toEqual({ name: "Читатель" });
    }));

  test("an expired, forged or superseded link confirms nothing", () =>
    withContext(async (ctx, store) => {
      const before = sink.received.length;
      await requestSubscription(ctx, form(ctx, { email: "old@example.ru" }), CLIENT, T0);
      const first = tokenOf((await parse(sink.received[before].raw)).text ?? "");
      expect((await confirmSubscription(ctx, first, CLIENT, T0 + CONFIRM_TTL_MS + 1)).kind).toBe("expired");
      expect((await confirmationPage(ctx, first, CLIENT, T0 + CONFIRM_TTL_MS + 1)).kind).toBe("expired");
      expect((await confirmSubscription(ctx, `${first.slice(0, -2)}AA`, CLIENT, T0)).kind).toBe("invalid");
      expect(
        (
          await confirmSubscription(
            ctx,
            createConfirmToken("old@example.ru", "guess", T0 + 9e6, LIST, "another-secret-abcdefgh"),
            CLIENT,
            T0,
          )
        ).kind,
      ).toBe("invalid");
      expect((await confirmSubscription(ctx, undefined, CLIENT, T0)).kind).toBe("invalid");
      // a second request two hours later: a new link; the first no longer works
      await requestSubscription(ctx, form(ctx, { email: "old@example.ru" }, T0 + 7_200_000 - 5000), CLIENT, T0 + 7_200_000);
      const second = tokenOf((await parse(sink.received[sink.received.length - 1].raw)).text ?? "");
      expect(second).not.toBe(first);
      expect((await confirmSubscription(ctx, first, CLIENT, T0 + 7_300_000)).kind).toBe("invalid");
      expect((await store.subscribers.get("old@example.ru"))?.status).toBe("pending");
      expect((await confirmSubscription(ctx, second, CLIENT, T0 + 7_300_000)).kind).toBe("confirmed");
    }));

  test("honeypot, fill time, stale or foreign stamp, changed consent text, bad fields: nothing recorded, nothing sent", () =>
    withContext(async (ctx, store) => {
      const before = sink.received.length;
      const bot = await requestSubscription(ctx, form(ctx, { website: "http://spam.example" }), CLIENT, T0);
      expect(bot).toMatchObject({ kind: "check-mail", log: { result: "honeypot" } });
      const fast = await requestSubscription(ctx, form(ctx, {}, T0 - 1000), CLIENT, T0);
      expect(fast).toMatchObject({
        kind: "form",
        errors: [{ field: "form", code: "tooFast" }],
        values: { email: "Reader@Example.ru", name: "Читатель" },
      });
      if (fast.kind === "form") {
        // the form shown again carries a fresh stamp that works once a person has had their seconds
        expect((await requestSubscription(ctx, form(ctx, { stamp: fast.stamp }), CLIENT, T0 + 3000)).log.result).toBe("sent");
        await store.subscribers.removeMany(["reader@example.ru"]);
      }
      const n = sink.received.length;
      for (const [over, result] of [
        [{ stamp: "" }, "stale-form"],
        [{ stamp: formStamp({ listId: LIST, secret: "another-secret-abcdefgh" }, T0 - 5000) }, "stale-form"],
        [{ stamp: formStamp(ctx, T0 - 3 * 86_400_000) }, "stale-form"],
        [{ consentHash: consentTextHash("an older text") }, "stale-form"],
        [{ email: "not an address" }, "invalid"],
        [{ consent: "" }, "invalid"],
        [{ email: `${"a".repeat(300)}@example.ru` }, "invalid"],
        [{ name: "Я".repeat(101) }, "invalid"],
      ] as const) {
        const out = await requestSubscription(ctx, form(ctx, { email: "x@example.ru", ...over }), CLIENT, T0);
        expect(out.kind, JSON.stringify(over).slice(0, 80)).toBe("form");
        expect(out.log.result).toBe(result);
      }
      expect(sink.received).toHaveLength(n);
      expect(await store.subscribers.count()).toBe(0);
      expect(before + 1).toBe(n);
    }));

  test("limits: one confirmation per address per hour (the same answer), per IP, and all emails per hour (429)", () =>
    withContext(
      async (ctx) => {
        const before = sink.received.length;
        const ask = (email: string, ip: string, at: number) => requestSubscription(ctx, form(ctx, { email }, at - 5000), { ip }, at);
        expect((await ask("a@example.ru", "10.0.0.1", T0)).log.result).toBe("sent");
        const again = await ask("a@example.ru", "10.0.0.2", T0 + 60_000);
        expect(again).toMatchObject({ kind: "check-mail", log: { result: "address-limit", email: "a***@example.ru" } });
        // per IP: 3 an hour
        expect((await ask("b@example.ru", "10.0.0.3", T0)).log.result).toBe("sent");
        expect((await ask("c@example.ru", "10.0.0.3", T0)).log.result).toBe("sent");
        expect((await ask("d@example.ru", "10.0.0.3", T0)).log.result).toBe("sent");
        expect(await ask("e@example.ru", "10.0.0.3", T0)).toMatchObject({ kind: "limited", retryAfter: 3600, log: { result: "ip-limit" } });
        // everyone: 5 emails an hour
        expect((await ask("f@example.ru", "10.0.0.4", T0)).log.result).toBe("sent");
        expect(await ask("g@example.ru", "10.0.0.5", T0)).toMatchObject({ kind: "limited", log: { result: "global-limit" } });
        expect(sink.received.length - before).toBe(5);
        // an hour later the address may ask again; the day's limit (2) then holds
        expect((await ask("a@example.ru", "10.0.0.6", T0 + 3_600_001)).log.result).toBe("sent");
        expect((await ask("a@example.ru", "10.0.0.7", T0 + 7_200_002)).log.result).toBe("address-limit");
      },
      { perIpPerHour: 3, emailsPerHour: 5, perAddressPerDay: 2 },
    ));

  test("unsubscribed, then subscribing again: pending until confirmed, the suppression lifted only then", () =>
    withContext(async (ctx, store) => {
      await store.subscribers.upsertMany([{ address: "back@example.ru" }], {
        status: "confirmed",
        source: "cli",
        at: new Date(T0).toISOString(),
      });
      await store.suppressions.add("back@example.ru", "unsubscribed", "one-click");
      await store.subscribers.markUnsubscribed(["back@example.ru"], new Date(T0).toISOString());
      const before = sink.received.length;
      expect((await requestSubscription(ctx, form(ctx, { email: "back@example.ru" }), CLIENT, T0)).log).toMatchObject({
        result: "sent",
        detail: "was unsubscribed",
      });
      expect((await store.subscribers.get("back@example.ru"))?.status).toBe("pending");
      expect(await store.suppressions.has("back@example.ru")).toBe(true);
      const token = tokenOf((await parse(sink.received[before].raw)).text ?? "");
      expect((await confirmSubscription(ctx, token, CLIENT, T0 + 1000)).kind).toBe("confirmed");
      expect(await store.suppressions.has("back@example.ru")).toBe(false);
    }));

  test(
    "200 parallel requests for distinct addresses: each recorded once, one email each",
    () =>
      withContext(
        async (ctx, store) => {
          const before = sink.received.length;
          const outs = await Promise.all(
            Array.from({ length: 200 }, (_, i) => requestSubscription(ctx, form(ctx, { email: `p${i}@example.ru` }), CLIENT, T0)),
          );
          expect(outs.filter((o) => o.log.result === "sent")).toHaveLength(200);
          expect(await store.subscribers.count("pending")).toBe(200);
          expect(sink.received.length - before).toBe(200);
          expect(new Set(sink.received.slice(before).map((m) => m.to[0].toLowerCase())).size).toBe(200);
        },
        { perIpPerHour: 1000, perIpPerDay: 1000, emailsPerHour: 1000 },
      ),
    120_000,
  );
});

test("per-IP limits count an IPv4 address, or an IPv6 address's /64", () => {
  expect(ipLimitKey("203.0.113.7")).toBe("203.0.113.7");
  expect(ipLimitKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  expect(ipLimitKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
  expect(ipLimitKey("2001:0db8:0001:0002::abcd")).toBe("2001:db8:1:2::/64");
  expect(ipLimitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
  expect(ipLimitKey("::1")).toBe("0:0:0:0::/64");
});
