import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listSchedule, type ScheduledIssue } from "../../src/schedule/list.js";
import { type PushedIssue, pushSchedule } from "../../src/schedule/push.js";
import type { WorkerHealth } from "../../src/schedule/worker.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { type CliDone, CONFIG, HELLO, ISSUE, makeProject, startCli } from "../send/helpers.js";

/** Scheduled sends' tests: a newsletter (tests/send/helpers.ts makeProject) with subscribers and a sendAt. */
export const SLUG = "2026-12-01-hello";

export const stateArgs = (location: StateLocation) => ["--state", location.kind === "sqlite" ? location.file : location.url];

/** `count` confirmed subscribers in the state. */
export async function addSubscribers(location: StateLocation, count: number): Promise<string[]> {
  const list = Array.from({ length: count }, (_, i) => `reader${i}@example.ru`);
  const store = await openStore(location);
  try {
    await store.subscribers.upsertMany(
      list.map((address) => ({ address })),
      { status: "confirmed", source: "test", at: new Date().toISOString() },
    );
  } finally {
    await store.close();
  }
  return list;
}

/** The example issue with front-matter `sendAt` (ISO text) and more lines, or without sendAt when undefined. */
export async function writeIssue(root: string, sendAt: string | undefined, extra = "", body = "Текст выпуска."): Promise<void> {
  const front = sendAt === undefined ? "" : `sendAt: "${sendAt}"\n`;
  await writeFile(
    join(root, ISSUE),
    HELLO.replace("preheader: Коротко.\n", `preheader: Коротко.\n${front}${extra}`).replace("Текст выпуска.", body),
  );
}

export async function removeIssue(root: string): Promise<void> {
  await rm(join(root, ISSUE));
}

export const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** `rassylka schedule push|list --json` as a process; its parsed output. */
export async function cliJson<T>(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; json: T; done: CliDone }> {
  const done = await startCli(root, [...args, "--json"], { RASSYLKA_LANG: "en", ...env }).done;
  let json: T;
  try {
    json = JSON.parse(done.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${done.code}): ${done.stdout}\n${done.stderr}`);
  }
  return { code: done.code, json, done };
}

export interface ListedIssue {
  slug: string;
  sendAt: string;
  state: string;
  audience: unknown;
  readers: number | null;
}

export async function list(root: string, location: StateLocation): Promise<ListedIssue[]> {
  return (await cliJson<ListedIssue[]>(root, ["schedule", "list", ...stateArgs(location)])).json;
}

/**
 * `schedule push` in this process (src/schedule/push.ts): a set-up step a fraction of a second long once
 * warm, where a process takes seconds on a loaded machine. Throws what an issue could not be recorded for
 * (the CLI's exit 1). `now`: the push's clock, as if it ran then.
 */
export async function pushHere(root: string, location: StateLocation, now?: () => number): Promise<PushedIssue[]> {
  const result = await pushSchedule({ root, state: stateArgs(location)[1], env: {}, now });
  if (result.diagnostics.length) throw new Error(`push: ${result.diagnostics.map((d) => `${d.file}: ${d.message}`).join("\n")}`);
  return result.issues;
}

/** `schedule list` in this process (src/schedule/list.ts). */
export function listHere(root: string, location: StateLocation): Promise<ScheduledIssue[]> {
  return listSchedule({ root, state: stateArgs(location)[1], env: {} });
}

/**
 * One push into a throwaway newsletter and state: loads the compiler (seconds on a loaded machine), so
 * that a test's own pushes, made while a worker waits, take a fraction of a second. For a `beforeAll`.
 */
export async function warmPush(): Promise<void> {
  const { root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\n`);
  try {
    await writeIssue(root, inSeconds(3600));
    const location: StateLocation = { kind: "sqlite", file: join(root, "warm.sqlite") };
    await pushHere(root, location);
    await listHere(root, location);
  } finally {
    await cleanup();
  }
}

/** Polls `check` every 50 ms until it holds; `what` names it when `timeoutMs` runs out (a failure, never a wait that costs). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a worker started with `--port` answers at GET /healthz. */
export async function health(port: unknown): Promise<WorkerHealth> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return (await res.json()) as WorkerHealth;
}

/** A running `rassylka worker`: its JSON lines as they come. */
export interface RunningWorker {
  lines: Record<string, unknown>[];
  waitFor(event: string, slug?: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliDone>;
}

export function startWorker(root: string, location: StateLocation, env: NodeJS.ProcessEnv = {}, extra: string[] = []): RunningWorker {
  const { child, done } = startCli(root, ["worker", ...stateArgs(location), ...extra], { RASSYLKA_LANG: "en", ...env });
  const lines: Record<string, unknown>[] = [];
  const waiters: { event: string; slug?: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (line.event === w.event && (w.slug === undefined || line.slug === w.slug)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  return {
    lines,
    waitFor(event, slug, timeoutMs = 60_000) {
      const seen = lines.find((l) => l.event === event && (slug === undefined || l.slug === slug));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} in ${timeoutMs} ms; log:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`)),
          timeoutMs,
        );
        waiters.push({
          event,
          slug,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    kill: (signal) => child.kill(signal),
    done,
  };
}

export async function readText(path: string): Promise<string> {
  return readFile(path, "utf8");
}
