/**
 * `npm run bench -- search [issues] [rounds]`: the archive's search on 500 generated issues (default).
 *
 * 1. A cold build as a whole process (`rassylka build --no-cache --json`, which writes the index), and the
 *    index's share of its time (`search.ms` of the JSON over the process's wall time). Target < 25 %.
 * 2. The bare library doing the same work: one `node` process that gives Pagefind's Node API the same
 *    records (createIndex, addCustomRecord ×N, writeFiles); our index step against it, ratio printed.
 * 3. The reader's first query in headless Chromium on the built site: bytes transferred from the archive
 *    page's load to the first result (search.js, Pagefind's script and WebAssembly, the index's metadata,
 *    chunks and fragments; no compression, as a plain static host sends them) — target < 300 KB — and
 *    the time from the query typed into the box to the first result on screen (a first keystroke searches at
 *    once; keystrokes close behind it wait for a 120 ms pause) — target < 300 ms.
 */
import { execFile } from "node:child_process";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { contentType } from "../src/server/static.js";
import { makeNewsletter, ratio } from "./bench-build.js";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin", "rassylka.js");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const RUBRICS = ["техника продаж", "тренинги", "вопрос-ответ", "бизнес литература"];
const WORDS =
  "дебиторка клиент договор оплата отсрочка претензия звонок переговоры скидка возражение поставка счёт менеджер директор бухгалтерия склад товар цена сделка встреча письмо презентация заказ партнёр рынок конкурент бюджет прибыль выручка продажа покупатель поставщик график гарантия сервис качество доверие репутация условие задолженность напоминание график решение вопрос ответ тренинг семинар книга автор совет опыт ошибка успех план отчёт цель задача результат команда руководитель продавец".split(
    " ",
  );

/** A deterministic pseudo-random generator: every run indexes the same text. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Issue i's body: eight paragraphs of words drawn from the vocabulary in many forms, and two rubrics. */
function issueText(i: number): string {
  const next = random(i + 1);
  const word = () => {
    const w = WORDS[Math.floor(next() * WORDS.length)];
    const ending = ["", "а", "у", "ой", "ами", "и", "ом", "ах"][Math.floor(next() * 8)];
    return /[аяь]$/.test(w) ? w.slice(0, -1) + (ending || w.slice(-1)) : w + ending;
  };
  const paragraph = () => Array.from({ length: 40 }, word).join(" ");
  const day = String((i % 28) + 1).padStart(2, "0");
  const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, "0");
  const year = 2010 + Math.floor(i / 336);
  const tags = [RUBRICS[i % 4], RUBRICS[(i + 1) % 4]];
  return `---
title: "Выпуск ${i}: ${word()} и ${word()}"
date: ${year}-${month}-${day}
preheader: ${word()} ${word()} ${word()}.
tags: [${tags.join(", ")}]
---
Добрый день!

${Array.from({ length: 8 }, paragraph).join("\n\n")}

Успехов вам и больших продаж!
`;
}

function node(args: string[], cwd: string): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(" ")}: ${stderr || error.message}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

/** The bare library: Pagefind's Node API over the same records, as one process. */
const BARE = `
const records = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).records;
(async () => {
  const pagefind = await import("pagefind");
  const started = performance.now();
  const { index } = await pagefind.createIndex({ forceLanguage: "ru" });
  for (const r of records)
    await index.addCustomRecord({ url: r.slug + ".html", content: [r.title, r.preheader, r.text, r.tags.join(", ")].join("\\n"),
      language: "ru", meta: { title: r.title, date: r.date, day: r.day, slug: r.slug }, filters: { rubric: r.tags }, sort: { date: r.date } });
  await index.writeFiles({ outputPath: process.argv[2] });
  await pagefind.close();
  console.log(performance.now() - started);
})();
`;

