/**
 * `npm run bench -- preview [issues] [edits]`: how long an editor waits after saving an issue. A newsletter
 * of N issues (default 40) runs in the preview server; each edit rewrites one issue and we time from the
 * write to the server-sent event that tells the page to reload (fs.watch, debounce, compile of that one
 * issue, lint, size). In the same run the same issue's MJML goes through bare `mjml2html` — the floor no
 * rebuild can beat. Target: an edit in ≤ 1 s, and independent of N (only the changed issue is rebuilt).
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mjml2html from "mjml";
import { noCache } from "../src/compile/cache.js";
import { compileIssueFile } from "../src/compile/compile.js";
import { startPreview } from "../src/preview/server.js";
import { loadProject } from "../src/project/project.js";

const ROOT = new URL("..", import.meta.url).pathname;
const EXAMPLE = "2026-11-24-ne-pryachtes-za-firmu.md";

async function makeNewsletter(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rassylka-bench-preview-"));
  await cp(join(ROOT, "newsletter.yaml"), join(dir, "newsletter.yaml"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
  await mkdir(join(dir, "issues"));
  const text = await readFile(join(ROOT, "issues", EXAMPLE), "utf8");
  for (let i = 0; i < n; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, "0");
    await writeFile(
      join(dir, "issues", `2025-${month}-${day}-vypusk-${i}.md`),
      text.replace("date: 2026-11-24", `date: 2025-${month}-${day}`),
    );
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Resolves with each server-sent event's data, parsed. */
async function events(url: string, onMessage: (m: { keys?: string[]; hello?: boolean }) => void): Promise<AbortController> {
  const abort = new AbortController();
  const res = await fetch(`${url}events`, { signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let i = buffer.indexOf("\n\n");
      while (i >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (data) onMessage(JSON.parse(data.slice(6)));
        i = buffer.indexOf("\n\n");
      }
    }
  })();
  return abort;
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 40);
  const edits = Number(args[1] ?? 9);
  const dir = await makeNewsletter(n);
  const started = performance.now();
  const server = await startPreview({ root: dir, port: 0 });
  const startMs = performance.now() - started;
  try {
    let waiting: { key: string; done: () => void } | undefined;
    const abort = await events(server.url, (m) => {
      if (waiting && m.keys?.includes(waiting.key)) waiting.done();
    });
    const key = "2025-01-05-vypusk-4";
    const file = join(dir, "issues", `${key}.md`);
    const original = await readFile(file, "utf8");
    const latencies: number[] = [];
    for (let e = 0; e < edits; e++) {
      const reloaded = new Promise<void>((done) => {
        waiting = { key, done };
      });
      const t = performance.now();
      await writeFile(file, original.replace("## Ловушка первая", `## Ловушка первая, правка ${e}`));
      await reloaded;
      latencies.push(performance.now() - t);
      await server.idle();
    }
    abort.abort();

    const project = await loadProject(dir);
    const compiled = (await compileIssueFile(project, file, noCache)).compiled!;
    await mjml2html(compiled.mjml);
    const bare: number[] = [];
    for (let e = 0; e < edits; e++) {
      const t = performance.now();
      await mjml2html(compiled.mjml, { validationLevel: "strict", keepComments: false });
      bare.push(performance.now() - t);
    }
    const f = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`preview benchmark: ${n} issues, ${edits} edits of one issue, medians (Node ${process.version})`);
    console.log(`  server start (cold cache, ${n} issues): ${f(startMs)}`);
    console.log(`  bare mjml2html of the edited issue:    ${f(median(bare))}`);
    console.log(
      `  save → reload event in the page:       ${f(median(latencies))}   ratio reload/bare = ${(median(latencies) / median(bare)).toFixed(1)} (target: reload ≤ 1000 ms)`,
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
