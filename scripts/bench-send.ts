/**
 * `npm run bench -- send [smtpRecipients=5000] [dryRecipients=1000000]` (`BENCH_DRY_MAX=250000` skips the
 * million, which takes a few minutes; `send 0 N` runs only the dry runs, `send N 0` only SMTP)
 *
 * 1. SMTP: one issue to 5,000 readers through a local SMTP sink (smtp-server in another process on
 *    loopback), with the ledger on, three ways in interleaved rounds:
 *    - the whole `rassylka send --transport smtp` process (start-up, compile, list import, ledger,
 *      per-reader rendering and tokens, delivery: spawn to exit);
 *    - `sendIssue` in this process (the engine and transport alone);
 *    - the same 5,000 messages, each reader's own and rendered before the clock starts, queued at once
 *      into a bare nodemailer pool of the same size (5 connections), which builds each MIME message.
 *    Target: the whole process in at most half the bare pool's time.
 * 2. Dry run: `--dry-run` to N/4 and N generated readers, each in its own process: time, peak RSS
 *    (target < 150 MB at N = 1,000,000) and the scaling (4× the readers in ≤ 4.2× the time).
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { compileOrThrow as compileForSend } from "../src/compile/compile.js";
import { buildMessage, messageContext, messageIdFor, subscriberFor, toMailOptions } from "../src/message/message.js";
import { loadProject } from "../src/project/project.js";
import { createPersonaliser } from "../src/render/personalise.js";
import { csvFile } from "../src/send/audience.js";
import { sendIssue as runSend } from "../src/send/send-issue.js";
import { SmtpTransport } from "../src/send/transports/smtp.js";

const ROOT = new URL("..", import.meta.url).pathname;
const ISSUE = "issues/2026-11-10-tekushchaya-debitorka.md";
const SECRET = "bench-secret-0123456789abcdef";
const POOL = 5;

/** The SMTP sink: accepts everything, keeps nothing, answers "count" on stdin with how many it got. */
const SINK = `
import { SMTPServer } from "smtp-server";
let count = 0;
const server = new SMTPServer({
  authOptional: true, hideSTARTTLS: true, disableReverseLookup: true, logger: false, size: 0,
  onData(stream, session, cb) { stream.on("end", () => { count++; cb(); }); stream.resume(); },
});
server.listen(0, "127.0.0.1", () => process.stdout.write("port " + server.server.address().port + "\\n"));
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => { if (d.includes("count")) process.stdout.write("count " + count + "\\n"); });
`;

export async function startSink(): Promise<{ port: number; count(): Promise<number>; stop(): void }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SINK], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const lines: ((line: string) => void)[] = [];
  let buf = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    buf += d;
    let i = buf.indexOf("\n");
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.shift()?.(line);
      i = buf.indexOf("\n");
    }
  });
  const next = () => new Promise<string>((r) => lines.push(r));
  const port = Number((await next()).split(" ")[1]);
  return {
    port,
    async count() {
      const p = next();
      child.stdin.write("count\n");
      return Number((await p).split(" ")[1]);
    },
    stop: () => child.kill(),
  };
}

