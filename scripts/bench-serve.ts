/**
 * `npm run bench -- serve [--seconds 10] [--connections 32]`: one-click unsubscribe POSTs (RFC 8058)
 * from a second process (a fork of this file) over loopback, with a keep-alive agent, for 10 seconds
 * against `rassylka serve`'s handler, then the same load against a bare node:http server that does the
 * same necessary work — check the token, insert into the same `suppressed` table of a state file opened
 * the same way (WAL, synchronous=FULL) — and prints requests per second, p50/p99 latency, the ratio, and
 * whether every accepted request (200) is in the table.
 */
import { fork } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/config/load.js";
import { newsletterId } from "../src/identity/newsletter.js";
import { createUnsubscribeToken, verifyUnsubscribeToken } from "../src/identity/token.js";
import { close, createPublishServer, listen } from "../src/server/server.js";
import { openState, type StateDb } from "../src/state/db.js";
import { sqliteStore } from "../src/state/sqlite.js";

const CHILD_FLAG = "--rsk-serve-load";
const SECRET = "bench-secret-0123456789abcdef-0123";
const PATH = "/rassylka/unsubscribe";
const CONFIG = `name: Бенчмарк
language: ru
url: https://bench.example/rassylka
from: { name: Бенчмарк, email: news@bench.example }
unsubscribe: { url: "https://bench.example${PATH}" }
`;

interface LoadJob {
  url: string;
  listId: string;
  prefix: string;
  seconds: number;
  connections: number;
  /** Upper bound of requests, so the loop is bounded whatever happens. */
  maxRequests: number;
}

interface LoadResult {
  requests: number;
  accepted: number[];
  rejected: number;
  errors: number;
  elapsedMs: number;
  p50: number;
  p99: number;
  max: number;
}

const email = (prefix: string, i: number) => `${prefix}${i}@bench.example`;

// ---- the load process -------------------------------------------------------------------------

async function load(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const u = new URL(job.url);
  const latencies = new Float64Array(job.maxRequests);
  const accepted: number[] = [];
  let next = 0;
  let rejected = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + job.seconds * 1000;
  const one = (i: number) =>
    new Promise<void>((done) => {
      const token = createUnsubscribeToken(email(job.prefix, i), job.listId, SECRET);
      const body = "List-Unsubscribe=One-Click";
      const started = performance.now();
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: `${PATH}?token=${token}`,
          method: "POST",
          agent,
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(body.length) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies[i] = performance.now() - started;
            if (res.statusCode === 200) accepted.push(i);
            else rejected++;
            done();
          });
        },
      );
      req.on("error", () => {
        latencies[i] = performance.now() - started;
        errors++;
        done();
      });
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline && next < job.maxRequests) await one(next++);
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  const sorted = latencies.slice(0, next).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: next, accepted, rejected, errors, elapsedMs, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
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

/** The comparison: node:http, the token check, the same INSERT, 200 — nothing else. */
function bareServer(db: StateDb, listId: string): Server {
  const insert = db.prepare("INSERT INTO suppressed (email, reason, source) VALUES (?, ?, ?) ON CONFLICT(email) DO NOTHING");
  return createServer((req, res) => {
    const q = (req.url ?? "").indexOf("?");
    const token = new URLSearchParams(q < 0 ? "" : req.url!.slice(q + 1)).get("token") ?? "";
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      const address = verifyUnsubscribeToken(token, listId, SECRET);
      if (req.method !== "POST" || !address || body !== "List-Unsubscribe=One-Click") {
        res.writeHead(400).end();
        return;
      }
      insert.run(address, "unsubscribed", "one-click");
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
}

function listenBare(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

/** Every accepted request's address is in the table, and nothing else is. */
function verify(db: StateDb, prefix: string, r: LoadResult): { lost: number; extra: number; rows: number } {
  const rows = new Set((db.prepare("SELECT email FROM suppressed").pluck().all() as string[]).filter((e) => e.startsWith(prefix)));
  const lost = r.accepted.filter((i) => !rows.has(email(prefix, i))).length;
  return { lost, extra: rows.size - (r.accepted.length - lost), rows: rows.size };
}

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
  const dir = await mkdtemp(join(tmpdir(), "rassylka-bench-serve-"));
  try {
    await mkdir(join(dir, "dist"));
    await writeFile(join(dir, "dist", "index.html"), "<!doctype html><title>bench</title>");
    const job = (url: string, prefix: string): LoadJob => ({ url, listId, prefix, seconds, connections, maxRequests: 5_000_000 });

    // rassylka serve's handler
    const ourDb = await openState(join(dir, "serve.sqlite"));
    const ours = createPublishServer({ dir: join(dir, "dist"), config, secret: SECRET, state: sqliteStore(ourDb) });
    const ourResult = await runLoad(job(await listen(ours, 0), "serve"));
    await close(ours);
    const ourCheck = verify(ourDb, "serve", ourResult);
    ourDb.close();

    // bare node:http + the same insert
    const bareDb = await openState(join(dir, "bare.sqlite"));
    const bare = bareServer(bareDb, listId);
    const bareResult = await runLoad(job(await listenBare(bare), "bare"));
    await new Promise((done) => {
      bare.close(done);
      bare.closeIdleConnections();
    });
    const bareCheck = verify(bareDb, "bare", bareResult);
    bareDb.close();

    const rps = (r: LoadResult) => (r.accepted.length * 1000) / r.elapsedMs;
    const row = (name: string, r: LoadResult, c: ReturnType<typeof verify>) =>
      `${name.padEnd(28)}${String(r.requests).padStart(9)}${rps(r).toFixed(0).padStart(9)}${r.p50.toFixed(2).padStart(9)}${r.p99
        .toFixed(2)
        .padStart(9)}${r.max.toFixed(1).padStart(9)}${String(r.rejected + r.errors).padStart(8)}${String(c.lost).padStart(6)}`;
    console.log(
      `serve: one-click POSTs from a second process over loopback, ${connections} keep-alive connections, ${seconds} s each, state file WAL + synchronous=FULL`,
    );
    console.log(
      `${"".padEnd(28)}${"requests".padStart(9)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}${"failed".padStart(8)}${"lost".padStart(6)}`,
    );
    console.log(row("rassylka serve", ourResult, ourCheck));
    console.log(row("bare node:http + INSERT", bareResult, bareCheck));
    console.log(
      `ratio rassylka/bare: ${(rps(ourResult) / rps(bareResult)).toFixed(2)}× requests per second, ${(ourResult.p99 / bareResult.p99).toFixed(2)}× p99 latency`,
    );
    const ok = ourCheck.lost === 0 && ourCheck.extra === 0 && ourResult.rejected + ourResult.errors === 0;
    console.log(
      ok
        ? `nothing lost: all ${ourResult.accepted.length} accepted unsubscribes are in the table (${ourCheck.rows} rows), none extra`
        : `PROBLEM: ${ourCheck.lost} accepted but not recorded, ${ourCheck.extra} recorded but not accepted, ${ourResult.rejected} rejected, ${ourResult.errors} errors`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
