/**
 * `npm run bench -- state [readers=10000]`: one issue to N readers through an SMTP sink that
 * answers each message after 20 ms (so the workers, not the CPU, are the limit), four ways in one run:
 * the SQLite ledger and the PostgreSQL ledger (a throwaway cluster, tests/helpers/postgres.ts), each with
 * one `rassylka send` process and with three started at once on the same send (different worker host
 * names, as on three machines), `--concurrency 1` each (see CONCURRENCY). Each is the whole process
 * (spawn to exit of the last), on a fresh state.
 * The sink counts what every address received: nothing may be lost or doubled in any of them.
 * Targets: PostgreSQL with one worker ≥ 0.8× SQLite; three workers ≥ 2.5× one worker.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { databases, startCluster } from "../tests/helpers/postgres-cluster.js";
import { makeNewsletter, writeList } from "./bench-send.js";

const ROOT = new URL("..", import.meta.url).pathname;
const ISSUE = "issues/2026-11-10-tekushchaya-debitorka.md";
const SECRET = "bench-secret-0123456789abcdef";
const DELAY_MS = 20;
/**
 * SMTP connections per worker (`--concurrency`, twice as many messages in flight): by default 1, so a
 * worker's limit is the sink's 20 ms (~50 msg/s), not the CPU of the 2 shared cores this runs on, where
 * three workers of 5 connections each would only measure how the processes share the CPU.
 * `BENCH_CONCURRENCY=5` measures that instead.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);

/** The slow sink: answers each message after DELAY_MS; "stats" on stdin → what it got per address; "reset" clears. */
const SINK = `
import { SMTPServer } from "smtp-server";
let got = new Map();
const server = new SMTPServer({
  authOptional: true, hideSTARTTLS: true, disableReverseLookup: true, logger: false, size: 0,
  onData(stream, session, cb) {
    stream.on("end", () => setTimeout(() => {
      for (const r of session.envelope.rcptTo) got.set(r.address.toLowerCase(), (got.get(r.address.toLowerCase()) ?? 0) + 1);
      cb();
    }, ${DELAY_MS}));
    stream.resume();
  },
});
server.listen(0, "127.0.0.1", () => process.stdout.write("port " + server.server.address().port + "\\n"));
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  if (d.includes("reset")) { got = new Map(); process.stdout.write("ok\\n"); }
  if (d.includes("stats")) {
    let total = 0, doubled = 0;
    for (const n of got.values()) { total += n; if (n > 1) doubled++; }
    process.stdout.write("stats " + JSON.stringify({ total, unique: got.size, doubled }) + "\\n");
  }
});
`;

async function startSlowSink() {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SINK], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const waiting: ((line: string) => void)[] = [];
  let buf = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    buf += d;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  const ask = (what: string) => {
    const p = new Promise<string>((r) => waiting.push(r));
    if (what) child.stdin.write(`${what}\n`);
    return p;
  };
  const port = Number((await ask("")).split(" ")[1]);
  return {
    port,
    reset: () => ask("reset"),
    stats: async () => JSON.parse((await ask("stats")).slice(6)) as { total: number; unique: number; doubled: number },
    stop: () => child.kill(),
  };
}

interface Result {
  label: string;
  ms: number;
  rate: number;
}

async function sendWith(root: string, list: string, port: number, state: string, workers: number): Promise<number> {
  const t = performance.now();
  const runs = Array.from({ length: workers }, (_, i) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin", "rassylka.js"), "send", ISSUE, "--root", root, "--to", list, "--transport", "smtp"].concat([
        "--smtp-url",
        `smtp://127.0.0.1:${port}`,
        "--concurrency",
        String(CONCURRENCY),
        "--state",
        state,
        "--yes",
        "--json",
      ]),
      {
        cwd: root,
        env: { PATH: process.env.PATH, RASSYLKA_SECRET: SECRET, RASSYLKA_WORKER_HOST: `bench-${i + 1}` },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    return once(child, "close").then(([code]) => {
      if (code !== 0) throw new Error(`worker ${i + 1} exited ${code}: ${err.slice(-500)}`);
      return (JSON.parse(out) as { sent: number }).sent;
    });
  });
  const sent = await Promise.all(runs);
  const total = sent.reduce((a, b) => a + b, 0);
  if (total !== sent.length && workers > 1 && sent.some((x) => x === 0))
    console.log(`  (a worker found nothing left to send: ${sent.join(", ")})`);
  return performance.now() - t;
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 10_000);
  const root = await makeNewsletter();
  const list = await writeList(root, n);
  const sink = await startSlowSink();
  const cluster = await startCluster();
  const pg = databases(cluster.cluster, "bench_");
  const results: Result[] = [];
  try {
    let k = 0;
    // BENCH_BACKENDS=postgres: only one of them (the ratios need both)
    const only = process.env.BENCH_BACKENDS;
    for (const backend of (["sqlite", "postgres"] as const).filter((b) => !only || only.split(",").includes(b))) {
      for (const workers of [1, 3]) {
        const state = backend === "sqlite" ? join(root, `state-${++k}.sqlite`) : await pg.database(`bench_${++k}`);
        await sink.reset();
        const ms = await sendWith(root, list, sink.port, state, workers);
        const got = await sink.stats();
        if (got.unique !== n || got.total !== n || got.doubled !== 0)
          throw new Error(
            `${backend}, ${workers} worker(s): the sink got ${got.total} messages for ${got.unique} of ${n} readers, ${got.doubled} doubled`,
          );
        const label = `${backend === "sqlite" ? "SQLite" : "PostgreSQL"}, ${workers} worker${workers > 1 ? "s" : ""}`;
        results.push({ label, ms, rate: (n * 1000) / ms });
        console.log(
          `${label}: ${(ms / 1000).toFixed(1)} s, ${((n * 1000) / ms).toFixed(0)} msg/s (${n} readers, each once; --concurrency ${CONCURRENCY})`,
        );
      }
    }
  } finally {
    sink.stop();
    await pg.close();
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  }
  if (results.length < 4) {
    if (results.length === 2) console.log(`3 workers / 1 worker: ${(results[1].rate / results[0].rate).toFixed(2)}× (target ≥ 2.5)`);
    return;
  }
  const [s1, s3, p1, p3] = results;
  const ratio = (a: Result, b: Result) => a.rate / b.rate;
  console.log(`PostgreSQL 1 worker / SQLite 1 worker: ${ratio(p1, s1).toFixed(2)}× (target ≥ 0.8)`);
  console.log(`SQLite 3 workers / 1 worker: ${ratio(s3, s1).toFixed(2)}× (target ≥ 2.5)`);
  console.log(`PostgreSQL 3 workers / 1 worker: ${ratio(p3, p1).toFixed(2)}× (target ≥ 2.5)`);
}