export async function makeNewsletter(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rassylka-bench-send-"));
  await cp(join(ROOT, "newsletter.yaml"), join(dir, "newsletter.yaml"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
  await cp(join(ROOT, "issues"), join(dir, "issues"), { recursive: true });
  return dir;
}

const NAMES = ["Анна", "Борис", "Вера", "Глеб", "Дарья", ""];
const readerFields = (i: number) => ({ name: NAMES[i % NAMES.length], city: `Город ${i % 97}` });

export async function writeList(dir: string, n: number): Promise<string> {
  const path = join(dir, `list-${n}.csv`);
  const rows: string[] = ["email;name;city"];
  for (let i = 0; i < n; i++) rows.push(`reader${i}@example.ru;${readerFields(i).name};${readerFields(i).city}`);
  await writeFile(path, `${rows.join("\n")}\n`);
  return path;
}

interface Timing {
  ms: number;
  /** CPU time of this process per message, µs. */
  cpuUs: number;
}

export async function oursOnce(root: string, list: string, port: number, n: number, round: number): Promise<Timing> {
  const project = await loadProject(root);
  const c0 = process.cpuUsage();
  const t = performance.now();
  const s = await runSend({
    root,
    project,
    issue: ISSUE,
    audience: csvFile(list),
    stateFile: join(root, `state-${round}.sqlite`),
    transport: new SmtpTransport({ url: `smtp://127.0.0.1:${port}`, maxConnections: POOL }),
    concurrency: POOL * 2, // as `rassylka send --concurrency 5`: twice the pool in flight
    env: { RASSYLKA_SECRET: SECRET },
  });
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(c0);
  if (s.sent !== n) throw new Error(`ours sent ${s.sent} of ${n}: ${JSON.stringify(s.failures.slice(0, 3))}`);
  return { ms, cpuUs: (cpu.user + cpu.system) / n };
}

/** The whole `rassylka send` process, spawn to exit, as an editor runs it (compiled code, its own state file). */
export async function processOnce(root: string, list: string, port: number, n: number, round: number): Promise<Timing> {
  const t = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "rassylka.js"),
      "send",
      ISSUE,
      "--root",
      root,
      "--to",
      list,
      "--transport",
      "smtp",
      "--concurrency",
      String(POOL),
    ].concat(["--state", join(root, `state-process-${round}.sqlite`), "--yes", "--json"]),
    {
      cwd: root,
      env: { ...process.env, SMTP_URL: `smtp://127.0.0.1:${port}`, RASSYLKA_SECRET: SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = ""; // progress lines; shown only if the send fails
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const [code] = (await once(child, "close")) as [number];
  const ms = performance.now() - t;
  const sent = code === 0 ? (JSON.parse(out) as { sent: number }).sent : -1;
  if (sent !== n) throw new Error(`rassylka send exited ${code} having sent ${sent} of ${n}: ${err.slice(-2000)}`);
  return { ms, cpuUs: Number.NaN };
}

export async function bareOnce(root: string, port: number, n: number): Promise<Timing> {
  // the same messages, each reader's own (names, cities, unsubscribe links as in the CSV), rendered before
  // the clock starts: the bare pool only sends
  const project = await loadProject(root);
  const { compiled } = await compileForSend(project, ISSUE);
  const ctx = messageContext(project.config.config, compiled.slug, compiled.subject, SECRET);
  const personaliser = createPersonaliser(compiled);
  const prepared = Array.from({ length: n }, (_, i) => {
    const address = `reader${i}@example.ru`;
    const recipient = {
      address,
      key: address,
      fields: readerFields(i),
      messageId: messageIdFor(ctx.listId, compiled.slug, address, "x@example.ru"),
    };
    const subscriber = subscriberFor(ctx, recipient);
    return toMailOptions(buildMessage(ctx, recipient, subscriber, personaliser.render(subscriber)));
  });
  const pool = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, maxConnections: POOL, maxMessages: 1000, maxRequeues: 0 });
  const c0 = process.cpuUsage();
  const t = performance.now();
  await Promise.all(prepared.map((m) => pool.sendMail(m)));
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(c0);
  pool.close();
  return { ms, cpuUs: (cpu.user + cpu.system) / n };
}

/**
 * One dry run in its own process, on the compiled code (dist-lib, as `rassylka` runs), so its peak RSS is
 * that run's alone. Prints {ms, maxRssMb, baseRssMb}: baseRssMb is the RSS once the modules are loaded.
 */
const DRY_CHILD = `
// as bin/rassylka.js does for \`send\`, before anything is loaded
(await import("node:v8")).setFlagsFromString("--optimize-for-size");
const [root, list, n, state] = process.argv.slice(1);
const lib = (p) => import(new URL(p, "file://" + process.cwd() + "/dist-lib/").href);
const { sendIssue: runSend } = await lib("send/send-issue.js");
const { csvFile } = await lib("send/audience.js");
const { DryRunTransport } = await lib("send/transports/dry-run.js");
const baseRssMb = process.memoryUsage().rss / 1048576;
const t = performance.now();
const s = await runSend({ root, issue: "${ISSUE}", audience: csvFile(list), mode: "dry-run", stateFile: state,
  transport: new DryRunTransport("smtp://127.0.0.1:25"), env: { RASSYLKA_SECRET: "${SECRET}" } });
const ms = performance.now() - t;
if (s.sent !== Number(n)) throw new Error("dry run covered " + s.sent + " of " + n);
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb }) + "\\n");
`;

