/**
 * `npm run bench -- search [issues] [rounds]`: the archive's search on 500 generated issues (default).
 *
 * 1. A cold build as a whole process (`rassylka build --no-cache --json`, which writes the index), and the
 *    index's share of its time (`search.ms` of the JSON over the process's wall time). Target < 25 %.
 * 2. Our index step against the bare library, like with like: in each round one fresh `node` process runs
 *    our step (`buildSearchIndex` from dist-lib: `npm run prepare` first) over the cold build's records into
 *    an empty folder, and one fresh `node` process gives Pagefind's Node API the same records (createIndex,
 *    addCustomRecord ×N, writeFiles, close), each timed from before it imports Pagefind; the two alternate
 *    which goes first. Ratio of the bests (target ≤ 1.5), with every round's ratio.
 * 3. Readers in headless Chromium on the built site, served as plain files (no compression), each on a
 *    fresh browser: bytes of every response after the archive page itself (search.js, Pagefind's scripts
 *    and WebAssembly, the index's metadata, chunks and fragments) and the time to the first result of the
 *    query «дебиторкой» on screen (target < 300 ms, < 300 KB):
 *    - a visitor who never searches: the page loaded and left idle for 2 s; bytes only;
 *    - a reader: the page loaded, READ ms later (1,000; `BENCH_READ_MS`) the pointer goes to the box and
 *      clicks it, and the word is typed a key at a time, KEY ms apart (150, a fast typist; `BENCH_KEY_MS`);
 *      timed from the last key (and the longest task that held the page's main thread meanwhile: a key
 *      waits for it); also a reader who clicks and types at once when the page has loaded;
 *    - the box focused first and the word arriving in one input event once Pagefind has loaded;
 *    - the worst case: the word in one input event the moment the page has loaded, nothing loaded before
 *      (an `index.html?q=` link does this), with where its time goes: each file's fetch from the page's and
 *      the worker's resource timing (`BENCH_TRACE=file.json` also writes a Chromium trace of one round).
 *    Best of max(rounds, 5) browser rounds, with the median; the load average beside every figure.
 *
 * `BENCH_QUERY=<word>` measures another word; `BENCH_VERBOSE=1` lists the files a reader's query fetched; `BENCH_KEEP=1` keeps the generated newsletter,
 * and `BENCH_DIR=<it>` measures its built site again in the browser only (with the current assets/search.js,
 * or the script `BENCH_SCRIPT=<file>` names).
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
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

/** The bare library: Pagefind's Node API over the same records, as one process, timed from its import. */
const BARE = `
const records = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).records;
(async () => {
  const started = performance.now();
  const pagefind = await import("pagefind");
  const { index } = await pagefind.createIndex({ forceLanguage: "ru", writePlayground: false });
  for (const r of records)
    await index.addCustomRecord({ url: r.slug + ".html", content: [r.title, r.preheader, r.text, r.tags.join(", ")].join("\\n"),
      language: "ru", meta: { title: r.title, date: r.date, day: r.day, slug: r.slug }, filters: { rubric: r.tags }, sort: { date: r.date } });
  await index.writeFiles({ outputPath: process.argv[2] });
  await pagefind.close();
  console.log(performance.now() - started);
})();
`;

/**
 * Our index step over the same records, as one process: buildSearchIndex from dist-lib as the build calls it
 * (the issues' manifest entries and compiled texts), into an empty folder, timed around the call (which
 * imports Pagefind itself).
 */
