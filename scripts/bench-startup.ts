/**
 * `npm run bench -- startup [runs] [--bin path/to/rassylka.js]`: the CLI as whole processes, each timed
 * `runs` times (default 7, median), against baselines timed in the same run, rounds interleaved so
 * that a busy machine slows every figure alike:
 *   `rassylka --version`, `rassylka --help`           ≤ 3× `node -e ''`
 *   `rassylka build` of the example newsletter, cached ≤ 4× `node -e ''`
 *   `rassylka build --no-cache` of 60 issues           ≤ 1.5× one `node` process running bare `mjml2html`
 *                                                        over the same 60 MJML documents
 * `--bin` times another checkout's CLI (e.g. the code before a change) with the same baselines.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { makeNewsletter, ratio, time } from "./bench-build.js";

const ROOT = new URL("..", import.meta.url).pathname;
const exec = promisify(execFile);
const COLD_ISSUES = 60;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function proc(args: string[]): Promise<number> {
  const [ms] = await time(() => exec(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }));
  return ms;
}

export async function run(args: string[]): Promise<void> {
  const binAt = args.indexOf("--bin");
  const bin = resolve(binAt >= 0 ? args.splice(binAt, 2)[1] : join(ROOT, "bin/rassylka.js"));
  const runs = Number(args[0] ?? 7);

  // the example newsletter (this repo's), its cache filled
  const example = await makeNewsletter(0);
  await cp(join(ROOT, "issues"), join(example, "issues"), { recursive: true });
  await exec(process.execPath, [bin, "build", "--root", example]);
  // 60 generated issues, and their MJML for the bare run (what the build compiles, written by --emit-mjml)
  const cold = await makeNewsletter(COLD_ISSUES);
  await exec(process.execPath, [bin, "build", "--root", cold, "--no-cache", "--emit-mjml"]);
  const mjmlDir = join(cold, "mjml");
  await mkdir(mjmlDir);
  for (const f of (await readdir(join(cold, "dist"))).filter((f) => f.endsWith(".mjml"))) await cp(join(cold, "dist", f), join(mjmlDir, f));
  if ((await readdir(mjmlDir)).length !== COLD_ISSUES) throw new Error("the cold build did not emit every issue's MJML");
  const bare = join(cold, "bare-mjml.mjs");
  await writeFile(
    bare,
    `// bare mjml2html over every .mjml file of a folder, in one process (the floor of a cold build)
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
const { default: mjml2html } = await import(${JSON.stringify(import.meta.resolve("mjml"))});
const dir = process.argv[2];
for (const f of (await readdir(dir)).sort()) await mjml2html(await readFile(join(dir, f), "utf8"), { validationLevel: "strict" });
`,
  );

  const commands: Record<string, string[]> = {
    "node -e ''": ["-e", ""],
    "rassylka --version": [bin, "--version"],
    "rassylka --help": [bin, "--help"],
    "rassylka build (example, cached)": [bin, "build", "--root", example],
    [`bare mjml2html ×${COLD_ISSUES} (one process)`]: [bare, mjmlDir],
    [`rassylka build --no-cache (${COLD_ISSUES} issues)`]: [bin, "build", "--root", cold, "--no-cache"],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  try {
    for (let r = 0; r < runs; r++) {
      for (const [name, argv] of Object.entries(commands)) {
        if (name.includes("--no-cache")) await rm(join(cold, "dist"), { recursive: true, force: true });
        times[name].push(await proc(argv));
      }
    }
  } finally {
    await Promise.all([rm(example, { recursive: true, force: true }), rm(cold, { recursive: true, force: true })]);
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const node = m["node -e ''"];
  const bareMs = m[`bare mjml2html ×${COLD_ISSUES} (one process)`];
  const f = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;
  const version = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version;
  console.log(`start-up benchmark: whole processes, median of ${runs} runs (Node ${process.version}, rassylka ${version}, ${bin})`);
  const line = (name: string, base: number, baseName: string, target: number) =>
    console.log(`  ${name.padEnd(38)} ${f(m[name])}   ${ratio(`/ ${baseName}`, m[name] / base, target)}`);
  console.log(`  ${"node -e ''".padEnd(38)} ${f(node)}   (baseline)`);
  line("rassylka --version", node, "node -e ''", 3);
  line("rassylka --help", node, "node -e ''", 3);
  line("rassylka build (example, cached)", node, "node -e ''", 4);
  console.log(`  ${`bare mjml2html ×${COLD_ISSUES} (one process)`.padEnd(38)} ${f(bareMs)}   (baseline)`);
  line(`rassylka build --no-cache (${COLD_ISSUES} issues)`, bareMs, "bare", 1.5);
}