function dryRun(root: string, list: string, n: number): Promise<{ ms: number; maxRssMb: number; baseRssMb: number }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=DIR: each dry-run child writes a V8 CPU profile there (node --cpu-prof)
    const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
    const child = spawn(
      process.execPath,
      [...prof, "--input-type=module", "-e", DRY_CHILD, root, list, String(n), join(root, `dry-${n}.sqlite`)],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`dry-run child exited ${code}`)),
    );
  });
}

/** `npm run bench -- send 0 [dryReaders]`: only the dry-run part. */
class SkipSmtp extends Error {}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 5000);
  const dryN = Math.min(Number(args[1] ?? 1_000_000), Number(process.env.BENCH_DRY_MAX ?? Number.POSITIVE_INFINITY));
  const root = await makeNewsletter();
  // the CLI and the dry-run children run the compiled code (before the sink starts: a failed compile
  // leaves no sink process behind)
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  const sink = await startSink();
  try {
    if (n === 0) throw new SkipSmtp();
    const list = await writeList(root, n);
    console.log(`send benchmark (Node ${process.version}, pool of ${POOL} connections, sink in another process on loopback)`);
    // warm up both sides (JIT, compile cache, connections)
    await oursOnce(root, await writeList(root, 300), sink.port, 300, 0);
    await bareOnce(root, sink.port, 300);
    await processOnce(root, await writeList(root, 301), sink.port, 301, 0);
    const ours: Timing[] = [];
    const bare: Timing[] = [];
    const whole: Timing[] = [];
    const rounds = 3;
    for (let round = 1; round <= rounds; round++) {
      // interleaved, best of each: the machine's other load hits all sides alike
      bare.push(await bareOnce(root, sink.port, n));
      ours.push(await oursOnce(root, list, sink.port, n, round));
      whole.push(await processOnce(root, list, sink.port, n, round));
    }
    const received = await sink.count();
    const expected = 300 * 2 + 301 + n * rounds * 3;
    if (received !== expected) throw new Error(`the sink got ${received} messages, expected ${expected}`);
    const best = (xs: Timing[]) => Math.min(...xs.map((x) => x.ms));
    const cpu = (xs: Timing[]) => Math.min(...xs.map((x) => x.cpuUs));
    const rate = (ms: number) => (n * 1000) / ms;
    const all = (xs: Timing[]) => xs.map((x) => x.ms.toFixed(0)).join(", ");
    console.log(
      `  bare nodemailer pool:     ${n} prepared messages, best ${best(bare).toFixed(0)} ms = ${rate(best(bare)).toFixed(0)} msg/s (rounds: ${all(bare)} ms), CPU ${cpu(bare).toFixed(0)} µs/msg`,
    );
    console.log(
      `  sendIssue (in process):   ${n} messages, best ${best(ours).toFixed(0)} ms = ${rate(best(ours)).toFixed(0)} msg/s (rounds: ${all(ours)} ms), CPU ${cpu(ours).toFixed(0)} µs/msg`,
    );
    console.log(
      `  \`rassylka send\` process: ${n} messages, best ${best(whole).toFixed(0)} ms spawn to exit (rounds: ${all(whole)} ms): start-up, compile, CSV, ledger, rendering, tokens, delivery`,
    );
    console.log(
      `  whole process / bare pool time = ${(best(whole) / best(bare)).toFixed(2)} (target ≤ 0.50); sending loop ${(best(bare) / best(ours)).toFixed(2)}× the bare pool's throughput, CPU per message ${(cpu(ours) / cpu(bare)).toFixed(2)}×`,
    );
  } catch (e) {
    if (!(e instanceof SkipSmtp)) throw e;
  } finally {
    sink.stop();
  }
  try {
    if (dryN === 0) return;
    const small = Math.round(dryN / 4);
    const smallList = await writeList(root, small);
    const bigList = await writeList(root, dryN);
    const a = await dryRun(root, smallList, small);
    const b = await dryRun(root, bigList, dryN);
    const mem = (r: { maxRssMb: number; baseRssMb: number }) =>
      `peak RSS ${r.maxRssMb.toFixed(0)} MB (${r.baseRssMb.toFixed(0)} MB once loaded)`;
    console.log(`  dry run ${small} readers: ${a.ms.toFixed(0)} ms, ${mem(a)}`);
    console.log(`  dry run ${dryN} readers: ${b.ms.toFixed(0)} ms, ${mem(b)} (target < 150 MB at 1,000,000)`);
    console.log(`  scaling: 4× the readers took ${(b.ms / a.ms).toFixed(2)}× the time (target ≤ 4.2)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
