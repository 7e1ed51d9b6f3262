// The whole subscribe flow through the built CLI (`npm run build:ts && node scripts/bundle.mjs` first)
// and the system Chromium: the archive's form → the confirmation email (a real smtp-server) → the link
// → the button → confirmed → the welcome issue → the next `send --subscribers` includes the reader.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { copyExampleNewsletter, REPO, writeFiles } from "../helpers/newsletter.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS } from "../preview/helpers.js";
import { parse, type Sink, startSmtp } from "../send/helpers.js";
import { CONSENT, subscribeYaml } from "../site/fixtures.js";
import { request } from "./http.js";

const BIN = join(REPO, "bin", "rassylka.js");
const SECRET = "subscribe-browser-secret-0123456789";
const WELCOME = "2026-11-10-tekushchaya-debitorka";
const NEXT = "2026-11-24-ne-pryachtes-za-firmu";

let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
let sink: Sink;
let browser: Browser;
let serve: ChildProcess | undefined;
let log = "";

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: t.dir, env: { PATH: process.env.PATH, RASSYLKA_LANG: "en", RASSYLKA_SECRET: SECRET, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function startServe(env: Record<string, string> = { SMTP_URL: sink.url }): Promise<string> {
  log = "";
  serve = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    cwd: t.dir,
    env: { PATH: process.env.PATH, RASSYLKA_LANG: "en", RASSYLKA_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    serve!.stdout!.on("data", (c) => {
      log += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
      if (m) resolve(m[1]);
    });
    serve!.stderr!.on("data", (c) => {
      log += c;
    });
    serve!.on("exit", (code) => reject(new Error(`serve exited ${code}: ${log}`)));
  });
}

beforeAll(async () => {
  t = await copyExampleNewsletter();
  await writeFiles(t.dir, { "newsletter.yaml": await subscribeYaml(`  welcome: ${WELCOME}\n`) });
  sink = await startSmtp();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_TEST_ARGS });
}, 120_000);
afterAll(async () => {
  serve?.kill("SIGTERM");
  await browser?.close();
  await sink?.close();
  await t?.remove();
});

const subscribers = async () => JSON.parse((await run(["subscribers", "list", "--json"])).stdout);

