/**
 * `npm run bench -- report [readers=1000000] [clicks=1000000]`: `rassylka report <issue> --json` as a whole
 * process (spawn to exit, peak RSS read by /usr/bin/time) on a SQLite state holding one issue sent to N
 * readers and M click events (people, image proxies, scanners; a quarter of the readers click), then the
 * bare better-sqlite3 doing the same aggregations in one process, and the ratio. Targets: under 10 s and
 * 300 MB for 1,000,000 readers and 1,000,000 clicks. The newsletter is built first (as before a send), so
 * the click map reads the compiled issue from the cache; the map starts Chromium, a process of its own: its
 * memory is not in the figure, its time is. The report runs twice: the first takes the shot for the
 * click map, the second finds it in the cache (as every report after the first of an unchanged issue).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { loadConfig } from "../src/config/load.js";
import { readerKey } from "../src/identity/click-token.js";
import { newsletterId } from "../src/identity/newsletter.js";
import { openStore } from "../src/state/store.js";
import { makeNewsletter } from "./bench-send.js";

const ROOT = new URL("..", import.meta.url).pathname;
const SLUG = "2026-11-10-tekushchaya-debitorka";
const LINKS = [
  "https://prodazhi.example.ru/treningi/debitorka",
  "https://prodazhi.example.ru/vopros-otvet",
  "https://prodazhi.example.ru/treningi",
  "https://prodazhi.example.ru/rassylka/",
];
const DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "rambler.ru", "inbox.ru", "ya.ru"];

/** A state with the send and the clicks, written straight into the tables the store made (fast to set up). */
async function fill(root: string, file: string, readers: number, clicks: number): Promise<void> {
  const store = await openStore({ kind: "sqlite", file });
  await store.ledger.beginRun(SLUG, "bench", "Текущая дебиторка");
  await store.clicks.saveLinks(SLUG, LINKS);
  await store.close();
  const listId = newsletterId((await loadConfig(root)).config);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const start = Date.parse("2026-11-10T09:00:00.000Z");
  db.prepare("UPDATE send_runs SET started_at = ?, total = ? WHERE issue = ?").run(new Date(start).toISOString(), readers, SLUG);
  const email = (i: number) => `reader${i}@${DOMAINS[i % DOMAINS.length]}`;
  const ledger = db.prepare(
    `INSERT INTO send_ledger (issue, email, address, run_id, state, message_id, created_at, updated_at, sent_at)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < readers; i++) {
      const at = new Date(start + Math.floor(i / 500) * 1000).toISOString();
      const state = i % 200 === 7 ? "failed" : "sent";
      ledger.run(SLUG, email(i), email(i), state, `<${i}@bench>`, at, at, state === "sent" ? at : null);
    }
  })();
  // a quarter of the readers click, about four times each
  const clickers = Math.max(1, Math.floor(readers / 4));
  const keys: string[] = [];
  for (let i = 0; i < clickers; i++) keys.push(readerKey(listId, email(i * 4)));
  const event = db.prepare("INSERT INTO click_events (event_id, issue, link, reader, ua_class, trial, at) VALUES (?, ?, ?, ?, ?, 0, ?)");
  db.transaction(() => {
    for (let i = 0; i < clicks; i++) {
      const r = (i * 7919) % 100;
      const uaClass = r < 85 ? "human" : r < 95 ? "proxy" : "automated";
      const link = r < 95 ? 1 + (i % LINKS.length) : 0;
      const at = new Date(start + ((i * 104_729) % (10 * 86_400)) * 1000).toISOString();
      event.run(`e${i}`, SLUG, link, keys[i % clickers], uaClass, at);
    }
  })();
  db.close();
}

/** The whole `rassylka report` process: wall time, CPU time (user + system) and peak RSS (GNU time's %U, %S, %M). */
async function ours(root: string, file: string): Promise<{ ms: number; cpuMs: number; rssMb: number; json: string }> {
  const started = performance.now();
  const child = spawn(
    "/usr/bin/time",
    [
      "-f",
      "maxrss %M cpu %U %S",
      process.execPath,
      join(ROOT, "bin", "rassylka.js"),
      "report",
      SLUG,
      "--root",
      root,
      "--state",
      file,
      "--json",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RASSYLKA_LANG: "en" } },
  );
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const [code] = await once(child, "exit");
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`rassylka report exited ${code}: ${err}`);
  const m = /maxrss (\d+) cpu ([\d.]+) ([\d.]+)/.exec(err);
  return { ms, cpuMs: (Number(m?.[2] ?? 0) + Number(m?.[3] ?? 0)) * 1000, rssMb: Number(m?.[1] ?? 0) / 1024, json: out };
}

/** The same aggregations with better-sqlite3 alone, in this process. */
function bare(file: string): number {
  const started = performance.now();
  const db = new Database(file, { readonly: true });
  db.prepare("SELECT state, count(*) FROM send_ledger WHERE issue = ? GROUP BY state").all(SLUG);
  db.prepare("SELECT ua_class, count(*), count(DISTINCT reader) FROM click_events WHERE issue = ? AND trial = 0 GROUP BY ua_class").all(
    SLUG,
  );
  db.prepare(
    `SELECT l.url, count(DISTINCT e.reader), count(e.link) FROM issue_links l LEFT JOIN click_events e
     ON e.issue = l.issue AND e.link = l.link AND e.trial = 0 AND e.ua_class = 'human' WHERE l.issue = ? GROUP BY l.url`,
  ).all(SLUG);
  db.prepare("SELECT substr(email, instr(email, '@') + 1) AS d, count(*) FROM send_ledger WHERE issue = ? GROUP BY d").all(SLUG);
  db.prepare("SELECT substr(at, 1, 13) AS h, count(*) FROM click_events WHERE issue = ? AND ua_class = 'human' GROUP BY h").all(SLUG);
  db.close();
  return performance.now() - started;
}

export async function run(args: string[]): Promise<void> {
  const readers = Number(args[0] ?? 1_000_000);
  const clicks = Number(args[1] ?? 1_000_000);
  const root = await makeNewsletter();
  const file = join(root, "state.sqlite");
  try {
    const t0 = performance.now();
    await fill(root, file, readers, clicks);
    console.log(`state: ${readers} readers sent, ${clicks} click events (filled in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    // the issue built once, as before its send: the report's click map reads the compiled issue from the cache
    const build = spawn(process.execPath, [join(ROOT, "bin", "rassylka.js"), "build", "--root", root], { stdio: "ignore" });
    await once(build, "exit");
    if (process.env.BENCH_KEEP) return;
    const load = () => (loadavg()[0] ?? 0).toFixed(1);
    // the first run takes the click map's shot in Chromium; the second finds it in the cache (the issue unchanged)
    const first = await ours(root, file);
    const o = await ours(root, file);
    const figures = JSON.parse(o.json) as { counts: { sent: number }; clicks: { total: number; unique: number } };
    const b = bare(file);
    const line = (r: typeof o) =>
      `${(r.ms / 1000).toFixed(2)} s, CPU ${(r.cpuMs / 1000).toFixed(2)} s, peak RSS ${r.rssMb.toFixed(0)} MB (load average ${load()})`;
    console.log(`rassylka report (whole process), the click map's shot taken: ${line(first)}`);
    console.log(`rassylka report (whole process), the shot from the cache: ${line(o)}`);
    console.log(`  figures: sent ${figures.counts.sent}, clicks ${figures.clicks.total}, readers who clicked ${figures.clicks.unique}`);
    console.log(`bare better-sqlite3, the same GROUP BYs in one process: ${(b / 1000).toFixed(2)} s`);
    console.log(`ratio (ours / bare): ${(first.ms / b).toFixed(2)}× with the shot, ${(o.ms / b).toFixed(2)}× from the cache`);
    const ok = [first, o].every((r) => r.ms < 10_000 && r.rssMb < 300);
    console.log(ok ? "targets met: < 10 s, < 300 MB" : "TARGETS MISSED: < 10 s, < 300 MB");
  } finally {
    if (!process.env.BENCH_KEEP) await rm(root, { recursive: true, force: true });
    else console.log(root);
  }
}
