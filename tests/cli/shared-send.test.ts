// Several `rassylka send` processes (the built CLI) on one state: the shared send.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createUnsubscribeToken } from "../../src/identity/token.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { addSuppressions } from "../../src/suppress/suppress.js";
import {
  type CliDone,
  copies,
  HELLO,
  ISSUE,
  readers,
  readersCsv,
  SECRET,
  type Sink,
  smtpGate,
  smtpSendOf,
  stateFlag,
  warmSendTest,
} from "../send/helpers.js";
import { backends } from "../state/backends.js";

// the hello issue compiled once for the file, not by each process's first send
const it = warmSendTest;
const SLUG = "2026-12-01-hello";
const sendArgs = (sink: Sink, location: StateLocation, issue = ISSUE, extra: string[] = []) =>
  smtpSendOf(issue, sink.url, "--concurrency", "1", "--json", ...stateFlag(location), ...extra);
const summaryOf = (d: CliDone) => {
  expect(d.code, d.stderr).toBe(0);
  return JSON.parse(d.stdout) as { sent: number; resent: number; resentAddresses: string[]; workers: number; sentByOthers: number };
};

describe.each(backends())("a shared send ($name)", (backend) => {
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  it("three workers, one SIGKILLed mid-send: its claims are taken over after the lease, everyone gets it, only its in-flight readers twice, and those are reported", async ({
    project,
  }) => {
    const location = await backend.fresh();
    const list = readers(90);
    await project.write("list.csv", readersCsv(list));
    const sink = await project.smtp({ dataDelayMs: 60 });
    const env = (n: number) => ({ RASSYLKA_LEASE_MS: "1500", RASSYLKA_WORKER_HOST: `host-${n}` });
    const workers = [1, 2, 3].map((n) => project.start(sendArgs(sink, location), env(n)));
    await sink.waitForReceived(15);
    workers[0].child.kill("SIGKILL");
    const [killed, ...rest] = await Promise.all(workers.map((w) => w.done));
    expect(killed.signal).toBe("SIGKILL");
    const survivors = rest.map(summaryOf);
    const got = copies(sink);
    // every reader delivered
    expect([...got.keys()].sort()).toEqual([...list].sort());
    const twice = [...got].filter(([, n]) => n > 1).map(([a]) => a);
    const resent = survivors.flatMap((s) => s.resentAddresses);
    // at most what the dead worker had in flight (--concurrency 1: two messages) got it twice, and those were reported
    expect(twice.length).toBeLessThanOrEqual(2);
    for (const a of twice) expect(resent).toContain(a);
    expect(resent.length).toBeGreaterThan(0); // it had claims: the takeover happened
    expect(resent.length).toBeLessThanOrEqual(2);
    expect(survivors.reduce((n, s) => n + s.resent, 0)).toBe(resent.length);
    // the ledger agrees: everyone sent, the taken-over readers counted as resent
    const store = await openStore(location);
    try {
      expect(await store.ledger.counts(SLUG)).toMatchObject({ total: 90, sent: 90, pending: 0, inFlight: 0 });
      expect((await store.ledger.resent(SLUG)).map((r) => r.email).sort()).toEqual([...resent].sort());
      const ws = await store.ledger.workers(SLUG);
      expect(ws).toHaveLength(3);
      expect(ws.filter((w) => w.ended)).toHaveLength(2);
      expect(ws.reduce((n, w) => n + w.sent, 0)).toBe(90);
    } finally {
      await store.close();
    }
  }, 120_000);

  it("two processes with different host names on one send: every reader exactly once, each reports its part, status shows both", async ({
    project,
  }) => {
    const location = await backend.fresh();
    const list = readers(80);
    await project.write("list.csv", readersCsv(list));
    // the messages are held at the server until each process has one there: the second surely joins while
    // the first sends, and has a share
    const gate = smtpGate();
    const sink = await project.smtp({ hold: gate.hold });
    const a = project.start(sendArgs(sink, location), { RASSYLKA_WORKER_HOST: "laptop" });
    await gate.waiting(1);
    const b = project.start(sendArgs(sink, location), { RASSYLKA_WORKER_HOST: "ci-runner" });
    await gate.waiting(2);
    gate.open();
    const [ra, rb] = (await Promise.all([a.done, b.done])).map(summaryOf);
    const got = copies(sink);
    expect([...got.keys()].sort()).toEqual([...list].sort());
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect(ra.sent + rb.sent).toBe(80);
    expect(rb.sent).toBeGreaterThan(0);
    expect(ra.resent + rb.resent).toBe(0);
    expect(rb.workers).toBe(2);
    const status = project.start(["status", SLUG, "--json", ...stateFlag(location)]);
    const s = await status.done;
    expect(s.code, s.stderr).toBe(0);
    const json = JSON.parse(s.stdout);
    expect(json.counts).toMatchObject({ total: 80, sent: 80, pending: 0 });
    expect(json.workers.map((w: { host: string; sent: number }) => [w.host, w.sent]).sort()).toEqual(
      [
        ["ci-runner", rb.sent],
        ["laptop", ra.sent],
      ].sort(),
    );
  }, 120_000);

  it("an unsubscribe recorded on another machine while the send runs is honoured at claim time", async ({ project }) => {
    const location = await backend.fresh();
    const list = readers(50);
    await project.write("list.csv", readersCsv(list));
    // the send's messages are held at the server until the unsubscribe is recorded: it surely runs by then,
    // and has not reached the reader yet, however long the other process takes to start
    const gate = smtpGate();
    const sink = await project.smtp({ hold: gate.hold });
    const send = project.start(sendArgs(sink, location), { RASSYLKA_WORKER_HOST: "sender" });
    await gate.waiting(1);
    const late = list[45];
    // recorded by another process (this one) in the same state, as `suppress add` does
    expect(await addSuppressions(location, [late.toUpperCase()], "manual")).toBe(1);
    gate.open();
    const r = summaryOf(await send.done);
    expect(copies(sink).has(late)).toBe(false);
    expect(copies(sink).size).toBe(49);
    expect(r).toMatchObject({ sent: 49, suppressed: 1 });
  }, 120_000);

  it("serve on the web host records a one-click unsubscribe in the same database; the running send honours it", async ({ project }) => {
    const location = await backend.fresh();
    const list = readers(50);
    await project.write("list.csv", readersCsv(list));
    // held as above until the one-click POST is answered
    const gate = smtpGate();
    const sink = await project.smtp({ hold: gate.hold });
    const web = project.start(["serve", "--port", "0", ...stateFlag(location)], { RASSYLKA_WORKER_HOST: "web" });
    const base = await new Promise<string>((resolve, reject) => {
      let out = "";
      web.child.stdout!.on("data", (c) => {
        out += c;
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      web.child.on("close", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    try {
      const send = project.start(sendArgs(sink, location), { RASSYLKA_WORKER_HOST: "sender" });
      await gate.waiting(1);
      const late = list[45];
      const { config } = await loadConfig(project.root);
      const token = createUnsubscribeToken(late, newsletterId(config), SECRET);
      const res = await fetch(`${base}unsubscribe?token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(res.status).toBe(200);
      gate.open();
      const r = summaryOf(await send.done);
      expect(copies(sink).has(late)).toBe(false);
      expect(copies(sink).size).toBe(49);
      expect(r).toMatchObject({ sent: 49, suppressed: 1 });
    } finally {
      web.child.kill("SIGTERM");
      await web.done;
    }
  }, 120_000);
});

describe("one SQLite file", () => {
  it("sends of six different issues at once: none fails with 'database is locked', each delivers its list", async ({ project }) => {
    const file = join(project.root, "state.sqlite");
    const issues: string[] = [];
    for (let i = 0; i < 6; i++) {
      const day = String(10 + i);
      const path = `issues/2026-12-${day}-vypusk.md`;
      await writeFile(join(project.root, path), HELLO.replace("2026-12-01", `2026-12-${day}`).replace("Тема письма", `Тема ${i}`));
      issues.push(path);
    }
    await project.write("list.csv", readersCsv(readers(40)));
    // the issues compiled first (build fills the render cache the sends read): the six sends then start
    // together and write the file at the same time, rather than one by one as their compiles end
    const build = await project.cli(["build"]);
    expect(build.code, build.stderr).toBe(0);
    const sink = await project.smtp({ dataDelayMs: 5 });
    const runs = issues.map((issue) =>
      project.start(sendArgs(sink, { kind: "sqlite", file }, issue, ["--concurrency", "3"]), { RASSYLKA_WORKER_HOST: "one-machine" }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|SQLITE_BUSY/i);
      expect(summaryOf(r).sent).toBe(40);
    }
    expect(sink.received).toHaveLength(240);
    expect((await readFile(file)).subarray(0, 15).toString()).toBe("SQLite format 3");
  }, 180_000);
});