const OURS = `
const records = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).records;
(async () => {
  const { buildSearchIndex } = await import(require("node:url").pathToFileURL(process.argv[3]).href);
  const entries = records.map((r) => ({ slug: r.slug, title: r.title, preheader: r.preheader, date: r.date, draft: false }));
  const sources = records.map((r) => ({ slug: r.slug, tags: r.tags, bodyText: r.text }));
  const started = performance.now();
  const result = await buildSearchIndex(process.argv[2], JSON.parse(process.argv[4]), entries, sources);
  const ms = performance.now() - started;
  if (!result.rebuilt || result.records !== records.length) throw new Error("the index was not built: " + JSON.stringify(result.diagnostics));
  console.log(ms);
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

/** The 1-minute load average now, for the figure taken now. */
const load = () => loadavg()[0] ?? 0;

/** The reader's word (`BENCH_QUERY`: another word, say a short one, whose typing hides less of the loading). */
const QUERY = process.env.BENCH_QUERY ?? "дебиторкой";

type Reader = "idle" | "reader" | "reader-at-once" | "focused" | "worst";

interface Visit {
  /** Bytes of every response the page and its worker got after the archive page itself. */
  bytes: number;
  files: string[];
  /** To the query's first result on screen: from the last keystroke (or the one input event). */
  ms: number;
  /** From the first keystroke to the first result of any prefix on screen (a reader typing). */
  firstAny?: number;
  /** The longest task on the page's main thread while the reader typed (a key pressed then waits for it). */
  keyDelay?: number;
  /** From the pointer over the box to Pagefind ready (a reader). */
  ready?: number;
  results: number;
  /** The load average when the visit ran. */
  load: number;
  /** Where the worst case's time went: each fetch's start and end from the input event, in ms. */
  timeline?: string[];
}

/** What `watch` saw, in the page's clock. */
interface Seen {
  inputs: number[];
  /** The longest task on the page's main thread (50 ms and over; 0 when none). */
  delay: number;
  over?: number;
  ready?: number;
  any?: number;
  shown?: number;
}

/** In the page: timestamps of the reader's inputs, the pointer's arrival, Pagefind ready, results shown. */
function watch(query: string) {
  const box = document.querySelector<HTMLElement>(".rsk-search")!;
  const list = document.querySelector("#rsk-search-results")!;
  const seen: Seen = {
    inputs: [],
    delay: 0,
  };
  (window as unknown as { bench: typeof seen }).bench = seen;
  box.addEventListener("pointerover", () => (seen.over ??= performance.now()), true);
  box.querySelector("input[type=search]")!.addEventListener("input", () => seen.inputs.push(performance.now()), true);
  // the page's main thread busy for 50 ms or more: a key pressed then waits
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.delay = Math.max(seen.delay, e.duration);
  }).observe({ type: "longtask" });
  new MutationObserver(() => {
    if (box.dataset.ready) seen.ready ??= performance.now();
    if (box.dataset.query === query) seen.shown ??= performance.now();
  }).observe(box, { attributes: true, attributeFilter: ["data-ready", "data-query"] });
  new MutationObserver(() => {
    if (list.children.length) seen.any ??= performance.now();
  }).observe(list, { childList: true });
}

interface Timing {
  origin: number;
  entries: { name: string; start: number; end: number }[];
}
function resourceTimes(): Timing {
  return {
    origin: performance.timeOrigin,
    entries: performance
      .getEntriesByType("resource")
      .map((e) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd })),
  };
}

/** Each fetch of the page and its worker, from `t0` (the page's clock): `+12 → +30 ms  pagefind/pagefind.js`. */
async function timeline(page: Page, url: string, t0: number, marks: Record<string, number>): Promise<string[]> {
  const all = [await page.evaluate(resourceTimes), ...(await Promise.all(page.workers().map((w) => w.evaluate(resourceTimes))))];
  const origin = all[0].origin + t0;
  const rows = all.flatMap((t) =>
    t.entries.map((e) => ({
      at: t.origin + e.start - origin,
      end: t.origin + e.end - origin,
      what: e.name.replace(url, "").replace(/\?.*/, ""),
    })),
  );
  for (const [what, at] of Object.entries(marks)) rows.push({ at: at - t0, end: Number.NaN, what: `— ${what}` });
  return rows
    .filter((r) => r.at >= -1)
    .sort((a, b) => a.at - b.at)
    .map(
      (r) => `${`+${r.at.toFixed(0)}`.padStart(6)} ${Number.isNaN(r.end) ? "       " : `→ +${r.end.toFixed(0)}`.padEnd(7)} ms  ${r.what}`,
    );
}

/** The trace's categories: the timeline's script, compile and task events, and WebAssembly's compilation. */
const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.execute",
  "v8",
  "v8.wasm",
  "toplevel",
  "blink.user_timing",
];
/** The page's mark where the measured window starts (the input event). */
const MARK = "bench-input";

/**
 * Inclusive time of the trace's complete events from the page's MARK on, by thread and name: the top 15
 * (nested events are counted in their parents too).
 */
async function traceSummary(path: string): Promise<string[]> {
  const trace = JSON.parse(await readFile(path, "utf8")) as {
    traceEvents: { ph: string; name: string; pid: number; tid: number; ts: number; dur?: number; args?: { name?: string } }[];
  };
  const threads = new Map<string, string>();
  for (const e of trace.traceEvents) if (e.ph === "M" && e.name === "thread_name") threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
  const from = trace.traceEvents.find((e) => e.name === MARK)?.ts ?? 0;
  const sums = new Map<string, number>();
  for (const e of trace.traceEvents) {
    if (e.ph !== "X" || !e.dur || e.ts < from) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid} ${e.name}`;
    sums.set(key, (sums.get(key) ?? 0) + e.dur / 1000);
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

