import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoff } from "../../src/send/delivery.js";
import { Ledger } from "../../src/send/ledger.js";
import { openState, type StateDb } from "../../src/state/db.js";
import { Suppressions } from "../../src/state/suppressions.js";

let dir: string;
let db: StateDb;
let ledger: Ledger;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rassylka-ledger-"));
  db = openState(join(dir, "state.sqlite"));
  ledger = new Ledger(db);
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const row = (email: string, line = 2) => ({
  email: email.toLowerCase(),
  address: email,
  fields: { name: "x" },
  line,
  messageId: `${email}-id`,
});
const state = (email: string) => (db.prepare("SELECT state FROM send_ledger WHERE email = ?").get(email) as { state: string }).state;

describe("send ledger", () => {
  it("counts duplicates within a run (case-insensitive), not across runs", () => {
    const run1 = ledger.beginRun("i", "h", "s");
    expect(ledger.addRecipients("i", run1, [row("a@x.ru"), row("A@X.RU"), row("b@x.ru")])).toBe(1);
    ledger.endRun("i");
    const run2 = ledger.beginRun("i", "h", "s");
    expect(run2).toBe(run1 + 1);
    expect(ledger.addRecipients("i", run2, [row("a@x.ru"), row("b@x.ru")])).toBe(0);
    expect(ledger.counts("i")).toMatchObject({ total: 2, pending: 2 });
  });

  it("marks claimed readers in flight (committed) and records outcomes in the same step as the next claim", () => {
    const run = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru"), row("c@x.ru")]);
    const first = ledger.recordAndClaim("i", run, [], 2);
    expect(first.claimed.map((r) => r.email)).toEqual(["a@x.ru", "b@x.ru"]);
    // another connection (another process) sees them in flight
    const other = openState(join(dir, "state.sqlite"));
    expect(other.prepare("SELECT email FROM send_ledger WHERE state = 'in_flight' ORDER BY email").all()).toEqual([
      { email: "a@x.ru" },
      { email: "b@x.ru" },
    ]);
    other.close();
    const next = ledger.recordAndClaim(
      "i",
      run,
      [{ id: first.claimed[0].id, state: "sent", attempts: 1, code: 250, response: "250 OK" }],
      1,
    );
    expect(next.claimed.map((r) => r.email)).toEqual(["c@x.ru"]);
    expect(state("a@x.ru")).toBe("sent");
  });

  it("after a crash, readers left in flight go back to the queue and are reported", () => {
    const run = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    ledger.recordAndClaim("i", run, [], 1); // a in flight, then the process dies
    const run2 = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run2, [row("a@x.ru"), row("b@x.ru")]);
    expect(ledger.recoverInFlight("i", run2)).toBe(1);
    expect(ledger.counts("i", run2)).toMatchObject({ pending: 2, inFlight: 0 });
    // marked in doubt: the run that sends it again reports it
    const again = ledger.recordAndClaim("i", run2, [], 2).claimed;
    expect(again.map((r) => [r.email, r.inDoubt])).toEqual([
      ["a@x.ru", true],
      ["b@x.ru", false],
    ]);
  });

  it("a run only claims the readers of its own list", () => {
    const run = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    const run2 = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run2, [row("b@x.ru")]);
    expect(ledger.recordAndClaim("i", run2, [], 5).claimed.map((r) => r.email)).toEqual(["b@x.ru"]);
  });

  it("skips and marks suppressed readers at claim time; a lifted suppression makes them pending again", () => {
    const run = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run, [row("a@x.ru"), row("b@x.ru")]);
    const s = new Suppressions(db);
    s.add("A@x.ru", "unsubscribed");
    const r = ledger.recordAndClaim("i", run, [], 5);
    expect(r.suppressed).toEqual(["a@x.ru"]);
    expect(r.claimed.map((x) => x.email)).toEqual(["b@x.ru"]);
    s.remove("a@x.ru");
    const run2 = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run2, [row("a@x.ru")]);
    expect(state("a@x.ru")).toBe("pending");
  });

  it("deferred readers wait for their time", () => {
    const run = ledger.beginRun("i", "h", "s");
    ledger.addRecipients("i", run, [row("a@x.ru")]);
    const [a] = ledger.recordAndClaim("i", run, [], 1).claimed;
    const later = Date.now() + 60_000;
    expect(
      ledger.recordAndClaim("i", run, [{ id: a.id, state: "deferred", attempts: 1, code: 451, response: "later", nextAt: later }], 1)
        .claimed,
    ).toEqual([]);
    expect(ledger.nextDue("i", run)).toBe(later);
    expect(ledger.recordAndClaim("i", run, [], 1, later).claimed.map((r) => [r.email, r.attempts])).toEqual([["a@x.ru", 1]]);
  });

  it("refuses a changed issue once readers got it, unless allowed; refuses a second live sender", () => {
    const run = ledger.beginRun("i", "h1", "s");
    ledger.addRecipients("i", run, [row("a@x.ru")]);
    // the same process may re-enter; a live other pid may not
    db.prepare("UPDATE send_runs SET pid = ?").run(process.ppid);
    expect(() => ledger.beginRun("i", "h1", "s")).toThrow(/another rassylka process/);
    db.prepare("UPDATE send_runs SET pid = NULL").run();
    expect(ledger.beginRun("i", "h2", "s")).toBeGreaterThan(run); // nothing sent yet: fine
    const [a] = ledger.recordAndClaim("i", run + 1, [], 1).claimed;
    ledger.record([{ id: a?.id ?? 0, state: "sent", attempts: 1 }]);
    db.prepare("UPDATE send_ledger SET state = 'sent'").run();
    expect(() => ledger.beginRun("i", "h3", "s")).toThrow(/changed since its send started/);
    expect(() => ledger.beginRun("i", "h3", "s", { allowChanged: true })).not.toThrow();
  });

  it("backoff doubles per attempt with jitter in [0.5, 1.5) and a cap", () => {
    expect(backoff(2000, 1, () => 0)).toBe(1000);
    expect(backoff(2000, 1, () => 0.999)).toBe(2998);
    expect(backoff(2000, 3, () => 0.5)).toBe(8000);
    expect(backoff(2000, 30, () => 0.5)).toBe(60 * 60_000);
  });
});
