// Polls end to end on both backends: an issue with a poll built and delivered to a real SMTP server
// (smtp-server, read back with mailparser); the vote links taken out of the delivered messages and
// followed through a real `serve` over HTTP — by a scanner (GET only), by readers in headless Chromium
// (the button), by a forger; the web version and the archive's polls page with their live counts;
// `poll results --json`; 500 concurrent votes from distinct readers. The pages readers see speak the
// newsletter's language (Russian here).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { translator } from "../../src/i18n/index.js";
import { readerKey } from "../../src/identity/click-token.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { pollToken } from "../../src/identity/poll-token.js";
import { pollResults } from "../../src/polls/results.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue } from "../../src/send/send-issue.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { serve } from "../../src/server/serve.js";
import { build } from "../../src/site/build.js";
import type { StateLocation } from "../../src/state/location.js";
import { run } from "../helpers/cli.js";
import { CHROMIUM, CHROMIUM_TEST_ARGS } from "../preview/helpers.js";
import { CONFIG, makeProject, parse, SECRET, type Sink, startSmtp } from "../send/helpers.js";
import { backends } from "../state/backends.js";

const ISSUE = "issues/2026-12-01-opros.md";
const SLUG = "2026-12-01-opros";
const BASE = "https://prodazhi.example.ru/rassylka";
const READERS = ["ivan@example.ru", "anna@example.ru", "olga@example.ru"];

const TEXT = `---
title: Выпуск с вопросом
date: 2026-12-01
---
Здравствуйте, {{subscriber.name}}!

\`\`\`poll id=next-topic
Какую тему разобрать в следующем выпуске?
- Просроченная дебиторка
- Переговоры о цене
- Холодные звонки
\`\`\`

\`\`\`poll id=old-question closes=2020-01-31
Этот вопрос уже закрыт?
- Да
- Нет
\`\`\`
`;

const targets = (location: StateLocation) => (location.kind === "postgres" ? location.url : location.file);

