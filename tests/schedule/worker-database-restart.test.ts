// `rassylka worker` while its PostgreSQL server restarts in the middle of a scheduled send: a cluster of
// this file's own (tests/helpers/postgres-cluster.ts), stopped and started again on the same port while the
// worker is sending through a real SMTP server. The worker notices, waits, resumes the send when the
// database answers again, and every subscriber gets the issue once.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { databases, type PostgresCluster, startCluster } from "../helpers/postgres-cluster.js";
import { CONFIG, gate, makeProject, type Sink, startSmtp } from "../send/helpers.js";
import { addSubscribers, cliJson, inSeconds, listHere, SLUG, startWorker, stateArgs, writeIssue } from "./helpers.js";

let server: Awaited<ReturnType<typeof startCluster>>;
let dbs: ReturnType<typeof databases>;
let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;
let worker: ReturnType<typeof startWorker> | undefined;

beforeAll(async () => {
  server = await startCluster();
  dbs = databases(server.cluster as PostgresCluster, "r_");
}, 120_000);
afterAll(async () => {
  await dbs?.close();
  await server?.stop();
});
beforeEach(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\n`));
});
afterEach(async () => {
  worker?.kill("SIGKILL");
  await worker?.done;
  worker = undefined;
  await sink?.close();
  sink = undefined;
  await cleanup();
});

it("the database restarts mid-send: the worker resumes when it is back, no reader skipped or sent twice", async () => {
  const location: StateLocation = { kind: "postgres", url: await dbs.database() };
  const readers = await addSubscribers(location, 60);
  // the sixth message is held in flight until the worker has seen the database go: the restart falls in the
  // middle of the send on any machine, and that reader's delivery is recorded only once the database is back
  const databaseGone = gate();
  sink = await startSmtp({ hold: (n) => (n === 6 ? databaseGone.opened : undefined) });
  // due at once: the worker starts it as soon as it is up
  await writeIssue(root, inSeconds(0));
  const pushed = await cliJson<{ issues: { slug: string; action: string }[] }>(root, ["schedule", "push", ...stateArgs(location)]);
  expect(pushed.code, pushed.done.stderr).toBe(0);
  worker = startWorker(
    root,
    location,
    { SMTP_URL: sink.url, RASSYLKA_WORKER_HOST: "host-a", RASSYLKA_SCHEDULE_RECHECK_MS: "300", RASSYLKA_SCHEDULE_RETRY_MS: "500" },
    ["--concurrency", "1"],
  );
  await worker.waitFor("started", SLUG);
  await sink.waitForReceived(5);
  const restarted = server.restart(2000);
  await worker.waitFor("state-error").finally(databaseGone.open);
  await restarted;
  const deliveredBeforeRestart = sink.received.length;
  expect(deliveredBeforeRestart).toBeLessThan(readers.length);
  await worker.waitFor("sent", SLUG, 120_000);

  // the worker saw the database go and come back, and kept running
  const events = worker.lines.map((l) => l.event);
  expect(events).toContain("state-error");
  expect(events.filter((e) => e === "started")).toHaveLength(1);
  expect(events.indexOf("sent")).toBeGreaterThan(events.indexOf("state-error"));
  const got = new Map<string, number>();
  for (const r of sink.received) for (const to of r.to) got.set(to, (got.get(to) ?? 0) + 1);
  expect([...got.keys()].sort()).toEqual([...readers].sort());
  expect([...got.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(await listHere(root, location)).toMatchObject([{ slug: SLUG, state: "sent", readers: 60 }]);
  // the log names no reader and no password
  const log = worker.lines.map((l) => JSON.stringify(l)).join("\n");
  expect(log).not.toMatch(/reader\d+@/);
  expect(log).not.toContain("pg-test-Secret");
}, 240_000);