/** One visit of the archive page on a fresh browser (no cache), as `who` does it. */
export async function visit(
  browser: Browser,
  url: string,
  dist: string,
  who: Reader,
  opts: { readMs: number; keyMs: number; trace?: string } = { readMs: 1000, keyMs: 150 },
): Promise<Visit> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let bytes = 0;
    const files: string[] = [];
    const counted: Promise<void>[] = [];
    const loadAt = load();
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
    if (opts.trace) await browser.startTracing(page, { path: opts.trace, categories: TRACE_CATEGORIES });
    await page.goto(`${url}index.html`, { waitUntil: "load" });
    await page.evaluate(watch, QUERY);
    const seen = () => page.evaluate(() => (window as unknown as { bench: Seen }).bench);
    const done = async () => {
      await page.waitForFunction(
        (q) => {
          const box = document.querySelector<HTMLElement>(".rsk-search")!;
          return box.dataset.query === q && box.dataset.state === "done";
        },
        QUERY,
        { timeout: 120_000 },
      );
      await Promise.all(counted);
    };
    const results = () => page.locator("#rsk-search-results li").count();
    if (who === "idle") {
      await page.waitForTimeout(2000);
      await Promise.all(counted);
      return { bytes, files, ms: 0, results: 0, load: loadAt };
    }
    if (who === "reader" || who === "reader-at-once") {
      if (who === "reader") await page.waitForTimeout(opts.readMs);
      await page.locator("#rsk-search-q").click(); // the pointer moves over the box, presses, the box has focus
      await page.keyboard.type(QUERY, { delay: opts.keyMs });
      await done();
      const s = await seen();
      // Cyrillic keys reach the page as text input, without keydown: timed from the input events
      const last = s.inputs.at(-1) ?? 0;
      return {
        bytes,
        files,
        ms: (s.shown ?? Number.NaN) - last,
        firstAny: (s.any ?? Number.NaN) - (s.inputs[0] ?? 0),
        keyDelay: s.delay,
        ready: (s.ready ?? Number.NaN) - (s.over ?? 0),
        results: await results(),
        load: loadAt,
      };
    }
    if (who === "focused") {
      await page.locator("#rsk-search-q").focus();
      await page.locator(".rsk-search[data-ready]").waitFor({ state: "attached", timeout: 60_000 });
    }
    await page.evaluate(
      ([q, mark]) => {
        const input = document.querySelector<HTMLInputElement>("#rsk-search-q")!;
        performance.mark(mark);
        input.value = q;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      },
      [QUERY, MARK],
    );
    await done();
    if (opts.trace) await browser.stopTracing();
    const s = await seen();
    const t0 = s.inputs[0] ?? 0;
    return {
      bytes,
      files,
      ms: (s.shown ?? Number.NaN) - t0,
      results: await results(),
      load: loadAt,
      timeline:
        who === "worst"
          ? await timeline(page, url, t0, { "Pagefind ready": s.ready ?? Number.NaN, "first result on screen": s.shown ?? Number.NaN })
          : undefined,
    };
  } finally {
    await context.close();
  }
}

