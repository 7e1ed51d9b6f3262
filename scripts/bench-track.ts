/**
 * `npm run bench -- track [--seconds 10] [--connections 32]`: clicks on tracked links, `GET /c/<token>`,
 * from a second process (a fork of this file) over loopback with a keep-alive agent, for 10 seconds,
 * against `rassylka serve`'s handler (token check, the issue's own link, classification, the click
 * committed before the 302), then the same load against a bare fastify route that does one INSERT into
 * the same `click_events` table of a state file opened the same way (WAL, synchronous=FULL) and a 302.
 * Prints requests per second, p50/p99 latency, the ratio, and whether every answered click is a row.
 */
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { parseConfig } from "../src/config/load.js";
import { clickToken, readerKey } from "../src/identity/click-token.js";
import { newsletterId } from "../src/identity/newsletter.js";
import { close, createPublishServer, listen } from "../src/server/server.js";
import { openState, type StateDb } from "../src/state/db.js";
import { sqliteStore } from "../src/state/sqlite.js";

const CHILD_FLAG = "--rsk-track-load";
const SECRET = "bench-secret-0123456789abcdef-0123";
const SLUG = "2026-12-01-bench";
const LINKS = ["https://bench.example/a", "https://bench.example/b?x=1&y=2", "https://bench.example/c", "https://bench.example/d"];
const CONFIG = `name: Бенчмарк
language: ru
url: https://bench.example/rassylka
from: { name: Бенчмарк, email: news@bench.example }
tracking: { clicks: true }
`;
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface LoadJob {
  url: string;
  listId: string;
  seconds: number;
  connections: number;
  maxRequests: number;
}

interface LoadResult {
  requests: number;
  redirected: number;
  failed: number;
  elapsedMs: number;
  p50: number;
  p99: number;
  max: number;
}

// ---- the load process -------------------------------------------------------------------------

async function load(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const u = new URL(job.url);
  const latencies = new Float64Array(job.maxRequests);
  // delivered an hour ago: the burst rule does not apply, as for most clicks
  const sent = Math.floor(Date.now() / 1000) - 3600;
  let next = 0;
  let redirected = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + job.seconds * 1000;
  const one = (i: number) =>
    new Promise<void>((done) => {
      const claim = { slug: SLUG, link: 1 + (i % LINKS.length), reader: readerKey(job.listId, `r${i}@bench.example`), sent, trial: false };
      const started = performance.now();
      const req = request(
        { host: u.hostname, port: u.port, path: `/c/${clickToken(claim, job.listId, SECRET)}`, agent, headers: { "user-agent": CHROME } },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies[i] = performance.now() - started;
            if (res.statusCode === 302) redirected++;
            else failed++;
            done();
          });
        },
      );
      req.on("error", () => {
        latencies[i] = performance.now() - started;
        failed++;
        done();
      });
      req.end();
    });
  const worker = async () => {
    while (performance.now() < deadline && next < job.maxRequests) await one(next++);
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  const sorted = latencies.slice(0, next).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: next, redirected, failed, elapsedMs, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

if (process.argv.includes(CHILD_FLAG) && process.send) {
  process.once("message", async (job: LoadJob) => {
    const result = await load(job);
    process.send!(result, () => process.disconnect());
  });
}

// ---- the benchmark ------------------------------------------------------------------------------

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // the child inherits `--import tsx` from this process's execArgv
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: "inherit" });
    child.once("message", (r) => resolve(r as LoadResult));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code) reject(new Error(`load process exited with ${code}`));
    });
    child.send(job);
  });
}

/** The comparison: fastify, one INSERT into the same table, a 302 — nothing else. */
function bareServer(db: StateDb) {
  const insert = db.prepare("INSERT INTO click_events (event_id, issue, link, reader, ua_class, trial, at) VALUES (?, ?, ?, ?, ?, 0, ?)");
  const app = Fastify({ logger: false });
  app.get<{ Params: { token: string } }>("/c/:token", async (req, reply) => {
    insert.run(randomUUID(), SLUG, 1, req.params.token.slice(0, 16), "human", new Date().toISOString());
    return reply.code(302).header("location", LINKS[0]).send();
  });
  return app;
}

const rows = (db: StateDb) => db.prepare("SELECT count(*) FROM click_events").pluck().get() as number;

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export async function run(args: string[] = []): Promise<void> {
  const seconds = flag(args, "--seconds", 10);
  const connections = flag(args, "--connections", 32);
  const parsed = parseConfig(CONFIG);
  if (!parsed.config) throw new Error("bench config did not parse");
  const config = parsed.config;
  const listId = newsletterId(config);
  const dir = await mkdtemp(join(tmpdir(), "rassylka-bench-track-"));
  try {
    await mkdir(join(dir, "dist"));
    await writeFile(join(dir, "dist", "index.html"), "<!doctype html><title>bench</title>");
    const job = (url: string): LoadJob => ({ url, listId, seconds, connections, maxRequests: 5_000_000 });

    // rassylka serve's handler, on a state file with the issue's links kept as a send keeps them
    const ourDb = await openState(join(dir, "serve.sqlite"));
    const store = sqliteStore(ourDb);
    await store.clicks.startIssue(SLUG, { clicks: true, opens: false, anonymous: false }, LINKS);
    const ours = createPublishServer({ dir: join(dir, "dist"), config, secret: SECRET, state: store });
    const ourResult = await runLoad(job(await listen(ours, 0)));
    await close(ours);
    const ourRows = rows(ourDb);
    ourDb.close();

    // bare fastify + the same insert
    const bareDb = await openState(join(dir, "bare.sqlite"));
    const bare = bareServer(bareDb);
    const bareResult = await runLoad(job(await listen(bare, 0)));
    await bare.close();
    const bareRows = rows(bareDb);
    bareDb.close();

    const rps = (r: LoadResult) => (r.redirected * 1000) / r.elapsedMs;
    const row = (name: string, r: LoadResult, n: number) =>
      `${name.padEnd(28)}${String(r.requests).padStart(9)}${rps(r).toFixed(0).padStart(9)}${r.p50.toFixed(2).padStart(9)}${r.p99
        .toFixed(2)
        .padStart(9)}${r.max.toFixed(1).padStart(9)}${String(r.failed).padStart(8)}${String(r.redirected - n).padStart(6)}`;
    console.log(
      `track: GET /c/<token> from a second process over loopback, ${connections} keep-alive connections, ${seconds} s each, state file WAL + synchronous=FULL`,
    );
    console.log(
      `${"".padEnd(28)}${"requests".padStart(9)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}${"failed".padStart(8)}${"lost".padStart(6)}`,
    );
    console.log(row("rassylka serve", ourResult, ourRows));
    console.log(row("bare fastify + INSERT", bareResult, bareRows));
    const ratio = rps(ourResult) / rps(bareResult);
    console.log(
      `ratio rassylka/bare: ${ratio.toFixed(2)}× requests per second (target ≥ 0.8×${ratio < 0.8 ? ", MISSED" : ""}), ${(ourResult.p99 / bareResult.p99).toFixed(2)}× p99 latency`,
    );
    const ok = ourRows === ourResult.redirected && ourResult.failed === 0;
    console.log(
      ok
        ? `nothing lost: all ${ourResult.redirected} answered clicks are in the table`
        : `PROBLEM: ${ourResult.redirected} answered, ${ourRows} rows, ${ourResult.failed} failed`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
