// Topics on serve's pages: the subscribe form's checkboxes and the preference page in the system Chromium,
// and a one-click unsubscribe scoped to the topic (docs/audiences.md), on both state backends.
import type { FastifyInstance } from "fastify";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { NewsletterConfig } from "../../src/config/schema.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createPreferencesToken, createUnsubscribeToken } from "../../src/identity/token.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { close, createPublishServer, listen } from "../../src/server/server.js";
import { openStore, type Store } from "../../src/state/store.js";
import { writeFiles } from "../helpers/newsletter.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS } from "../preview/helpers.js";
import { type Sink, startSmtp } from "../send/helpers.js";
import { builtNewsletter, subscribeYaml } from "../site/fixtures.js";
import { backends } from "../state/backends.js";
import { post, request } from "./http.js";

const SECRET = "preferences-secret-0123456789abcdef";
const TOPICS = [
  { id: "treningi", title: "Тренинги", default: true },
  { id: "tehnika", title: "Техника продаж", default: true },
  { id: "vopros-otvet", title: "Вопрос-ответ", default: false },
];
const PATH = "/rassylka/unsubscribe";
const AT = "2026-12-01T10:00:00.000Z";

let b: Awaited<ReturnType<typeof builtNewsletter>>;
let config: NewsletterConfig;
let sink: Sink;
let browser: Browser;

beforeAll(async () => {
  b = await builtNewsletter();
  await writeFiles(b.dir, { "newsletter.yaml": await subscribeYaml("  limits:\n    minFillSeconds: 0\n") });
  const loaded = (await loadConfig(b.dir)).config;
  config = { ...loaded, topics: TOPICS, unsubscribe: { ...loaded.unsubscribe, scope: "topic" } };
  sink = await startSmtp();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_TEST_ARGS });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await sink?.close();
  await b?.remove();
});