/** The built site over HTTP on 127.0.0.1, as a plain static host serves it (no compression). */
export async function serveDir(dir: string) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    try {
      const body = await readFile(join(dir, path.endsWith("/") ? `${path}index.html` : path));
      res.writeHead(200, { "content-type": contentType(path), "content-length": body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

interface Query {
  /** Bytes of every response the page and its worker got after the archive page itself. */
  bytes: number;
  files: string[];
  /** From the query in the box to the first result on screen. */
  ms: number;
  results: number;
}

/**
 * One reader's first query on a fresh browser (no cache). `focusFirst`: the reader clicks into the box
 * (which starts loading Pagefind) and types once it has loaded; otherwise the query lands in a box nothing
 * was loaded for, and the time includes loading Pagefind.
 */
export async function firstQuery(url: string, dist: string, query: string, focusFirst: boolean): Promise<Query> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    let bytes = 0;
    const files: string[] = [];
    const counted: Promise<void>[] = [];
    // context-wide: Pagefind fetches its index from a web worker, whose requests a page's own CDP session misses
    context.on("requestfinished", (request) => {
      if (/\/(index\.html)?$/.test(request.url())) return; // the archive page itself is not the search's
      counted.push(
        // the file's size: the worker's own script reports no body size through the protocol
        Promise.all([request.sizes(), stat(join(dist, new URL(request.url()).pathname))]).then(([s, file]) => {
          bytes += file.size + s.responseHeadersSize;
          files.push(`${request.url().replace(url, "")} ${file.size}`);
        }),
      );
    });
    await page.goto(`${url}index.html`);
    await page.locator(".rsk-search").waitFor({ state: "visible" });
    if (focusFirst) {
      await page.locator("#rsk-search-q").focus();
      await page.locator(".rsk-search[data-ready]").waitFor({ state: "attached", timeout: 60_000 });
    }
    const measured = await page.evaluate(async (q) => {
      const input = document.querySelector<HTMLInputElement>("#rsk-search-q")!;
      const list = document.querySelector("#rsk-search-results")!;
      const done = new Promise<number>((resolve) => {
        new MutationObserver(() => {
          if (list.children.length) resolve(performance.now());
        }).observe(list, { childList: true });
      });
      const started = performance.now();
      input.value = q;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      return { ms: (await done) - started, results: list.children.length };
    }, query);
    // every result's fragment counted: the box shows the first five, then fetches the next fifteen
    await page.locator(".rsk-search[data-state=done]").waitFor({ state: "attached", timeout: 60_000 });
    await Promise.all(counted);
    return { bytes, files, ...measured };
  } finally {
    await browser.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 500);
  const rounds = Number(args[1] ?? 3);
  const dir = await makeNewsletter(0);
  try {
    const yaml = await readFile(join(dir, "newsletter.yaml"), "utf8");
    await writeFile(
      join(dir, "newsletter.yaml"),
      `${yaml}rubrics:\n${RUBRICS.map((r) => `  ${r}: ${r[0].toUpperCase()}${r.slice(1)}`).join("\n")}\n`,
    );
    for (let i = 0; i < n; i++) await writeFile(join(dir, "issues", `issue-${String(i).padStart(3, "0")}.md`), issueText(i));
    const best = {
      build: Number.POSITIVE_INFINITY,
      share: Number.POSITIVE_INFINITY,
      index: Number.POSITIVE_INFINITY,
      bare: Number.POSITIVE_INFINITY,
    };
    let summary: { records: number; files: number; bytes: number } = { records: 0, files: 0, bytes: 0 };
    for (let r = 0; r < rounds; r++) {
      await rm(join(dir, "dist"), { recursive: true, force: true });
      await rm(join(dir, ".rassylka"), { recursive: true, force: true });
      const cold = await node([BIN, "build", "--no-cache", "--json"], dir);
      const search = JSON.parse(cold.stdout).search;
      summary = search;
      best.build = Math.min(best.build, cold.ms);
      best.share = Math.min(best.share, search.ms / cold.ms);
      best.index = Math.min(best.index, search.ms);
      const bare = await node(["-e", BARE, join(dir, "dist", ".rassylka-search.json"), join(dir, "bare-pagefind")], ROOT);
      best.bare = Math.min(best.bare, Number(bare.stdout.trim()));
    }
    const site = await serveDir(join(dir, "dist"));
    let cold: Query | undefined;
    let focused: Query | undefined;
    try {
      // a browser round is cheap next to a build: more of them, against a busy machine's noise
      for (let r = 0; r < Math.max(rounds, 5); r++) {
        const c = await firstQuery(site.url, join(dir, "dist"), "дебиторкой", false);
        if (!cold || c.ms < cold.ms) cold = c;
        const f = await firstQuery(site.url, join(dir, "dist"), "дебиторкой", true);
        if (!focused || f.ms < focused.ms) focused = f;
      }
    } finally {
      site.close();
    }
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    console.log(`search benchmark: ${n} issues, best of ${rounds} rounds (Node ${process.version})`);
    console.log(`  index on disk:          ${summary.records} issues, ${summary.files} files, ${kb(summary.bytes)}`);
    console.log(`  cold build (process):   ${best.build.toFixed(0)} ms, of which the index ${best.index.toFixed(0)} ms`);
    console.log(`  index share of build:   ${(best.share * 100).toFixed(1)} % (target < 25 %${best.share < 0.25 ? "" : ", MISSED"})`);
    console.log(`  bare Pagefind API:      ${best.bare.toFixed(0)} ms   ${ratio("index/bare", best.index / best.bare, 1.5)}`);
    const target = (ms: number) => `(target < 300 ms${ms < 300 ? "" : ", MISSED"})`;
    console.log(`  first query «дебиторкой» in Chromium: ${cold!.results} results shown`);
    console.log(
      `    transferred:          ${kb(cold!.bytes)} in ${cold!.files.length} files (target < 300 KB${cold!.bytes < 300 * 1024 ? "" : ", MISSED"})`,
    );
    console.log(`    first result, box focused first (Pagefind loads on focus): ${focused!.ms.toFixed(0)} ms ${target(focused!.ms)}`);
    console.log(`    first result, typed into a box nothing was loaded for:    ${cold!.ms.toFixed(0)} ms ${target(cold!.ms)}`);
    if (process.env.BENCH_VERBOSE) for (const f of cold!.files) console.log(`      ${f}`);
  } finally {
    if (process.env.BENCH_KEEP) console.log(`  kept: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
