import { describe, expect, it } from "vitest";
import { parseDomainRate } from "../../src/cli/send.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { DomainPacer, FLOOR_PER_SECOND, RECOVER_AFTER, slowsDomain } from "../../src/send/pacing.js";
import type { SendOptions } from "../../src/send/send-issue.js";
import type { DeliveryResult } from "../../src/send/transport.js";
import { DryRunTransport } from "../../src/send/transports/dry-run.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { type Behaviour, CONFIG, type Received, type SendProject, sendTest, startSmtp } from "./helpers.js";

// pacing per receiving domain

/** A clock the test moves by hand: the pacer's arithmetic, step by step. */
function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const sent: DeliveryResult = { status: "sent", code: 250, response: "250 ok" };
const limited: DeliveryResult = { status: "transient", code: 421, response: "421 4.7.0 Too many messages, try later", domain: true };

describe("DomainPacer", () => {
  it.each([
    ["the domain itself (a key in any case)", "a@mail.ru", "mail.ru"],
    ["a subdomain", "a@corp.mail.ru", "mail.ru"],
    ["the most specific key", "a@x.list.mail.ru", "list.mail.ru"],
    ["another domain of the same company is not a subdomain", "a@inbox.ru", "inbox.ru"],
    ["a domain that only ends the same", "a@gmail.ru", "gmail.ru"],
    ["IDN keys as A-labels", "a@xn--80a1acny.xn--p1ai", "xn--80a1acny.xn--p1ai"],
  ])("keys: %s", (_name, email, key) => {
    const pacer = new DomainPacer({ rates: { "MAIL.ru": 10, "list.mail.ru": 2, "Почта.РФ": 1 } });
    expect(pacer.keyOf(email)).toBe(key);
  });

  it("hands a domain one reader per interval; others wait in its queue, other domains pass", () => {
    const c = clock();
    const pacer = new DomainPacer<string>({ rates: { "mail.ru": 10 }, now: c.now });
    expect(pacer.offer("a@mail.ru", "a")).toBe(true);
    pacer.observe("a@mail.ru", sent, 0);
    expect(pacer.offer("b@mail.ru", "b")).toBe(false);
    expect(pacer.offer("c@mail.ru", "c")).toBe(false);
    expect(pacer.offer("x@gmail.com", "x")).toBe(true);
    expect(pacer.offer("y@gmail.com", "y")).toBe(true);
    expect(pacer.parked).toBe(2);
    expect(pacer.ready(10)).toEqual([]);
    expect(pacer.waitMs()).toBe(100);
    c.advance(100);
    expect(pacer.ready(10)).toEqual(["b"]);
    c.advance(99);
    expect(pacer.ready(10)).toEqual([]);
    c.advance(1);
    expect(pacer.ready(0)).toEqual([]);
    expect(pacer.ready(1)).toEqual(["c"]);
    expect(pacer.parked).toBe(0);
    expect(pacer.waitMs()).toBeUndefined();
  });

  it("claims more only while every queue clears within the horizon, and below the cap", () => {
    const c = clock();
    const pacer = new DomainPacer<number>({ rates: { "mail.ru": 10 }, now: c.now, horizonMs: 1000, maxParked: 50 });
    pacer.offer("a@mail.ru", 0);
    for (let i = 1; i <= 10; i++) pacer.offer(`r${i}@mail.ru`, i);
    expect(pacer.roomToClaim()).toBe(true); // 10 waiting at 10/s: 1 s
    pacer.offer("r11@mail.ru", 11);
    expect(pacer.roomToClaim()).toBe(false);
    expect(pacer.drain()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(pacer.roomToClaim()).toBe(true);
    const capped = new DomainPacer<number>({ rates: { "a.ru": 1000 }, now: c.now, maxParked: 3 });
    for (let i = 0; i < 4; i++) capped.offer(`r${i}@a.ru`, i);
    expect(capped.roomToClaim()).toBe(false);
  });

  it("one message in flight until a domain's first answer; a late answer keeps the next arrival an interval behind it", () => {
    const c = clock();
    const pacer = new DomainPacer<string>({ rates: { "mail.ru": 10 }, now: c.now });
    expect(pacer.offer("a@mail.ru", "a")).toBe(true);
    expect(pacer.offer("b@mail.ru", "b")).toBe(false);
    c.advance(120);
    // its slot came at 100, but no answer yet: the pool may still be opening connections
    expect(pacer.ready(5)).toEqual([]);
    expect(pacer.waitMs()).toBe(Number.POSITIVE_INFINITY);
    c.advance(30);
    pacer.observe("a@mail.ru", sent, 150); // answered (arrived) at 150: the next arrives 100 ms later at the earliest
    expect(pacer.ready(5)).toEqual([]);
    expect(pacer.waitMs()).toBeCloseTo(85, 0); // the usual latency so far: 15 ms (from 0, slowly)
    c.advance(85);
    expect(pacer.ready(5)).toEqual(["b"]);
    c.advance(5);
    pacer.observe("b@mail.ru", sent, 5); // fast answers bring the usual latency down at once
    expect(pacer.offer("c@mail.ru", "c")).toBe(false);
    expect(pacer.waitMs()).toBeCloseTo(95, 0); // an interval after its arrival, less the 5 ms it takes
  });

  it("a 421 halves its domain once per hold, down to the floor; successes bring it back by steps", () => {
    const c = clock();
    const pacer = new DomainPacer<string>({ rates: { "mail.ru": 8, "gmail.com": 8 }, now: c.now });
    pacer.observe("a@mail.ru", limited);
    pacer.observe("b@mail.ru", limited); // the same burst: no second halving
    const pace = (d: string) => pacer.summary().find((p) => p.domain === d);
    expect(pace("mail.ru")).toMatchObject({ rate: 4, configured: 8, slowdowns: 1, reason: limited.response });
    expect(pace("gmail.com")).toMatchObject({ rate: 8, slowdowns: 0 });
    for (let i = 0; i < 5; i++) {
      c.advance(5000);
      pacer.observe("a@mail.ru", limited);
    }
    expect(pace("mail.ru")?.rate).toBe(FLOOR_PER_SECOND);
    for (let i = 0; i < RECOVER_AFTER - 1; i++) pacer.observe("a@mail.ru", sent);
    expect(pace("mail.ru")?.rate).toBe(FLOOR_PER_SECOND);
    pacer.observe("a@mail.ru", sent);
    expect(pace("mail.ru")?.rate).toBe(1.25);
    for (let i = 0; i < 20 * RECOVER_AFTER; i++) pacer.observe("a@mail.ru", sent);
    expect(pace("mail.ru")?.rate).toBe(8);
  });

  it("a domain nobody configured is paced from half the pace it had, then let go again", () => {
    const c = clock();
    const pacer = new DomainPacer<string>({ now: c.now });
    for (let i = 0; i < 10; i++) {
      expect(pacer.offer(`r${i}@yandex.ru`, `r${i}`)).toBe(true);
      pacer.observe(`r${i}@yandex.ru`, sent, 5);
      c.advance(50); // 20 a second
    }
    expect(pacer.summary()).toEqual([]);
    pacer.observe("r0@yandex.ru", limited);
    expect(pacer.summary()).toMatchObject([{ domain: "yandex.ru", rate: 10, slowdowns: 1 }]);
    expect(pacer.offer("late@yandex.ru", "late")).toBe(false);
    for (let i = 0; i < 10 * RECOVER_AFTER; i++) pacer.observe("r0@yandex.ru", sent);
    expect(pacer.summary()).toMatchObject([{ domain: "yandex.ru", rate: null }]);
  });

  it.each<[string, DeliveryResult, boolean]>([
    ["421 to RCPT TO", limited, true],
    ["451 to DATA", { status: "transient", code: 451, response: "451 4.7.1 Ratelimit exceeded", domain: true }, true],
    ["greylisting", { status: "transient", code: 451, response: "451 4.7.1 Greylisted, please try again later", domain: true }, false],
    ["a relay's 421 greeting", { status: "transient", code: 421, response: "421 4.3.2 Service shutting down" }, false],
    ["452 mailbox busy", { status: "transient", code: 452, response: "452 busy", domain: true }, false],
    ["a permanent refusal", { status: "permanent", code: 550, response: "550 no" }, false],
  ])("what slows a domain: %s → %s", (_name, result, slows) => {
    expect(slowsDomain(result)).toBe(slows);
  });

  it("refuses a bad rate with the field and the fix", () => {
    for (const rates of [{ "a@mail.ru": 1 }, { "mail.ru": 0 }, { "*.mail.ru": 1 }] as Record<string, number>[]) {
      try {
        new DomainPacer({ rates });
        expect.unreachable();
      } catch (e) {
        expect(isRassylkaError(e)).toBe(true);
        expect((e as { diagnostics: { fix?: string }[] }).diagnostics[0].fix).toContain("mail.ru: 10");
      }
    }
  });
});

describe("the SMTP transport says which replies speak for the reader's domain", () => {
  // the pool on the test's thread (thread: false): the same PoolSender and the same classification as on the SMTP
  // thread, which under tsx takes about 0.8 s to start; the thread is tested in transports/smtp-pool.test.ts
  it.each<[string, Parameters<typeof startSmtp>[0], boolean]>([
    ["421 to RCPT TO (nodemailer: the connection closing)", { behaviour: () => ({ code: 421, message: "4.7.0 Too many messages" }) }, true],
    ["451 to RCPT TO", { behaviour: () => ({ code: 451, message: "4.7.1 Ratelimit exceeded" }) }, true],
    ["421 greeting: the relay's", { greeting: { code: 421, message: "4.3.2 Service shutting down" } }, false],
    ["421 to MAIL FROM: the relay's", { mailFrom: () => ({ code: 421, message: "4.7.0 Too many sessions" }) }, false],
  ])("%s", { timeout: 30_000 }, async (_name, options, domain) => {
    const server = await startSmtp(options);
    const transport = new SmtpTransport({ url: server.url, maxConnections: 1, thread: false });
    try {
      const result = await transport.send({
        to: "r@mail.ru",
        subscriber: { email: "r@mail.ru" },
        from: { name: "A", email: "a@example.ru" },
        subject: "Тема",
        html: "<p>Текст</p>",
        text: "Текст",
        messageId: "x@example.ru",
        headers: {},
        date: new Date(),
      });
      expect(result).toMatchObject({ status: "transient" });
      expect(result.status === "transient" && result.domain === true).toBe(domain);
      expect(slowsDomain(result)).toBe(domain);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});

it("a 421 to RCPT TO on a connection that delivered before keeps its reply", { timeout: 30_000 }, async () => {
  const server = await startSmtp({
    behaviour: (rcpt) => (rcpt.startsWith("limited") ? { code: 421, message: "4.7.0 Slow down" } : undefined),
  });
  // the pool on the test's thread, as above: this is PoolSender's own doing, on either thread
  const transport = new SmtpTransport({ url: server.url, maxConnections: 1, thread: false });
  const message = (to: string) => ({
    to,
    subscriber: { email: to },
    from: { name: "A", email: "a@example.ru" },
    subject: "Тема",
    html: "<p>Текст</p>",
    text: "Текст",
    messageId: `${to.replace("@", ".")}@example.ru`,
    headers: {},
    date: new Date(),
  });
  try {
    expect(await transport.send(message("first@mail.ru"))).toMatchObject({ status: "sent" });
    const result = await transport.send(message("limited@mail.ru"));
    expect(result).toMatchObject({ status: "transient", code: 421, domain: true });
    expect(slowsDomain(result)).toBe(true);
  } finally {
    await transport.close();
    await server.close();
  }
});

describe("--domain-rate", () => {
  it("parses DOMAIN=N, repeated, the later one winning, domains as the ledger keys them", () => {
    let r = parseDomainRate("Mail.RU=10");
    r = parseDomainRate("gmail.com=0.5", r);
    r = parseDomainRate("почта.рф=3", r);
    r = parseDomainRate("mail.ru=20", r);
    expect(r).toEqual({ "mail.ru": 20, "gmail.com": 0.5, "xn--80a1acny.xn--p1ai": 3 });
  });
  it.each([
    ["mail.ru", "DOMAIN=N"],
    ["mail.ru:10", "DOMAIN=N"],
    ["=10", "DOMAIN=N"],
    ["a@mail.ru=10", "DOMAIN=N"],
    ["mail.ru=", "above 0"],
    ["mail.ru=0", "above 0"],
    ["mail.ru=-1", "above 0"],
    ["mail.ru=fast", "above 0"],
  ])("%s is refused: %s", (value, words) => {
    expect(() => parseDomainRate(value)).toThrow(words);
    expect(() => parseDomainRate(value)).toThrow("--domain-rate");
  });
});

// real SMTP: the sink notes when each message arrived
const real = sendTest;

/** Readers of `domains` in turn: a0@first, a1@second, … */
const interleaved = (n: number, domains: string[]) => Array.from({ length: n }, (_, i) => `r${i}@${domains[i % domains.length]}`);
const ofDomain = (received: Received[], domain: string) => received.filter((r) => r.to[0].endsWith(`@${domain}`)).map((r) => r.at);
/**
 * Messages per second between the second and the last arrival: the first message of a run also waits
 * for the pool to open its SMTP connections (100–200 ms here), so the gap after it is short once.
 */
const rateOf = (arrivals: number[]) => {
  const t = arrivals.slice(1);
  return ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
};
/** The most arrivals (after the first) within any one second. */
const mostInASecond = (arrivals: number[]) => {
  const t = arrivals.slice(1);
  return Math.max(...t.map((start) => t.filter((x) => x >= start && x < start + 1000).length));
};

/** The send in this process: six readers at a time over three connections, retries after 50 ms. */
const send = (project: SendProject, list: string[], extra: Partial<SendOptions> = {}) =>
  project.send(list.join(","), { concurrency: 6, retryDelay: 50, ...extra }, { maxConnections: 3 });

describe("pacing a real send", () => {
  real("a paced domain stays under its rate while another domain goes on at full speed", { timeout: 60_000 }, async ({ project }) => {
    const sink = await project.smtp();
    // one in five readers at slow.test (10/s, 20 readers: about 2 s); the other 80 unpaced
    const list = interleaved(100, ["slow.test", "fast.test", "fast.test", "fast.test", "fast.test"]);
    const summary = await send(project, list, { domainRates: { "slow.test": 10 } });
    expect(summary).toMatchObject({ sent: 100, failed: 0, pending: 0, stopped: undefined });
    const slow = ofDomain(sink.received, "slow.test");
    const fast = ofDomain(sink.received, "fast.test");
    expect(slow).toHaveLength(20);
    expect(fast).toHaveLength(80);
    const slowRate = rateOf(slow);
    const fastRate = rateOf(fast);
    console.log(`paced slow.test (limit 10/s): ${slowRate.toFixed(2)}/s; unpaced fast.test: ${fastRate.toFixed(1)}/s`);
    expect(slowRate).toBeLessThanOrEqual(10 * 1.02);
    expect(mostInASecond(slow)).toBeLessThanOrEqual(10 + 1);
    // (the lower bounds are loose: with the whole suite running, 2 shared cores deliver 5/s as 3/s)
    expect(slowRate).toBeGreaterThan(4);
    // the unpaced readers did not wait for the paced ones: all delivered before three quarters of slow.test's
    // (readers waiting for their domain in the concurrency slots would hold the others back to the end)
    expect(fastRate).toBeGreaterThan(2 * slowRate);
    expect(Math.max(...fast)).toBeLessThan(slow[14]);
    expect(summary.domains).toEqual([{ domain: "slow.test", configured: 10, rate: 10, slowdowns: 0, reason: undefined }]);
  });

  real("readers listed after a long run of one paced domain are not kept waiting behind it", { timeout: 60_000 }, async ({ project }) => {
    const sink = await project.smtp();
    // 40 readers of slow.test first (20/s: 2 s), then 20 of fast.test: parked slow.test readers leave room to claim these
    const list = [...interleaved(40, ["slow.test"]), ...interleaved(20, ["fast.test"]).map((a) => a.replace("r", "f"))];
    const summary = await send(project, list, { domainRates: { "slow.test": 20 } });
    expect(summary.sent).toBe(60);
    const slow = ofDomain(sink.received, "slow.test");
    const fast = ofDomain(sink.received, "fast.test");
    console.log(
      `40 slow.test (20/s) then 20 fast.test: slow ${rateOf(slow).toFixed(2)}/s, fast done ${Math.round(Math.max(...fast) - slow[0])} ms after the first`,
    );
    expect(rateOf(slow)).toBeLessThanOrEqual(20 * 1.02);
    expect(Math.max(...fast)).toBeLessThan(slow[20]);
  });

  real("the config's sending.domainRates paces; --domain-rate overrides it for its domain", { timeout: 60_000 }, async ({ project }) => {
    await project.write("newsletter.yaml", `${CONFIG}sending:\n  domainRates:\n    Slow.Test: 4\n    fast.test: 50\n`);
    const sink = await project.smtp();
    const list = interleaved(24, ["slow.test", "fast.test"]);
    const summary = await send(project, list, { domainRates: { "fast.test": 8 } });
    expect(summary.sent).toBe(24);
    const slowRate = rateOf(ofDomain(sink.received, "slow.test"));
    const fastRate = rateOf(ofDomain(sink.received, "fast.test"));
    console.log(`config slow.test 4/s: ${slowRate.toFixed(2)}/s; fast.test 50/s overridden to 8/s: ${fastRate.toFixed(2)}/s`);
    expect(slowRate).toBeLessThanOrEqual(4 * 1.02);
    expect(fastRate).toBeLessThanOrEqual(8 * 1.02);
    expect(mostInASecond(ofDomain(sink.received, "fast.test"))).toBeLessThanOrEqual(8 + 1);
    expect(fastRate).toBeGreaterThan(1.5 * slowRate);
    expect(summary.domains.map((d) => [d.domain, d.configured])).toEqual([
      ["fast.test", 8],
      ["slow.test", 4],
    ]);
  });

  real("a dry run ignores the config's domain rates (it delivers nothing), not --domain-rate", { timeout: 60_000 }, async ({ project }) => {
    await project.write("newsletter.yaml", `${CONFIG}sending:\n  domainRates:\n    slow.test: 1\n`);
    const list = interleaved(6, ["slow.test"]);
    const dry = await send(project, list, { mode: "dry-run", transport: new DryRunTransport("smtp") });
    expect(dry).toMatchObject({ sent: 6, domains: [] });
    expect(dry.elapsedMs).toBeLessThan(4000); // at 1/s, six readers would take 5 s
    const flagged = await send(project, list, { mode: "dry-run", transport: new DryRunTransport("smtp"), domainRates: { "slow.test": 2 } });
    expect(flagged.domains).toMatchObject([{ domain: "slow.test", configured: 2 }]);
  });

  real("421s from one domain slow that domain, not another", { timeout: 60_000 }, async ({ project }) => {
    // a.test answers 421 to its 3rd, 4th and 5th RCPT TO (a burst: one halving), then accepts everything
    let aRcpts = 0;
    const behaviour: Behaviour = (rcpt) => {
      if (!rcpt.endsWith("@a.test")) return undefined;
      aRcpts++;
      return aRcpts >= 3 && aRcpts <= 5 ? { code: 421, message: "4.7.0 Too many messages from you, slow down" } : undefined;
    };
    const sink = await project.smtp({ behaviour });
    const list = interleaved(40, ["a.test", "b.test"]);
    const summary = await send(project, list, { domainRates: { "a.test": 10, "b.test": 10 } });
    expect(summary).toMatchObject({ sent: 40, failed: 0, pending: 0, stopped: undefined });
    const a = ofDomain(sink.received, "a.test");
    const b = ofDomain(sink.received, "b.test");
    expect(a).toHaveLength(20);
    expect(b).toHaveLength(20);
    const aRate = rateOf(a);
    const bRate = rateOf(b);
    console.log(`after 421s a.test: ${aRate.toFixed(2)}/s; b.test: ${bRate.toFixed(2)}/s (both configured 10/s)`);
    expect(bRate).toBeGreaterThan(5); // 10/s less a loaded machine's delays
    expect(bRate).toBeLessThanOrEqual(10 * 1.02);
    expect(aRate).toBeLessThan(0.8 * bRate);
    const pace = Object.fromEntries(summary.domains.map((d) => [d.domain, d]));
    expect(pace["a.test"]).toMatchObject({ configured: 10, slowdowns: 1 });
    expect(pace["a.test"].reason).toMatch(/421/);
    expect(pace["b.test"]).toMatchObject({ configured: 10, rate: 10, slowdowns: 0 });
  });
});