test("form → confirmation email → link → button → confirmed → welcome issue → the next send --subscribers includes the reader", async () => {
  expect((await run(["build"])).code).toBe(0);
  const base = await startServe();
  const page = await browser.newPage();
  await page.goto(`${base}index.html`);
  const form = page.locator("form.rassylka-subscribe-form");
  await expect.poll(() => form.locator('input[name="stamp"]').inputValue()).toMatch(/^\d+\./);
  await form.locator('input[name="email"]').fill("Reader.Browser@Example.ru");
  await form.locator('input[name="name"]').fill("Мария");
  // at once: faster than a person, so the form comes back (with the values, a fresh stamp, consent unticked)
  await form.locator('input[name="consent"]').check();
  await form.locator('button[type="submit"]').click();
  await page.waitForLoadState();
  expect(await page.locator("body").textContent()).toContain("Форма отправлена слишком быстро");
  expect(await page.locator('input[name="email"]').inputValue()).toBe("Reader.Browser@Example.ru");
  expect(await page.locator('input[name="consent"]').isChecked()).toBe(false);
  // the honeypot is not something a person sees
  expect(await page.locator('input[name="website"]').isVisible()).toBe(true); // in the DOM, but off-screen:
  const box = await page.locator('input[name="website"]').boundingBox();
  expect(box && box.x + box.width).toBeLessThan(0);
  await page.waitForTimeout(3200);
  await page.locator('input[name="consent"]').check();
  await page.locator('button[type="submit"]').click();
  await page.waitForLoadState();
  expect(await page.locator("h1").textContent()).toBe("Проверьте почту");

  await sink.waitForReceived(1);
  const mail = await parse(sink.received[0].raw);
  expect(mail.subject).toBe("Подтвердите подписку на рассылку «Как увеличить объёмы продаж»");
  const link = new URL((mail.text ?? "").match(/https:\/\/\S+/)![0]);
  const local = `${base.replace(/\/$/, "")}${link.pathname}${link.search}`;
  // a mail scanner follows the link first: nothing is confirmed
  expect((await request(base, `${link.pathname}${link.search}`)).status).toBe(200);
  expect((await subscribers())[0]).toMatchObject({ email: "reader.browser@example.ru", status: "pending" });

  await page.goto(local);
  expect(await page.locator("body").textContent()).toContain("Подтвердите подписку адреса reader.browser@example.ru");
  await page.locator('button[type="submit"]').click();
  await page.waitForLoadState();
  expect(await page.locator("body").textContent()).toContain("Готово: вы подписаны на рассылку «Как увеличить объёмы продаж»");
  const [s] = await subscribers();
  expect(s).toMatchObject({
    email: "reader.browser@example.ru",
    address: "Reader.Browser@Example.ru",
    status: "confirmed",
    fields: { name: "Мария" },
    source: "form",
    consent: { ip: "127.0.0.1", page: "https://prodazhi.example.ru/rassylka/", text: CONSENT },
  });
  expect(s.consent.userAgent).toMatch(/Chrome/);
  expect(s.confirmed.at).toBeTruthy();

  // the welcome issue, through send's ledger
  await sink.waitForReceived(2);
  const welcome = await parse(sink.received[1].raw);
  expect(welcome.subject).toContain("Договор подписан");
  expect(welcome.html).toContain("Мария, добрый день!");
  await page.close();
  serve?.kill("SIGTERM");
  await new Promise((r) => serve?.once("exit", r));
  expect(log).toMatch(/subscribe: \{"event":"subscribe","result":"too-fast","email":"R\*\*\*@Example\.ru","ip":"127\.0\.0\.1"\}/);
  expect(log).toMatch(/subscribe: \{"event":"confirm","result":"confirmed","email":"r\*\*\*@example\.ru"/);
  expect(log).not.toContain("Reader.Browser@");

  // the next issue to the list: the reader is in it
  const sent = await run(["send", NEXT, "--subscribers", "--transport", "smtp", "--yes", "--json"], { SMTP_URL: sink.url });
  expect(sent.stderr).not.toMatch(/error/);
  expect(JSON.parse(sent.stdout)).toMatchObject({ total: 1, sent: 1, exitCode: 0 });
  expect(sink.received).toHaveLength(3);
  expect(sink.received[2].to.map((a) => a.toLowerCase())).toEqual(["reader.browser@example.ru"]);
  // and the welcome issue is in the ledger: sending it to the list later skips her
  const again = await run(["send", WELCOME, "--subscribers", "--dry-run", "--json"]);
  expect(JSON.parse(again.stdout)).toMatchObject({ alreadySent: 1 });
}, 180_000);

test("without SMTP_URL the confirmation goes into outbox/subscribe/, where the outbox transport writes", async () => {
  // the minimum fill time is the first test's (in the browser); here a form may come at once
  await writeFiles(t.dir, { "newsletter.yaml": await subscribeYaml(`  welcome: ${WELCOME}\n  limits:\n    minFillSeconds: 0\n`) });
  const base = await startServe({});
  try {
    const stamp = (await request(base, "/subscribe/stamp")).body;
    const body = new URLSearchParams({ email: "outbox.reader@example.ru", consent: "yes", stamp }).toString();
    const r = await request(base, "/subscribe", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(r.status).toBe(200);
    expect(log).toMatch(/confirmations → outbox\/subscribe\//);
    // the confirmation is written after the answer (queued)
    const eml = join(t.dir, "outbox", "subscribe", "outbox.reader@example.ru.eml");
    for (let i = 0; i < 200 && !existsSync(eml); i++) await new Promise((r) => setTimeout(r, 50));
    const mail = await parse(await readFile(eml));
    expect(mail.subject).toBe("Подтвердите подписку на рассылку «Как увеличить объёмы продаж»");
    expect(mail.text).toMatch(/https:\/\/prodazhi\.example\.ru\/rassylka\/subscribe\/confirm\?token=/);
  } finally {
    serve?.kill("SIGTERM");
    await new Promise((r) => serve?.once("exit", r));
  }
}, 60_000);