// the readers' browser: one for the file (both backends), a page for each reader
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_TEST_ARGS });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(backends())("polls on the $name store", (backend) => {
  let root: string;
  let cleanup: () => Promise<void>;
  let sink: Sink;
  let location: StateLocation;
  let base = "";
  let stopServe: () => void;
  let served: Promise<number>;
  const log: string[] = [];
  const links = new Map<string, string[]>();

  beforeAll(async () => {
    await backend.start();
    location = await backend.fresh();
    ({ root, cleanup } = await makeProject());
    await writeFile(join(root, ISSUE), TEXT);
    sink = await startSmtp();
    const summary = await sendIssue({
      root,
      issue: ISSUE,
      stateFile: targets(location),
      audience: addressList(READERS.join(",")),
      transport: new SmtpTransport({ url: sink.url, maxConnections: 1, thread: false }),
      concurrency: 1,
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(summary).toMatchObject({ sent: 3, failed: 0 });
    for (const m of sink.received) {
      const mail = await parse(m.raw);
      const to = m.to[0];
      const hrefs = [...String(mail.html).matchAll(/href="([^"]+)"[^>]*data-poll-answer="next-topic\/\d"/g)].map((x) => x[1]);
      links.set(to, hrefs);
      // the text part carries the same links
      for (const h of hrefs) expect(mail.text).toContain(h);
    }
    const built = await build({ root });
    expect(built.failed).toEqual([]);
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    stopServe = stop;
    let ready!: (url: string) => void;
    const listening = new Promise<string>((r) => {
      ready = r;
    });
    served = serve(
      { root, out: "dist", port: 0, host: "127.0.0.1", location, env: { RASSYLKA_SECRET: SECRET } },
      {
        out: (s) => {
          log.push(s);
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(s);
          if (m) ready(m[1]);
        },
        err: (s) => log.push(s),
      },
      stopped,
    );
    // serve failing before it listens says why, instead of waiting for the hook's timeout
    base = await Promise.race([
      listening,
      served.then(() => Promise.reject(new Error(`serve stopped before listening:\n${log.join("\n")}`))),
    ]);
    // a send, a build and serve: minutes on a loaded 2-core machine
  }, 300_000);

  afterAll(async () => {
    stopServe?.();
    await served;
    await sink?.close();
    await cleanup?.();
    await backend.stop();
  });

  const local = (url: string) => `${base}${url.slice(`${BASE}/`.length)}`;
  const results = async () => (await pollResults(location, root)).find((p) => p.poll === "next-topic")!;

  it("each reader's message has their own signed link per answer, on the newsletter's url", () => {
    const ivan = links.get("ivan@example.ru")!;
    const anna = links.get("anna@example.ru")!;
    expect(ivan).toHaveLength(3);
    for (const h of [...ivan, ...anna])
      expect(h).toMatch(/^https:\/\/prodazhi\.example\.ru\/rassylka\/poll\/next-topic\.[1-3]\.[0-9a-f]{16}\.[\w-]{22}$/);
    expect(new Set([...ivan, ...anna]).size).toBe(6);
  });

  it("a scanner's GET shows the question with that answer chosen and counts nothing", async () => {
    for (const h of links.get("olga@example.ru")!) {
      const r = await fetch(local(h));
      expect(r.status).toBe(200);
      expect(r.headers.get("cache-control")).toBe("no-store");
      const page = await r.text();
      expect(page).toContain("Какую тему разобрать в следующем выпуске?");
      expect(page).toMatch(/<input type="radio" name="answer" value="\d" checked>/);
    }
    expect((await results()).voters).toBe(0);
  });

  it("a reader votes in a browser with the button; voting again changes the vote and counts once", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(`${m.text()} ${m.location().url}`));
    await page.goto(local(links.get("ivan@example.ru")![1]));
    expect(await page.locator('input[name=answer][value="2"]').isChecked()).toBe(true);
    await page.getByRole("button", { name: "Проголосовать" }).click();
    await page.getByText("Ваш голос учтён").waitFor();
    expect(await results()).toMatchObject({ voters: 1, answers: [{ votes: 0 }, { votes: 1 }, { votes: 0 }] });
    // back in the email, another button: the page comes with that one chosen; a change of mind on the page counts
    await page.goto(local(links.get("ivan@example.ru")![0]));
    await page.locator('input[name=answer][value="3"]').check();
    await page.getByRole("button", { name: "Проголосовать" }).click();
    await page.getByText("Ваш голос изменён").waitFor();
    expect(await results()).toMatchObject({ voters: 1, answers: [{ votes: 0 }, { votes: 0 }, { votes: 1 }] });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a forged, truncated or foreign token is a 400 page and counts nothing", async () => {
    const good = links.get("anna@example.ru")![0];
    const token = good.slice(`${BASE}/poll/`.length);
    const foreign = pollToken({ poll: "next-topic", answer: 1, reader: "0123456789abcdef" }, "another-newsletter.example.org", SECRET);
    const forged = `${token.slice(0, -3)}${token.endsWith("AAA") ? "BBB" : "AAA"}`;
    for (const bad of [forged, token.slice(0, -5), foreign, token.replace("next-topic.1", "next-topic.2")]) {
      const r = await fetch(`${base}poll/${bad}`, {
        method: "POST",
        body: "answer=1",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(r.status, bad).toBe(400);
      expect(await r.text()).toContain("повреждена");
    }
    expect((await results()).voters).toBe(1);
  });

  it("a closed poll takes no votes and shows its results", async () => {
    const id = newsletterId(parseConfig(CONFIG).config!);
    const token = pollToken({ poll: "old-question", answer: 1, reader: readerKey(id, "anna@example.ru") }, id, SECRET);
    const r = await fetch(`${base}poll/${token}`, {
      method: "POST",
      body: "answer=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.status).toBe(410);
    expect(await r.text()).toContain("Голосование закрыто");
    expect((await pollResults(location, root)).find((p) => p.poll === "old-question")).toMatchObject({ voters: 0, closed: true });
  });

  it("500 readers voting at once are all counted, each once", async () => {
    const id = newsletterId(parseConfig(CONFIG).config!);
    const before = (await results()).voters;
    const statuses = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const token = pollToken({ poll: "next-topic", answer: (i % 3) + 1, reader: readerKey(id, `reader${i}@example.org`) }, id, SECRET);
        const r = await fetch(`${base}poll/${token}`, {
          method: "POST",
          body: `answer=${(i % 3) + 1}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = await results();
    expect(after.voters).toBe(before + 500);
    expect(after.answers.reduce((n, a) => n + a.votes, 0)).toBe(after.voters);
  });

  it("the web version and the archive's polls page show the live results instead of buttons", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    // the browser asks every site for /favicon.ico by itself; the archive has none
    page.on(
      "console",
      (m) => m.type() === "error" && !m.location().url.endsWith("/favicon.ico") && errors.push(`${m.text()} ${m.location().url}`),
    );
    const outside: string[] = [];
    page.on("request", (r) => !r.url().startsWith(base) && outside.push(r.url()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(`${base}${SLUG}.html`);
    const block = page.locator('[data-poll-results="next-topic"]');
    await block.locator("xpath=self::*[@data-state='filled']").waitFor();
    expect(await block.locator("a").count()).toBe(0);
    const counts = await block.locator(".rsk-poll-count").allTextContents();
    const r = await results();
    // the pages readers see speak the newsletter's language
    expect(counts).toEqual(r.answers.map((a) => `— ${translator("ru").t("polls:votes", { count: a.votes })}`));
    await page.goto(`${base}index.html`);
    await page.getByRole("link", { name: "Голосования" }).click();
    await page.locator('[data-poll-results="next-topic"][data-state="filled"]').waitFor();
    expect(await page.locator('[data-poll-results="old-question"]').textContent()).toContain("Голосование закрыто 2020-01-31");
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it("`poll results --json` gives each poll's question, answers with their votes and the voters", async () => {
    const r = await run(["poll", "results", SLUG, "--json", "--root", root, "--state", targets(location)]);
    expect(r.code, r.err).toBe(0);
    const list = JSON.parse(r.out);
    expect(list.map((p: { poll: string }) => p.poll)).toEqual(["next-topic", "old-question"]);
    expect(list[0]).toMatchObject({
      poll: "next-topic",
      issue: SLUG,
      question: "Какую тему разобрать в следующем выпуске?",
      answers: [{ text: "Просроченная дебиторка" }, { text: "Переговоры о цене" }, { text: "Холодные звонки" }],
    });
    expect(list[0].voters).toBe(list[0].answers.reduce((n: number, a: { votes: number }) => n + a.votes, 0));
    const text = await run(["poll", "results", "--root", root, "--state", targets(location)], { RASSYLKA_LANG: "ru" });
    expect(text.out).toMatch(/Переговоры о цене .*голос/);
  });

  it("the issue's report includes its polls: in --json and on the page", async () => {
    const r = await run(["report", SLUG, "--json", "--root", root, "--state", targets(location)]);
    expect(r.code, r.err).toBe(0);
    const figures = JSON.parse(r.out);
    const live = await results();
    expect(figures.polls.map((p: { poll: string }) => p.poll)).toEqual(["next-topic", "old-question"]);
    expect(figures.polls[0]).toMatchObject({
      question: "Какую тему разобрать в следующем выпуске?",
      voters: live.voters,
      answers: live.answers,
    });
    const page = await readFile(join(root, "report", SLUG, "index.html"), "utf8");
    expect(page).toContain("Какую тему разобрать в следующем выпуске?");
    expect(page).toContain("Холодные звонки");
  });
});
