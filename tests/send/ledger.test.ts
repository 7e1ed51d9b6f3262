import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backoff } from "../../src/send/outcome.js";
import type { LedgerStore } from "../../src/state/ledger.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore, type Store } from "../../src/state/store.js";
import { backends, sql } from "../state/backends.js";

const row = (email: string, line = 2) => ({
  email: email.toLowerCase(),
  address: email,
  fields: { name: "x" },
  line,
  messageId: `${email}-id`,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends())("send ledger ($name)", (backend) => {
  let location: StateLocation;
  let store: Store;
  let ledger: LedgerStore;
  const opened: Store[] = [];
  /** Another process (or machine) on the same state: its own connection and worker id. */
  const other = async (worker?: string) => {
    const s = await openStore(location, { worker });
    opened.push(s);
    return s;
  };
  const state = async (email: string) =>
    (await sql<{ state: string }>(store, `SELECT state FROM send_ledger WHERE email = '${email}'`))[0].state;
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());
  beforeEach(async () => {
    location = await backend.fresh();
    store = await openStore(location, { worker: "host-a:1:aaaa" });
    ledger = store.ledger;
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await store.close();
  });

  it("counts duplicates within a run (case-insensitive), not across runs", async () => {
    const run1 = await ledger.beginRun("i", "h", "s");
    expect(await ledger.addRecipients("i", run1, [row("a@x.ru"), row("A@X.RU"), row("b@x.ru")])).toBe(1);
    expect(await ledger.addRecipients("i", run1, [row("b@x.ru")])).toBe(1);
    await ledger.endRun("i");
    const run2 = await ledger.beginRun("i", "h", "s");
    expect(run2).toBe(run1 + 1);
    expect(await ledger.addRecipients("i", run2, [row("a@x.ru"), row("b@x.ru")])).toBe(0);
    expect(await ledger.counts("i")).toMatchObject({ total: 2, pending: 2 });
  });

  it("marks claimed readers in flight (committed) and records outcomes in the same step as the next claim", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru"), row("c@x.ru")]);
    const first = await ledger.recordAndClaim("i", run, [], 2);
    expect(first.claimed.map((r) => r.email)).toEqual(["a@x.ru", "b@x.ru"]);
    // another connection (another process) sees them in flight, under this worker's lease
    const seen = await sql(await other(), "SELECT email, claimed_by FROM send_ledger WHERE state = 'in_flight' ORDER BY email");
    expect(seen).toEqual([
      { email: "a@x.ru", claimed_by: "host-a:1:aaaa" },
      { email: "b@x.ru", claimed_by: "host-a:1:aaaa" },
    ]);
    const next = await ledger.recordAndClaim(
      "i",
      run,
      [{ id: first.claimed[0].id, state: "sent", attempts: 1, code: 250, response: "250 OK" }],
      1,
    );
    expect(next.claimed.map((r) => r.email)).toEqual(["c@x.ru"]);
    expect(next.lost).toBe(0);
    expect(await state("a@x.ru")).toBe("sent");
  });

  it("after a crash, readers left in flight go back to the queue once the lease ran out, and are reported", async () => {
    const run = await ledger.beginRun("i", "h", "s", { leaseMs: 400 });
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    await ledger.recordAndClaim("i", run, [], 1, { leaseMs: 400 }); // a in flight, then the process dies
    const next = (await other("host-b:2:bbbb")).ledger;
    // while the lease holds, the worker is alive as far as anyone knows: its reader is not touched
    expect(await next.recoverInFlight("i", run)).toBe(0);
    await sleep(500);
    const run2 = await next.beginRun("i", "h", "s");
    expect(run2).toBe(run + 1); // the dead worker's run is not joined
    await next.addRecipients("i", run2, [row("a@x.ru"), row("b@x.ru")]);
    expect(await next.recoverInFlight("i", run2)).toBe(1);
    expect(await next.counts("i", run2)).toMatchObject({ pending: 2, inFlight: 0 });
    // marked in doubt: the run that sends it again reports it
    const again = (await next.recordAndClaim("i", run2, [], 2)).claimed;
    expect(again.map((r) => [r.email, r.inDoubt])).toEqual([
      ["a@x.ru", true],
      ["b@x.ru", false],
    ]);
  });

  it("a run only claims the readers of its own list", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    const run2 = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run2, [row("b@x.ru")]);
    expect((await ledger.recordAndClaim("i", run2, [], 5)).claimed.map((r) => r.email)).toEqual(["b@x.ru"]);
  });

  it("skips and marks suppressed readers at claim time; a lifted suppression makes them pending again", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    // recorded by another process (serve on the web host) after the list was imported
    const web = await other();
    await web.suppressions.add("A@x.ru", "unsubscribed");
    const r = await ledger.recordAndClaim("i", run, [], 5);
    expect(r.suppressed).toEqual(["a@x.ru"]);
    expect(r.claimed.map((x) => x.email)).toEqual(["b@x.ru"]);
    await web.suppressions.remove("a@x.ru");
    const run2 = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run2, [row("a@x.ru")]);
    expect(await state("a@x.ru")).toBe("pending");
  });

  it("deferred readers wait for their time", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru")]);
    const [a] = (await ledger.recordAndClaim("i", run, [], 1)).claimed;
    const later = Date.now() + 60_000;
    expect(
      (
        await ledger.recordAndClaim(
          "i",
          run,
          [{ id: a.id, state: "deferred", attempts: 1, code: 451, response: "later", nextAt: later }],
          1,
        )
      ).claimed,
    ).toEqual([]);
    expect(await ledger.nextDue("i", run)).toEqual({ at: later, kind: "deferred" });
    expect((await ledger.recordAndClaim("i", run, [], 1, { at: later })).claimed.map((r) => [r.email, r.attempts])).toEqual([
      ["a@x.ru", 1],
    ]);
  });

  it("refuses a changed issue once readers got it, unless allowed; a live worker of another version too", async () => {
    const run = await ledger.beginRun("i", "h1", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru")]);
    const second = (await other("host-b:2:bbbb")).ledger;
    // a second worker of the same version joins the run; of another version, it is refused while the first lives
    expect(await second.beginRun("i", "h1", "s")).toBe(run);
    await expect(second.beginRun("i", "h2", "s")).rejects.toThrow(
      /another rassylka worker \(host-a:1:aaaa\) is sending a different version/,
    );
    await ledger.endRun("i");
    await second.endRun("i");
    expect(await ledger.beginRun("i", "h2", "s")).toBe(run + 1); // nothing sent yet: fine
    const [a] = (await ledger.recordAndClaim("i", run + 1, [], 1)).claimed;
    expect(a).toBeUndefined(); // a@x.ru belongs to the first run's list
    await sql(store, "UPDATE send_ledger SET state = 'sent'");
    await ledger.endRun("i");
    await expect(ledger.beginRun("i", "h3", "s")).rejects.toThrow(/changed since its send started/);
    await expect(ledger.beginRun("i", "h3", "s", { allowChanged: true })).resolves.toBe(run + 2);
  });

  it("two workers share a run: each reader is claimed by one of them; a worker joining does not count the first one's readers as duplicates", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    const list = Array.from({ length: 40 }, (_, i) => row(`r${i}@x.ru`, i + 2));
    expect(await ledger.addRecipients("i", run, list)).toBe(0);
    const second = (await other("host-b:2:bbbb")).ledger;
    expect(await second.beginRun("i", "h", "s")).toBe(run);
    expect(await second.addRecipients("i", run, list)).toBe(0);
    const got = { a: [] as string[], b: [] as string[] };
    for (;;) {
      const [x, y] = await Promise.all([ledger.recordAndClaim("i", run, [], 3), second.recordAndClaim("i", run, [], 3)]);
      if (!x.claimed.length && !y.claimed.length) break;
      got.a.push(...x.claimed.map((r) => r.email));
      got.b.push(...y.claimed.map((r) => r.email));
      await ledger.record(x.claimed.map((r) => ({ id: r.id, state: "sent", attempts: 1 })));
      await second.record(y.claimed.map((r) => ({ id: r.id, state: "sent", attempts: 1 })));
    }
    expect([...got.a, ...got.b].sort()).toEqual(list.map((r) => r.email).sort());
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    const workers = await ledger.workers("i");
    expect(workers.map((w) => [w.worker, w.live, w.sent])).toEqual(
      expect.arrayContaining([
        ["host-a:1:aaaa", true, got.a.length],
        ["host-b:2:bbbb", true, got.b.length],
      ]),
    );
  });

  it("a lease that ran out is taken over and reported as resent; the worker that lost it records nothing over the new claim", async () => {
    const run = await ledger.beginRun("i", "h", "s", { leaseMs: 5000 });
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    const mine = (await ledger.recordAndClaim("i", run, [], 2, { leaseMs: 400 })).claimed;
    const second = (await other("host-b:2:bbbb")).ledger;
    expect(await second.beginRun("i", "h", "s")).toBe(run);
    // a heartbeat keeps the leases
    await sleep(250);
    await ledger.heartbeat("i", 400);
    await sleep(250);
    expect((await second.recordAndClaim("i", run, [], 5)).claimed).toEqual([]);
    expect(await second.nextDue("i", run)).toMatchObject({ kind: "lease" });
    // no heartbeat: the lease runs out and the other worker takes them, in doubt
    await sleep(500);
    const taken = (await second.recordAndClaim("i", run, [], 5)).claimed;
    expect(taken.map((r) => [r.email, r.inDoubt])).toEqual([
      ["a@x.ru", true],
      ["b@x.ru", true],
    ]);
    expect(await ledger.record(mine.map((r) => ({ id: r.id, state: "failed", attempts: 1, code: 550, response: "no" })))).toBe(2);
    expect((await ledger.recordAndClaim("i", run, [{ id: mine[0].id, state: "sent", attempts: 1 }], 1)).lost).toBe(1);
    expect(await second.record(taken.map((r) => ({ id: r.id, state: "sent", attempts: 1 })))).toBe(0);
    expect(await ledger.counts("i")).toMatchObject({ sent: 2, failed: 0 });
    expect(await ledger.resent("i")).toEqual([
      { email: "a@x.ru", times: 1 },
      { email: "b@x.ru", times: 1 },
    ]);
  });

  it("a worker that ends frees what it still had in flight at once", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru")]);
    await ledger.recordAndClaim("i", run, [], 1);
    await ledger.endRun("i");
    const next = (await other()).ledger;
    const run2 = await next.beginRun("i", "h", "s");
    await next.addRecipients("i", run2, [row("a@x.ru")]);
    expect(await next.recoverInFlight("i", run2)).toBe(1);
  });

  it("keeps the list's invalid rows of the issue's latest run: two workers reading one list add each once", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    const bad = [
      { line: 4, address: "x@", reason: "not an address" },
      { line: 2, address: "y", reason: "not an address" },
    ];
    await ledger.addInvalid("i", run, bad);
    const second = (await other("host-b:2:bbbb")).ledger;
    expect(await second.beginRun("i", "h", "s")).toBe(run);
    await second.addInvalid("i", run, bad);
    expect(await ledger.invalidRows("i")).toEqual([bad[1], bad[0]]);
    expect(await ledger.invalidRows("i", 1)).toEqual([bad[1]]);
    expect(await ledger.invalidRows("other")).toEqual([]);
    await ledger.endRun("i");
    await second.endRun("i");
    // the next run: its list had no invalid rows, so the issue shows none; its own replace the old ones
    const next = await ledger.beginRun("i", "h", "s");
    expect(await ledger.invalidRows("i")).toEqual([]);
    await ledger.addInvalid("i", next, [{ line: 9, address: "z", reason: "r" }]);
    expect(await ledger.invalidRows("i")).toEqual([{ line: 9, address: "z", reason: "r" }]);
    // the older run's rows are gone from the store, not only hidden
    expect((await sql<{ n: number | string }>(store, "SELECT count(*) AS n FROM send_invalid")).map((r) => Number(r.n))).toEqual([1]);
  });

  it("isSent, failures, clear", async () => {
    const run = await ledger.beginRun("i", "h", "s");
    await ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    const [a, b] = (await ledger.recordAndClaim("i", run, [], 2)).claimed;
    await ledger.record([
      { id: a.id, state: "sent", attempts: 1 },
      { id: b.id, state: "failed", attempts: 1, code: 550, response: "5.1.1 no such user" },
    ]);
    expect(await ledger.isSent("i", "a@x.ru")).toBe(true);
    expect(await ledger.isSent("i", "b@x.ru")).toBe(false);
    expect(await ledger.failures("i", run)).toEqual([{ email: "b@x.ru", code: 550, message: "5.1.1 no such user", attempts: 1 }]);
    expect(await ledger.suppressBounced("i", run)).toBe(1);
    expect(await store.suppressions.has("b@x.ru")).toBe(true);
    await ledger.clear("i");
    expect(await ledger.getRun("i")).toBeUndefined();
    expect(await ledger.counts("i")).toMatchObject({ total: 0 });
  });
});

describe("backoff", () => {
  it("doubles per attempt with jitter in [0.5, 1.5) and a cap", () => {
    expect(backoff(2000, 1, () => 0)).toBe(1000);
    expect(backoff(2000, 1, () => 0.999)).toBe(2998);
    expect(backoff(2000, 3, () => 0.5)).toBe(8000);
    expect(backoff(2000, 30, () => 0.5)).toBe(60 * 60_000);
  });
});
