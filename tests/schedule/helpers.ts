import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { type CliDone, HELLO, ISSUE, startCli } from "../send/helpers.js";

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
