import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Diagnostic } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import type { CompiledIssue } from "../render/pipeline.js";

/**
 * Cold builds of many issues spread over the machine's cores: MJML and typography are CPU-bound and
 * synchronous, so threads are the only way past one core. The pool lives as long as the process (the
 * preview server rebuilds often) and never keeps it alive (idle workers are unref'd).
 * Fewer issues are compiled on the main thread alone: a worker must load every compile stage and MJML
 * first (0.9–2 s on this 2-core machine when it is busy), and with stage 7 run once per layout skeleton
 * an issue takes the main thread only ~10 ms. Measured with `npm run bench -- startup`: one worker made
 * cold builds of 60 and 120 issues slower, not faster. `RASSYLKA_BUILD_PARALLEL_MIN` overrides (tests).
 */
export const PARALLEL_MIN_ISSUES = Number(process.env.RASSYLKA_BUILD_PARALLEL_MIN || 200);
/** Tasks handed to a worker ahead, so it never waits for the busy main thread to hand it the next. */
const PREFETCH = 6;

export interface WorkerResult {
  compiled?: CompiledIssue;
  diagnostics: Diagnostic[];
}

export interface Task {
  root: string;
  absPath: string;
  projectKey: string;
  resolve: (r: WorkerResult) => void;
}

const isTs = import.meta.url.endsWith(".ts");
const workerUrl = new URL(isTs ? "./worker.ts" : "./worker.js", import.meta.url);

interface Slot {
  worker: Worker;
  /** Set when the worker has loaded the compile stages: no task waits on a worker's start-up. */
  ready: boolean;
  inFlight: Map<number, Task>;
}

let pool: Slot[] | undefined;
const queue: Task[] = [];
let nextId = 0;

/** Worker threads besides the main one: cores − 1, at most 3; `RASSYLKA_BUILD_THREADS` overrides (0: none). */
export function workerCount(): number {
  const env = process.env.RASSYLKA_BUILD_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.min(Number(env), 16);
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

function dispatch(): void {
  for (const slot of pool ?? []) {
    while (slot.ready && slot.inFlight.size < PREFETCH && queue.length) {
      const task = queue.shift()!;
      const id = nextId++;
      slot.inFlight.set(id, task);
      slot.worker.ref();
      slot.worker.postMessage({ id, root: task.root, absPath: task.absPath, projectKey: task.projectKey, lang: language() });
    }
  }
}

function startWorker(): Slot {
  // under tsx or vitest (benchmarks, tests) the worker is TypeScript: register tsx in it first
  const worker = isTs
    ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true })
    : new Worker(workerUrl);
  const slot: Slot = { worker, ready: false, inFlight: new Map() };
  worker.on("message", ({ id, result, ready }: { id: number; result: WorkerResult; ready?: boolean }) => {
    if (ready) {
      slot.ready = true;
      dispatch();
      return;
    }
    const task = slot.inFlight.get(id);
    slot.inFlight.delete(id);
    if (slot.inFlight.size === 0) worker.unref();
    task?.resolve(result);
    dispatch();
  });
  worker.on("error", (error) => {
    // a dead worker fails its tasks with a diagnostic, and leaves the pool
    pool = pool?.filter((s) => s !== slot);
    for (const task of slot.inFlight.values()) {
      task.resolve({
        diagnostics: [
          { ruleId: "build/worker", severity: "error", message: t("build:workerFailed", { error: error.message }), file: task.absPath },
        ],
      });
    }
    slot.inFlight.clear();
  });
  worker.unref();
  return slot;
}

/** Compile in a worker thread; resolves with the same shape as compiling in-process. */
export function compileInWorker(root: string, absPath: string, projectKey: string): Promise<WorkerResult> {
  pool ??= Array.from({ length: workerCount() }, startWorker);
  return new Promise((resolve) => {
    queue.push({ root, absPath, projectKey, resolve });
    dispatch();
  });
}

/** Take the next task no worker has yet, for the main thread to do itself. */
export function takeQueued(): Task | undefined {
  return queue.shift();
}