describe.each(backends())("topics on serve's pages, $name", (backend) => {
  let store: Store;
  let server: FastifyInstance;
  let base: string;
  const listId = () => newsletterId(config);

  beforeAll(async () => {
    await backend.start();
    store = await openStore(await backend.fresh());
    server = createPublishServer({
      dir: b.dist,
      config,
      secret: SECRET,
      state: store,
      subscribe: { store: store.subscribers, mailer: new SmtpTransport({ url: sink.url, maxConnections: 2 }) },
    });
    base = await listen(server, 0);
  }, 120_000);
  afterAll(async () => {
    if (server) await close(server);
    await store?.close();
    await backend.stop();
  });

  test("the subscribe form offers the topics ticked per default; the reader's choice is recorded with the request", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}subscribe`);
      const form = page.locator("form.rassylka-subscribe-form");
      expect(await page.locator("html").getAttribute("lang")).toBe("ru");
      await expect.poll(() => form.locator("legend").textContent()).toBe("Темы");
      const box = (id: string) => form.locator(`input[name="topic"][value="${id}"]`);
      expect([await box("treningi").isChecked(), await box("tehnika").isChecked(), await box("vopros-otvet").isChecked()]).toEqual([
        true,
        true,
        false,
      ]);
      await form.locator('input[name="email"]').fill("Reader.Topics@Example.ru");
      await box("tehnika").uncheck();
      await box("vopros-otvet").check();
      await form.locator('input[name="consent"]').check();
      await Promise.all([page.waitForLoadState("load"), form.locator('button[type="submit"]').click()]);
      await expect
        .poll(async () => (await store.subscribers.get("reader.topics@example.ru"))?.topics, { timeout: 30_000 })
        .toEqual(["treningi", "vopros-otvet"]);
      expect(await store.subscribers.get("reader.topics@example.ru")).toMatchObject({
        status: "pending",
        topicsChanged: { source: "form" },
      });
    } finally {
      await page.close();
    }
  }, 90_000);

  test("the preference page: the reader's topics as checkboxes in the newsletter's language; saving and leaving are POSTs", async () => {
    await store.subscribers.upsertMany([{ address: "anna@example.ru" }], { status: "confirmed", source: "cli", at: AT });
    const page = await browser.newPage();
    try {
      const url = `${base}preferences?token=${createPreferencesToken("anna@example.ru", listId(), SECRET)}`;
      await page.goto(url);
      expect(await page.locator("h1").textContent()).toContain("Ваша подписка на рассылку");
      const box = (id: string) => page.locator(`form.rassylka-preferences input[name="topic"][value="${id}"]`);
      // never chose: the defaults are ticked; looking changed nothing
      expect([await box("treningi").isChecked(), await box("tehnika").isChecked(), await box("vopros-otvet").isChecked()]).toEqual([
        true,
        true,
        false,
      ]);
      expect((await store.subscribers.get("anna@example.ru"))?.topics).toBeNull();
      await box("treningi").uncheck();
      await box("vopros-otvet").check();
      await Promise.all([page.waitForLoadState("load"), page.locator('button[name="save"]').click()]);
      await expect.poll(() => page.locator("main").textContent()).toContain("Сохранено");
      expect(await store.subscribers.get("anna@example.ru")).toMatchObject({
        status: "confirmed",
        topics: ["tehnika", "vopros-otvet"],
        topicsChanged: { source: "preferences" },
      });
      expect(await box("vopros-otvet").isChecked()).toBe(true);
      // everything unticked is a choice too
      await box("tehnika").uncheck();
      await box("vopros-otvet").uncheck();
      await Promise.all([page.waitForLoadState("load"), page.locator('button[name="save"]').click()]);
      await expect.poll(async () => (await store.subscribers.get("anna@example.ru"))?.topics).toEqual([]);
      await Promise.all([page.waitForLoadState("load"), page.locator('button[name="unsubscribe"]').click()]);
      await expect.poll(() => store.suppressions.has("anna@example.ru")).toBe(true);
      expect(await page.locator("main").textContent()).toContain("отписан");
      expect((await store.subscribers.get("anna@example.ru"))?.status).toBe("unsubscribed");
    } finally {
      await page.close();
    }
  }, 90_000);

  test("a forged preference token, or an unsubscribe token used as one, is refused and changes nothing", async () => {
    const unsubscribeToken = createUnsubscribeToken("boris@example.ru", listId(), SECRET);
    expect((await request(base, `/preferences?token=${unsubscribeToken}`)).status).toBe(400);
    const r = await request(base, `/preferences?token=${unsubscribeToken}`, {
      method: "POST",
      body: "action=unsubscribe",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.status).toBe(400);
    expect(await store.suppressions.has("boris@example.ru")).toBe(false);
  });

  test("unsubscribe.scope: topic — one-click from a trainings issue drops trainings only; a reader outside the list leaves it all", async () => {
    await store.subscribers.upsertMany([{ address: "vera@example.ru", topics: ["treningi", "tehnika"] }], {
      status: "confirmed",
      source: "cli",
      at: AT,
    });
    const link = `${PATH}?token=${createUnsubscribeToken("vera@example.ru", listId(), SECRET)}&topic=treningi`;
    // GET asks, naming the topic, and changes nothing
    const asked = await request(base, link);
    expect(asked.status).toBe(200);
    expect(asked.body).toContain("Тренинги");
    expect((await store.subscribers.get("vera@example.ru"))?.topics).toEqual(["tehnika", "treningi"]);
    const r = await post(base, link);
    expect(r.status).toBe(200);
    expect(r.body).toContain("Тренинги");
    expect(await store.subscribers.get("vera@example.ru")).toMatchObject({
      status: "confirmed",
      topics: ["tehnika"],
      topicsChanged: { source: "one-click" },
    });
    expect(await store.suppressions.has("vera@example.ru")).toBe(false);
    // a reader of a CSV list has no topics here: the whole list, as before
    const csvReader = `${PATH}?token=${createUnsubscribeToken("gleb@example.ru", listId(), SECRET)}&topic=treningi`;
    expect((await post(base, csvReader)).status).toBe(200);
    expect(await store.suppressions.has("gleb@example.ru")).toBe(true);
    // an unknown topic is no topic: the whole list
    const unknown = `${PATH}?token=${createUnsubscribeToken("dina@example.ru", listId(), SECRET)}&topic=nope`;
    await store.subscribers.upsertMany([{ address: "dina@example.ru" }], { status: "confirmed", source: "cli", at: AT });
    expect((await post(base, unknown)).status).toBe(200);
    expect(await store.suppressions.has("dina@example.ru")).toBe(true);
  });
});
