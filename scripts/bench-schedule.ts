/**
 * `npm run bench -- schedule [schedules=10] [idle=30]`: how precisely `rassylka worker` starts a due issue,
 * and what an idle worker costs. One newsletter with N issues due a few seconds apart, recorded by one
 * `rassylka schedule push` process (SQLite state, three confirmed subscribers); one `rassylka worker`
 * process sends them through a local SMTP sink. The start delay is the worker's `started` line's time
 * minus `sendAt` (and, beside it, the first message's arrival at the sink minus `sendAt`), median over the
 * N; against it, a bare `node` process's `setTimeout` set for the same instants (the floor of what any
 * timer on this machine can do). Then the worker, idle with nothing left to send, for `idle` seconds:
 * CPU share of one core and resident memory from /proc, against a bare `node` process idling on a timer.
 * Targets: median start delay < 2 s; idle worker < 1 % of a core and < 120 MB.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { makeNewsletter } from "./bench-send.js";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin", "rassylka.js");
const SECRET = "bench-secret-0123456789abcdef";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function arg(args: string[], name: string, fallback: number): number {
  const a = args.find((x) => x.startsWith(`${name}=`));
  return a ? Number(a.split("=")[1]) : fallback;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`rassylka ${args.join(" ")}: exit ${code}`))));
  });
}

/** utime + stime of a process, ms, and its resident memory, MB (Linux /proc). */
async function usage(pid: number): Promise<{ cpuMs: number; rssMb: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs: ticks * 10, rssMb: rssKb / 1024 };
}

async function idleCost(pid: number, seconds: number): Promise<{ cpu: number; rssMb: number }> {
  const a = await usage(pid);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const b = await usage(pid);
  return { cpu: (b.cpuMs - a.cpuMs) / (Date.now() - t0), rssMb: b.rssMb };
}

export async function run(args: string[]): Promise<void> {
  const n = arg(args, "schedules", 10);
  const idleSeconds = arg(args, "idle", 30);
  const root = await makeNewsletter();
  const arrivals: number[] = [];
  const sink = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, cb) {
      stream.resume();
      stream.on("end", () => {
        arrivals.push(Date.now());
        cb();
      });
    },
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const port = (sink.server.address() as { port: number }).port;
  const env = { RASSYLKA_SECRET: SECRET, SMTP_URL: `smtp://127.0.0.1:${port}`, RASSYLKA_LANG: "en" };
  try {
    const example = (await readdir(join(root, "issues"))).find((f) => f.endsWith(".md"))!;
    const text = await readFile(join(root, "issues", example), "utf8");
    for (const f of await readdir(join(root, "issues"))) await rm(join(root, "issues", f));
    console.error("adding subscribers…");
    await cli(["subscribers", "add", "a@example.ru", "b@example.ru", "c@example.ru", "--confirmed"], root, env);
    // far enough ahead for the push and the worker's start on a loaded machine, then one every 4 s
    const first = Date.now() + 20_000;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = new Date(first + i * 4000 + Math.floor(Math.random() * 1000)).toISOString();
      times.push(Date.parse(at));
      const slug = `2026-12-${String(10 + i).padStart(2, "0")}-bench`;
      await writeFile(join(root, "issues", `${slug}.md`), text.replace(/^---\n/, `---\nsendAt: "${at}"\n`).replace(/^draft: true\n/m, ""));
    }
    console.error(`pushing ${n} issues…`);
    await cli(["schedule", "push"], root, env);
    console.error(`pushed; first due in ${Math.round((first - Date.now()) / 1000)} s`);

    const bare = spawn(
      process.execPath,
      [
        "-e",
        `const t=${JSON.stringify(times)};const d=[];for(const at of t)setTimeout(()=>{d.push(Date.now()-at);if(d.length===t.length){console.log(JSON.stringify(d))}},at-Date.now());`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const bareClosed = new Promise((r) => bare.on("close", r));
    let bareOut = "";
    bare.stdout.on("data", (c) => {
      bareOut += c;
    });
    const worker = spawn(process.execPath, [BIN, "worker"], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const started = new Map<string, number>();
    const sent = new Set<string>();
    let buf = "";
    worker.stdout.on("data", (c) => {
      buf += c;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as { event: string; slug?: string; delayMs?: number };
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
        if (line.event === "started" && line.slug) started.set(line.slug, line.delayMs ?? Number.NaN);
        if (line.event === "sent" && line.slug) sent.add(line.slug);
      }
    });
    while (sent.size < n) {
      await sleep(200);
      if (worker.exitCode !== null) throw new Error(`the worker ended (exit ${worker.exitCode})`);
    }
    console.error("every issue sent; measuring the idle worker…");
    await bareClosed;
    const bareDelays = JSON.parse(bareOut) as number[];
    const delays = [...started.values()];
    // the first arrival after each sendAt (three readers per issue)
    const firstArrival = times.map((at) => Math.min(...arrivals.filter((x) => x >= at)) - at);
    const idle = await idleCost(worker.pid!, idleSeconds);
    const bareIdle = spawn(process.execPath, ["-e", "setInterval(() => {}, 5000)"], { stdio: "ignore" });
    await sleep(500);
    const bareCost = await idleCost(bareIdle.pid!, Math.min(idleSeconds, 10));
    bareIdle.kill();
    const workerClosed = new Promise((r) => worker.on("close", r));
    worker.kill("SIGTERM");
    await workerClosed;

    const ms = (x: number) => `${Math.round(x)} ms`;
    const delayMedian = median(delays);
    const bareMedian = median(bareDelays);
    console.log(`schedules: ${n}, every one sent: ${sent.size === n}`);
    console.log(
      `start delay after sendAt (worker's "started"): median ${ms(delayMedian)}, max ${ms(Math.max(...delays))} · bare setTimeout: median ${ms(bareMedian)} · ${delayMedian < 2000 ? "ok" : "MISSED"} (target < 2 s)`,
    );
    console.log(`first message at the sink after sendAt: median ${ms(median(firstArrival))}, max ${ms(Math.max(...firstArrival))}`);
    console.log(
      `idle worker over ${idleSeconds} s: CPU ${(idle.cpu * 100).toFixed(2)} % of a core, RSS ${idle.rssMb.toFixed(1)} MB · bare node idle: ${(bareCost.cpu * 100).toFixed(2)} %, ${bareCost.rssMb.toFixed(1)} MB · ${idle.cpu < 0.01 && idle.rssMb < 120 ? "ok" : "MISSED"} (targets < 1 %, < 120 MB)`,
    );
  } finally {
    sink.close();
    await rm(root, { recursive: true, force: true });
  }
}
