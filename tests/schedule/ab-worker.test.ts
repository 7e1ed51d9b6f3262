// An A/B test of subjects under `rassylka worker` (the built CLI) on both backends, with a real SMTP
// server: the worker sends the sample and is SIGKILLed while it waits for the decision; a worker started
// after the wait decides and sends the winner to the rest — every subscriber exactly once.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../../src/state/sql.js";
import { openStore, type StateStore } from "../../src/state/store.js";
import { CONFIG, ISSUE, makeProject, parse, type Sink, startCli, startSmtp } from "../send/helpers.js";
import { backends } from "../state/backends.js";
import { addSubscribers, cliJson, inSeconds, SLUG, startWorker, stateArgs } from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;
const workers: ReturnType<typeof startWorker>[] = [];
beforeEach(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\ntracking:\n  clicks: true\n`));
});
afterEach(async () => {
  for (const w of workers.splice(0)) {
    w.kill("SIGKILL");
    await w.done;
  }
  await sink?.close();
  sink = undefined;
  await cleanup();
});

const SUBJECTS = ["Первая тема", "Вторая тема"];
const FAST = { RASSYLKA_SCHEDULE_RECHECK_MS: "300", RASSYLKA_SCHEDULE_RETRY_MS: "500" };

describe.each(backends())("an A/B test under the worker ($name)", (backend) => {
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  it("the worker is killed between the sample and the decision; the next one decides after the wait and sends the rest, each reader once", async () => {
    const location = await backend.fresh();
    const readers = await addSubscribers(location, 120);
    sink = await startSmtp();
    await writeFile(
      join(root, ISSUE),
      `---\ntitle: Привет\ndate: 2026-12-01\nsubject:\n  - ${SUBJECTS[0]}\n  - ${SUBJECTS[1]}\nabTest:\n  sample: 20%\n  wait: 30m\nsendAt: "${inSeconds(0)}"\n---\nЧитайте [статью](https://prodazhi.example.ru/stati).\n`,
    );
    const pushed = await cliJson<{ issues: { slug: string; state: string }[] }>(root, ["schedule", "push", ...stateArgs(location)]);
    expect(pushed.code, pushed.done.stderr).toBe(0);
    const env = { SMTP_URL: sink.url, ...FAST };
    const first = startWorker(root, location, { ...env, RASSYLKA_WORKER_HOST: "host-a" });
    workers.push(first);
    const sampled = await first.waitFor("ab-sample-sent", SLUG, 90_000);
    const sampleSize = sink.received.length;
    expect(sampleSize).toBe(Number(sampled.sent));
    expect(Number(sampled.held)).toBe(120 - sampleSize);
    expect(Date.parse(String(sampled.decideAt)) - Date.now()).toBeGreaterThan(25 * 60_000);
    first.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    expect(sink.received).toHaveLength(sampleSize);

    // half an hour passes: the decision's time, as the sample's end recorded it, is now behind us
    const store = (await openStore(location)) as StateStore;
    try {
      await store.sql.run(sql`UPDATE ab_tests SET decide_at = ${Date.now() - 1000} WHERE issue = ${SLUG}`);
    } finally {
      await store.close();
    }
    const second = startWorker(root, location, { ...env, RASSYLKA_WORKER_HOST: "host-b" });
    workers.push(second);
    await second.waitFor("joined", SLUG);
    await second.waitFor("sent", SLUG, 90_000);

    const got = new Map<string, string[]>();
    for (const r of sink.received) got.set(r.to[0], [...(got.get(r.to[0]) ?? []), String((await parse(r.raw)).subject)]);
    expect([...got.keys()].sort()).toEqual([...readers].sort());
    expect([...got.values()].every((s) => s.length === 1)).toBe(true);
    // status as JSON and as text, at once
    const [status, text] = await Promise.all([
      cliJson<{ ab: { decision: { winner: number; by: string; reason: string }; rest: { delivered: number } } }>(root, [
        "status",
        SLUG,
        ...stateArgs(location),
      ]),
      startCli(root, ["status", SLUG, ...stateArgs(location)], { RASSYLKA_LANG: "en" }).done,
    ]);
    // about 24 readers per subject: too few to compare, so the first subject went to the rest, decided by the worker
    expect(status.json.ab.decision).toMatchObject({ winner: 0, by: "worker", reason: "too-small" });
    expect(status.json.ab.rest.delivered).toBe(120 - sampleSize);
    const rest = sink.received.slice(sampleSize);
    for (const r of rest) expect(String((await parse(r.raw)).subject)).toBe(SUBJECTS[0]);
    expect(text.stdout).toMatch(/Первая тема»: delivered \d+, clicked 0, rate 0 %/);
    expect(text.stdout).toMatch(/too few to compare/);
  }, 200_000);
});
