// A send is tied to its list: a second send of the same issue to another list while the first runs is
// refused (it used to join the run, and the first process mailed the second list too); after the first
// ends, another list is a new run that skips the readers who already got the issue.
import { mkdir } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { type CliDone, ISSUE, makeProject, renderCache, type Sink, smtpGate, startCli, startSmtp, writeCsv } from "../send/helpers.js";
import { backends } from "../state/backends.js";

const SLUG = "2026-12-01-hello";

let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;
// the tests only read the issue: compiled once for the file, not by each first send
let cache: Awaited<ReturnType<typeof renderCache>>;
beforeAll(async () => {
  cache = await renderCache();
}, 60_000);
afterAll(() => cache?.remove());
beforeEach(async () => {
  ({ root, cleanup } = await makeProject());
  await cache.seed(root);
});
afterEach(async () => {
  await sink?.close();
  sink = undefined;
  await cleanup();
});

const start = (args: string[], env: NodeJS.ProcessEnv = {}) => startCli(root, args, { RASSYLKA_LANG: "en", ...env });
const readers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.ru`);
const csv = (list: string[]) => `email,name\n${list.map((a, i) => `${a},Читатель ${i}`).join("\n")}\n`;
const stateArgs = (location: StateLocation) => ["--state", location.kind === "sqlite" ? location.file : location.url];
const send = (location: StateLocation, list: string) => [
  "send",
  ISSUE,
  "--to",
  list,
  "--transport",
  "smtp",
  "--smtp-url",
  sink!.url,
  "--concurrency",
  "1",
  "--yes",
  "--json",
  ...stateArgs(location),
];
const copies = (s: Sink) => {
  const n = new Map<string, number>();
  for (const r of s.received) for (const to of r.to) n.set(to, (n.get(to) ?? 0) + 1);
  return n;
};
/**
 * What a send that must be refused ended with. Were it to send instead, its first message would wait at
 * the shut gate beside the running send's: that fails the test at once (the gate opened), not at its timeout.
 */
const refusedAt = async (done: Promise<CliDone>, gate: ReturnType<typeof smtpGate>) => {
  const r = await Promise.race([done, gate.waiting(2).then(() => undefined)]);
  if (!r) {
    gate.open();
    expect.fail("the second send went on instead of being refused");
  }
  return r;
};
const summaryOf = (d: CliDone) => {
  expect(d.code, d.stderr).toBe(0);
  return JSON.parse(d.stdout) as { total: number; sent: number; alreadySent: number; sentByOthers: number; workers: number };
};

describe.each(backends())("a send tied to its list ($name)", (backend) => {
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  it("a second send of the issue to another list while the first runs is refused naming the running list and its start; the first mails only its own list and counts only it", async () => {
    const location = await backend.fresh();
    const listA = readers("a", 30);
    // list B shares five readers with list A
    const listB = [...readers("b", 20), ...listA.slice(0, 5)];
    await writeCsv(root, "list-a.csv", csv(listA));
    await writeCsv(root, "list-b.csv", csv(listB));
    // A's messages are held at the server until B has been refused: B surely starts while A runs, however
    // loaded the machine
    const gate = smtpGate();
    sink = await startSmtp({ hold: gate.hold });
    const a = start(send(location, "list-a.csv"), { RASSYLKA_WORKER_HOST: "operator-a" });
    await gate.waiting(1);
    const b = await refusedAt(start(send(location, "list-b.csv"), { RASSYLKA_WORKER_HOST: "operator-b" }).done, gate);
    gate.open();
    expect(b.code, b.stdout).toBe(1);
    expect(b.stderr).toContain("send/other-list");
    expect(b.stderr).toMatch(
      /being sent right now to another list: list-a\.csv \(started \d{4}-\d\d-\d\d \d\d:\d\d UTC\); this send's list is list-b\.csv/,
    );
    expect(b.stderr).toMatch(/fix: wait until the send to list-a\.csv ends/);
    expect(b.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const ra = summaryOf(await a.done);
    // nobody of list B was mailed by A, and A's total is its own list
    expect([...copies(sink).keys()].sort()).toEqual([...listA].sort());
    expect(ra).toMatchObject({ total: 30, sent: 30, workers: 1, sentByOthers: 0 });

    // after A ended, list B is a new run: the five readers A mailed are skipped
    const again = summaryOf(await start(send(location, "list-b.csv"), { RASSYLKA_WORKER_HOST: "operator-b" }).done);
    expect(again).toMatchObject({ total: 25, sent: 20, alreadySent: 5 });
    const got = copies(sink);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect(got.size).toBe(50);
    const store = await openStore(location);
    try {
      expect(await store.ledger.counts(SLUG)).toMatchObject({ total: 50, sent: 50, pending: 0 });
    } finally {
      await store.close();
    }
  }, 120_000);

  it("workers with the same list (the same contents at another path) share the run; each one's total is that list", async () => {
    const location = await backend.fresh();
    const list = readers("r", 30);
    await writeCsv(root, "list.csv", csv(list));
    await mkdir(`${root}/copy`, { recursive: true });
    await writeCsv(root, "copy/list.csv", csv(list));
    // the messages are held at the server until each worker has one there: the second surely joins while
    // the first sends, and has a share
    const gate = smtpGate();
    sink = await startSmtp({ hold: gate.hold });
    const a = start(send(location, "list.csv"), { RASSYLKA_WORKER_HOST: "laptop" });
    await gate.waiting(1);
    const b = start(send(location, "copy/list.csv"), { RASSYLKA_WORKER_HOST: "server" });
    await gate.waiting(2);
    gate.open();
    const [ra, rb] = (await Promise.all([a.done, b.done])).map(summaryOf);
    expect(rb.workers).toBe(2);
    expect(rb.sent).toBeGreaterThan(0);
    expect(ra.sent + rb.sent).toBe(30);
    expect(ra.total).toBe(30);
    expect(rb.total).toBe(30);
    const got = copies(sink);
    expect(got.size).toBe(30);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it("addresses given with --to are the same list in any order and case; other addresses are another list", async () => {
    const location = await backend.fresh();
    // held as above: the other list is refused while the first runs, the same list joins it
    const gate = smtpGate();
    sink = await startSmtp({ hold: gate.hold });
    const many = readers("t", 30);
    const a = start(send(location, many.join(",")), { RASSYLKA_WORKER_HOST: "one" });
    await gate.waiting(1);
    const other = await refusedAt(start(send(location, "x1@example.ru,x2@example.ru"), { RASSYLKA_WORKER_HOST: "two" }).done, gate);
    expect(other.code, other.stdout).toBe(1);
    expect(other.stderr).toMatch(/another list: --to \(30\) .*this send's list is --to \(2\)/);
    const same = start(
      send(
        location,
        [...many]
          .reverse()
          .map((x) => x.toUpperCase())
          .join(","),
      ),
      { RASSYLKA_WORKER_HOST: "three" },
    );
    await gate.waiting(2);
    gate.open();
    const [ra, rs] = (await Promise.all([a.done, same.done])).map(summaryOf);
    expect(ra.sent + rs.sent).toBe(30);
    expect(copies(sink).size).toBe(30);
    expect(copies(sink).has("x1@example.ru")).toBe(false);
  }, 120_000);
});
