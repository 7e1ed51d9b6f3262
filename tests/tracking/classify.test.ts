import { describe, expect, it } from "vitest";
import { BurstWatch, Classifier, DEFAULT_RULES, type Hit } from "../../src/tracking/classify.js";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const YABROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 YaBrowser/24.6.0.0 Safari/537.36";
const GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
const YANDEX_PROXY = "Mozilla/5.0 (compatible; YandexImageResizer/2.0; +http://yandex.com/bots)";
const MAILRU_PROXY = "Mozilla/5.0 (compatible; Linux x86_64; Mail.RU_Bot/Img/2.0; +http://go.mail.ru/help/robots)";
const SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))";
const CURL = "curl/8.5.0";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

const click = (over: Partial<Hit>): Hit => ({ kind: "click", link: 3, method: "GET", userAgent: CHROME, address: "203.0.113.7", ...over });

describe("how a click or an open is classified (src/tracking/rules.json)", () => {
  const classifier = new Classifier();

  it.each([
    ["a person in Chrome", click({}), "human", "human"],
    ["a person on an iPhone", click({ userAgent: IPHONE }), "human", "human"],
    ["a person in Yandex Browser (not Yandex's image proxy)", click({ userAgent: YABROWSER }), "human", "human"],
    ["a person behind an IPv4-mapped IPv6 socket", click({ address: "::ffff:198.51.100.1" }), "human", "human"],
    ["the invisible canary link", click({ link: 0 }), "automated", "canary"],
    ["the canary even with a person's browser and address", click({ link: 0, userAgent: IPHONE }), "automated", "canary"],
    ["a HEAD request (no browser sends one for a link)", click({ method: "HEAD" }), "automated", "method:HEAD"],
    ["no user agent", click({ userAgent: undefined }), "automated", "ua:empty"],
    ["a blank user agent", click({ userAgent: "  " }), "automated", "ua:empty"],
    ["Gmail's image proxy by its user agent", click({ kind: "open", link: 0, userAgent: GMAIL_PROXY }), "proxy", "proxy:google:ua"],
    ["Yandex Mail's image proxy by its user agent", click({ kind: "open", userAgent: YANDEX_PROXY }), "proxy", "proxy:yandex:ua"],
    ["Mail.ru's image proxy by its user agent", click({ kind: "open", userAgent: MAILRU_PROXY }), "proxy", "proxy:mailru:ua"],
    ["Apple Mail Privacy Protection's bare user agent", click({ kind: "open", userAgent: "Mozilla/5.0" }), "proxy", "proxy:apple-mpp:ua"],
    [
      "Apple's address with a browser-like agent",
      click({ kind: "open", userAgent: IPHONE, address: "17.58.63.10" }),
      "proxy",
      "proxy:apple-mpp:address",
    ],
    ["Google's proxy address", click({ address: "66.249.84.20" }), "proxy", "proxy:google:address"],
    ["Yandex's address", click({ address: "5.45.207.1" }), "proxy", "proxy:yandex:address"],
    ["Yandex's IPv6 address", click({ address: "2a02:6b8:c00::1" }), "proxy", "proxy:yandex:address"],
    ["Mail.ru's address", click({ address: "::ffff:94.100.180.3" }), "proxy", "proxy:mailru:address"],
    ["a mail scanner isbot does not know", click({ userAgent: SCANNER }), "automated", "ua:scanner"],
    ["a mail scanner isbot knows", click({ userAgent: "Mimecast" }), "automated", "ua:scanner"],
    ["curl", click({ userAgent: CURL }), "automated", "ua:isbot"],
    ["Googlebot (a bot, not Gmail's proxy)", click({ userAgent: GOOGLEBOT }), "automated", "ua:isbot"],
    ["an open by a person's mail app", click({ kind: "open", link: 0, userAgent: IPHONE }), "human", "human"],
  ])("%s", (_name, hit, uaClass, rule) => {
    expect(classifier.classify(hit)).toEqual({ uaClass, rule });
  });

  it("the rules are data: another set of rules classifies by it", () => {
    const strict = new Classifier({ ...DEFAULT_RULES, proxies: [], emptyUserAgent: "human", methods: {} });
    expect(strict.classify(click({ userAgent: GMAIL_PROXY }))).toEqual({ uaClass: "automated", rule: "ua:isbot" });
    expect(strict.classify(click({ userAgent: "" }))).toEqual({ uaClass: "human", rule: "ua:empty" });
    expect(strict.classify(click({ method: "HEAD" }))).toEqual({ uaClass: "human", rule: "human" });
  });

  it("every proxy in the data has a name, user agents or ranges, and ranges that parse", () => {
    for (const p of DEFAULT_RULES.proxies) {
      expect(p.name).toMatch(/^[a-z-]+$/);
      expect(p.userAgents.length + p.ranges.length).toBeGreaterThan(0);
    }
    expect(() => new Classifier()).not.toThrow();
  });
});

describe("the burst rule: many links of one message within seconds of its delivery", () => {
  const sent = Date.parse("2026-12-01T10:00:00Z");
  const s = 1000;

  it("the third different link within 10 s, right after delivery, makes the burst automated, the earlier ones too", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    expect(watch.see("m", sent, 1, sent + 5 * s, "e1")).toEqual({ burst: false, earlier: [] });
    expect(watch.see("m", sent, 2, sent + 6 * s, "e2")).toEqual({ burst: false, earlier: [] });
    expect(watch.see("m", sent, 3, sent + 7 * s, "e3")).toEqual({ burst: true, earlier: ["e1", "e2"] });
    // the next one of the burst: automated, nothing left to reclassify
    expect(watch.see("m", sent, 4, sent + 8 * s, "e4")).toEqual({ burst: true, earlier: [] });
  });

  it("the same link clicked again and again is not a burst of links", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    for (let i = 0; i < 5; i++) expect(watch.see("m", sent, 1, sent + i * s, `e${i}`).burst).toBe(false);
  });

  it("three links spread over more than 10 s are a person reading", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    expect(watch.see("m", sent, 1, sent + 5 * s, "e1").burst).toBe(false);
    expect(watch.see("m", sent, 2, sent + 12 * s, "e2").burst).toBe(false);
    expect(watch.see("m", sent, 3, sent + 20 * s, "e3").burst).toBe(false);
  });

  it("three links within seconds, but an hour after delivery, are a person opening tabs", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    for (const [i, link] of [1, 2, 3].entries()) expect(watch.see("m", sent, link, sent + 3600 * s + i * s, `e${i}`).burst).toBe(false);
  });

  it("messages are told apart, and forgotten after their first stretch", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    watch.see("a", sent, 1, sent + s, "a1");
    watch.see("b", sent, 2, sent + s, "b1");
    expect(watch.see("a", sent, 3, sent + 2 * s, "a2").burst).toBe(false);
    expect(watch.size).toBe(2);
    watch.see("c", sent + 3600 * s, 1, sent + 3600 * s, "c1");
    expect(watch.size).toBe(1);
  });

  it("earlier events that were not human (a bot's) are not listed to reclassify", () => {
    const watch = new BurstWatch(DEFAULT_RULES.burst);
    watch.see("m", sent, 1, sent + s, "e1", false);
    watch.see("m", sent, 2, sent + s, "e2");
    expect(watch.see("m", sent, 3, sent + s, "e3")).toEqual({ burst: true, earlier: ["e2"] });
  });
});