const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loads = (xs: number[]) => `load ${best(xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

/** 500 generated issues with four rubrics in a temp newsletter. */
async function generate(n: number): Promise<string> {
  const dir = await makeNewsletter(0);
  const yaml = await readFile(join(dir, "newsletter.yaml"), "utf8");
  await writeFile(
    join(dir, "newsletter.yaml"),
    `${yaml}rubrics:\n${RUBRICS.map((r) => `  ${r}: ${r[0].toUpperCase()}${r.slice(1)}`).join("\n")}\n`,
  );
  for (let i = 0; i < n; i++) await writeFile(join(dir, "issues", `issue-${String(i).padStart(3, "0")}.md`), issueText(i));
  return dir;
}

/** Cold builds, then our index step and bare Pagefind in alternating fresh processes. */
async function indexRounds(dir: string, rounds: number): Promise<void> {
  const builds: { ms: number; index: number; share: number; load: number }[] = [];
  let summary = { records: 0, files: 0, bytes: 0 };
  for (let r = 0; r < rounds; r++) {
    await rm(join(dir, "dist"), { recursive: true, force: true });
    await rm(join(dir, ".rassylka"), { recursive: true, force: true });
    const l = load();
    const cold = await node([BIN, "build", "--no-cache", "--json"], dir);
    const search = JSON.parse(cold.stdout).search;
    summary = search;
    builds.push({ ms: cold.ms, index: search.ms, share: search.ms / cold.ms, load: Math.max(l, load()) });
  }
  const lib = join(ROOT, "dist-lib", "search", "build.js");
  await stat(lib).catch(() => {
    throw new Error(`${lib} is missing: run \`npm run prepare\` first (our index step is measured from dist-lib)`);
  });
  const records = join(dir, "dist", ".rassylka-search.json");
  const config = JSON.stringify({
    language: "ru",
    url: "https://example.org/",
    rubrics: Object.fromEntries(RUBRICS.map((r) => [r, r])),
  });
  const steps: { ours: number; bare: number; load: number }[] = [];
  for (let r = 0; r < Math.max(rounds, 5); r++) {
    const out = await mkdtemp(join(tmpdir(), "rassylka-bench-index-"));
    try {
      const l = load();
      const ours = () => node(["-e", OURS, records, join(out, "ours"), lib, config], ROOT);
      const bare = () => node(["-e", BARE, records, join(out, "bare")], ROOT);
      const [a, b] = r % 2 ? [await bare(), await ours()] : [await ours(), await bare()];
      const [o, p] = r % 2 ? [b, a] : [a, b];
      steps.push({ ours: Number(o.stdout.trim()), bare: Number(p.stdout.trim()), load: Math.max(l, load()) });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  const share = best(builds.map((b) => b.share));
  console.log(`  index on disk:          ${summary.records} issues, ${summary.files} files, ${kb(summary.bytes)}`);
  console.log(
    `  cold build (process):   best ${best(builds.map((b) => b.ms)).toFixed(0)} ms, of which the index ${best(builds.map((b) => b.index)).toFixed(0)} ms (${loads(builds.map((b) => b.load))})`,
  );
  console.log(`  index share of build:   ${(share * 100).toFixed(1)} % (target < 25 %${share < 0.25 ? "" : ", MISSED"})`);
  const ours = best(steps.map((s) => s.ours));
  const bare = best(steps.map((s) => s.bare));
  console.log(
    `  index step, fresh processes, ${steps.length} alternating rounds (${loads(steps.map((s) => s.load))}): ours best ${ours.toFixed(0)} ms, bare Pagefind best ${bare.toFixed(0)} ms   ${ratio("ours/bare", ours / bare, 1.5)}`,
  );
  console.log(
    `    each round's ratio: ${steps.map((s) => (s.ours / s.bare).toFixed(2)).join(" ")} (median ${median(steps.map((s) => s.ours / s.bare)).toFixed(2)})`,
  );
}

/** Every reader, interleaved, on fresh browsers, `rounds` times. */
async function browserRounds(dir: string, rounds: number): Promise<void> {
  const dist = join(dir, "dist");
  const opts = { readMs: Number(process.env.BENCH_READ_MS ?? 1000), keyMs: Number(process.env.BENCH_KEY_MS ?? 150) };
  const site = await serveDir(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  const visits: Record<Reader, Visit[]> = { idle: [], reader: [], "reader-at-once": [], focused: [], worst: [] };
  try {
    for (let r = 0; r < rounds; r++)
      for (const who of Object.keys(visits) as Reader[])
        visits[who].push(
          await visit(browser, site.url, dist, who, { ...opts, trace: who === "worst" && r === 0 ? process.env.BENCH_TRACE : undefined }),
        );
  } finally {
    await browser.close();
    site.close();
  }
  const page = (await stat(join(dist, "index.html"))).size;
  const ms = (who: Reader) => visits[who].map((v) => v.ms);
  const target = (x: number) => `(target < 300 ms${x < 300 ? "" : ", MISSED"})`;
  const row = (who: Reader) => {
    const b = best(ms(who));
    return `best ${b.toFixed(0)} ms, median ${median(ms(who)).toFixed(0)} ms ${target(b)} (${loads(visits[who].map((v) => v.load))})`;
  };
  const bytesOf = (who: Reader) => visits[who][0];
  console.log(`  in Chromium, «${QUERY}», ${rounds} rounds of each reader on a fresh browser:`);
  console.log(`    the archive page itself:         ${kb(page)} (not counted below)`);
  console.log(
    `    a visitor who never searches:    ${kb(bytesOf("idle").bytes)} in ${bytesOf("idle").files.length} files (${bytesOf("idle")
      .files.map((f) => f.split(" ")[0])
      .join(", ")})`,
  );
  const reader = visits.reader.reduce((a, b) => (b.ms < a.ms ? b : a));
  console.log(
    `    a reader who types it:           ${kb(reader.bytes)} in ${reader.files.length} files (target < 300 KB${reader.bytes < 300 * 1024 ? "" : ", MISSED"}), ${reader.results} results shown`,
  );
  console.log(`    first result after the last key, clicked ${opts.readMs} ms after load, typed ${opts.keyMs} ms a key: ${row("reader")}`);
  console.log(
    `      (pointer over the box → Pagefind ready: median ${median(visits.reader.map((v) => v.ready ?? Number.NaN)).toFixed(0)} ms; first key → first results of a prefix: median ${median(visits.reader.map((v) => v.firstAny ?? Number.NaN)).toFixed(0)} ms; the longest main-thread task: median ${median(visits.reader.map((v) => v.keyDelay ?? Number.NaN)).toFixed(0)} ms)`,
  );
  console.log(`    the same, clicked the moment the page has loaded:                 ${row("reader-at-once")}`);
  console.log(
    `      (pointer over the box → Pagefind ready: median ${median(visits["reader-at-once"].map((v) => v.ready ?? Number.NaN)).toFixed(0)} ms)`,
  );
  console.log(`    the box focused first, the word in one input once Pagefind is ready: ${row("focused")}`);
  const worst = visits.worst.reduce((a, b) => (b.ms < a.ms ? b : a));
  console.log(
    `    worst case, the word in one input at load, nothing loaded before:  ${row("worst")}; ${kb(worst.bytes)} in ${worst.files.length} files`,
  );
  console.log("      where its best round's time went (from the input event; the page's and the worker's fetches):");
  for (const line of worst.timeline ?? []) console.log(`        ${line}`);
  if (process.env.BENCH_TRACE) {
    console.log(`      Chromium trace of round 1: ${process.env.BENCH_TRACE}; inclusive time by thread and event:`);
    for (const line of await traceSummary(process.env.BENCH_TRACE)) console.log(`        ${line}`);
  }
  if (process.env.BENCH_VERBOSE) for (const f of reader.files) console.log(`      ${f}`);
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 500);
  const rounds = Number(args[1] ?? 3);
  const again = process.env.BENCH_DIR;
  const dir = again ?? (await generate(n));
  console.log(`search benchmark: ${n} issues, ${rounds} build rounds (Node ${process.version}), load at start ${load().toFixed(2)}`);
  try {
    if (again) await copyFile(process.env.BENCH_SCRIPT ?? join(ROOT, "assets", "search.js"), join(dir, "dist", "search.js"));
    else await indexRounds(dir, rounds);
    await browserRounds(dir, Math.max(rounds, 5));
    console.log(`  load at the end ${load().toFixed(2)}`);
  } finally {
    if (process.env.BENCH_KEEP || again) console.log(`  kept: ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
