/**
 * `npm run bench -- startup [runs] [--bin path/to/rassylka.js]`: the CLI as whole processes, each timed
 * `runs` times (default 5, best of them: other work on a shared machine only ever adds time), against
 * baselines timed in the same run, rounds interleaved so that a busy machine slows every figure alike:
 *   `rassylka --version`                               ≤ 1.5× `node -e ''`
 *   `rassylka --help`                                  ≤ 3× `node -e ''`
 *   `rassylka build` of a one-issue newsletter, cached ≤ 3× `node -e ''`
 *   `rassylka build --no-cache` of 60 issues           ≤ 1.5× one `node` process running bare `mjml2html`
 *                                                        over the same 60 MJML documents
 *   `rassylka build` of the same 60 issues, cached     ≤ 0.2× the cold build of them
 * `--bin` times another checkout's CLI (e.g. the code before a change) with the same baselines; `--quick`
 * times only the first three (no 60-issue builds: a minute instead of several on a loaded machine).
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { makeNewsletter, ratio, time } from "./bench-build.js";

const ROOT = new URL("..", import.meta.url).pathname;
const exec = promisify(execFile);
const COLD_ISSUES = 60;

const best = (xs: number[]) => Math.min(...xs);

async function proc(args: string[]): Promise<number> {
  const [ms] = await time(() => exec(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }));
  return ms;
}

export async function run(args: string[]): Promise<void> {
  const binAt = args.indexOf("--bin");
  const bin = resolve(binAt >= 0 ? args.splice(binAt, 2)[1] : join(ROOT, "bin/rassylka.js"));
  const quickAt = args.indexOf("--quick");
  const quick = quickAt >= 0 && args.splice(quickAt, 1).length > 0;
  const runs = Number(args[0] ?? 5);

  // a one-issue newsletter (the first issue of this repo's example), its cache filled
  const example = await makeNewsletter(0);
  const first = (await readdir(join(ROOT, "issues"))).filter((f) => f.endsWith(".md")).sort()[0];
  await cp(join(ROOT, "issues", first), join(example, "issues", first));
  await exec(process.execPath, [bin, "build", "--root", example]);
  const commands: Record<string, string[]> = {
    "node -e ''": ["-e", ""],
    "rassylka --version": [bin, "--version"],
    "rassylka --help": [bin, "--help"],
    "rassylka build (one issue, cached)": [bin, "build", "--root", example],
  };
  const cold = quick ? undefined : await makeNewsletter(COLD_ISSUES);
  if (cold) Object.assign(commands, await coldCommands(bin, cold));
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  try {
    for (let r = 0; r < runs; r++) {
      for (const [name, argv] of Object.entries(commands)) {
        // the cached 60-issue build needs the cold build's cache: the cold build writes it
        if (cold && name.includes("--no-cache")) {
          await rm(join(cold, "dist"), { recursive: true, force: true });
          times[name].push(await proc(argv));
          await exec(process.execPath, [bin, "build", "--root", cold]);
          continue;
        }
        times[name].push(await proc(argv));
      }
    }
  } finally {
    await Promise.all([example, cold].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, best(v)]));
  const node = m["node -e ''"];
  const bareMs = m[`bare mjml2html ×${COLD_ISSUES} (one process)`];
  const f = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;
  const version = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(`start-up benchmark: whole processes, best of ${runs} runs (Node ${process.version}, rassylka ${version}, ${bin})`);
  console.log(`  load average before: ${loadBefore}, after: ${load}`);
  const line = (name: string, base: number, baseName: string, target: number) =>
    console.log(`  ${name.padEnd(38)} ${f(m[name])}   ${ratio(`/ ${baseName}`, m[name] / base, target)}`);
  console.log(`  ${"node -e ''".padEnd(38)} ${f(node)}   (baseline)`);
  line("rassylka --version", node, "node -e ''", 1.5);
  line("rassylka --help", node, "node -e ''", 3);
  line("rassylka build (one issue, cached)", node, "node -e ''", 3);
  if (quick) return;
  console.log(`  ${`bare mjml2html ×${COLD_ISSUES} (one process)`.padEnd(38)} ${f(bareMs)}   (baseline)`);
  line(`rassylka build --no-cache (${COLD_ISSUES} issues)`, bareMs, "bare", 1.5);
  line(`rassylka build (${COLD_ISSUES} issues, cached)`, m[`rassylka build --no-cache (${COLD_ISSUES} issues)`], "cold", 0.2);
}

/** 60 generated issues built cold, their MJML through bare `mjml2html` in one process, and cached. */
async function coldCommands(bin: string, cold: string): Promise<Record<string, string[]>> {
  // their MJML for the bare run (what the build compiles, written by --emit-mjml)
  await exec(process.execPath, [bin, "build", "--root", cold, "--no-cache", "--emit-mjml"]);
  const mjmlDir = join(cold, "mjml");
  await mkdir(mjmlDir);
  for (const f of (await readdir(join(cold, "dist"))).filter((f) => f.endsWith(".mjml"))) await cp(join(cold, "dist", f), join(mjmlDir, f));
  if ((await readdir(mjmlDir)).length !== COLD_ISSUES) throw new Error("the cold build did not emit every issue's MJML");
  const bare = join(cold, "bare-mjml.mjs");
  // the options the build gives MJML (src/render/mjml.ts)
  await writeFile(
    bare,
    `// bare mjml2html over every .mjml file of a folder, in one process (the floor of a cold build)
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
const { default: mjml2html } = await import(${JSON.stringify(import.meta.resolve("mjml"))});
const dir = process.argv[2];
for (const f of (await readdir(dir)).sort()) await mjml2html(await readFile(join(dir, f), "utf8"), { validationLevel: "strict", keepComments: false });
`,
  );
  return {
    [`bare mjml2html ×${COLD_ISSUES} (one process)`]: [bare, mjmlDir],
    [`rassylka build --no-cache (${COLD_ISSUES} issues)`]: [bin, "build", "--root", cold, "--no-cache"],
    // after the cold build above: its output and cache are there, nothing changed
    [`rassylka build (${COLD_ISSUES} issues, cached)`]: [bin, "build", "--root", cold],
  };
}
