import { describe, expect } from "vitest";
import { addressList } from "../../src/send/audience.js";
import { type SendOptions, sendIssue } from "../../src/send/send-issue.js";
import type { Transport } from "../../src/send/transport.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { openState } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import { greylist, ISSUE, SECRET, type SendProject, sendTest } from "./helpers.js";

const it = sendTest;
const to = (n: number, p = "r") => Array.from({ length: n }, (_, i) => `${p}${i}@example.ru`).join(",");
/** A send of the issue to `list` through the project's last SMTP server. */
function send(project: SendProject, list: string, extra: Partial<SendOptions> = {}) {
  return sendIssue({
    root: project.root,
    issue: ISSUE,
    stateFile: project.state,
    audience: addressList(list),
    transport: new SmtpTransport({ url: project.sink!.url, maxConnections: 2, thread: false }),
    concurrency: 2,
    retryDelay: 5,
    env: { RASSYLKA_SECRET: SECRET },
    ...extra,
  });
}
const withDb = async <T>(project: SendProject, fn: (db: Awaited<ReturnType<typeof openState>>) => T | Promise<T>): Promise<T> => {
  const db = await openState(project.state);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
};

// temporary failures get a realistic window
describe("greylisting and the retry window", () => {
  it("a greylisting server for every reader: deferred, not paused, and delivered on the retry", async ({ project }) => {
    const sink = await project.smtp({ behaviour: greylist(150) });
    // 30 readers all greylisted: more than the 20 in a row that pause a run when the server is down
    const summary = await send(project, to(30), { retryDelay: 200 });
    expect(summary).toMatchObject({ sent: 30, failed: 0, pending: 0, stopped: undefined });
    expect(sink.received).toHaveLength(30);
  });

  it("the first retry comes within five minutes with the default delay", async ({ project }) => {
    await project.smtp({ behaviour: greylist(60 * 60_000) });
    const before = Date.now();
    const summary = await send(project, "grey@example.ru", { retryDelay: undefined, maxWait: 0 });
    expect(summary).toMatchObject({ stopped: "deferred", deferred: 1, pending: 1, failed: 0 });
    const due = Date.parse(summary.nextRetryAt!) - before;
    expect(due).toBeGreaterThan(0);
    expect(due).toBeLessThanOrEqual(5 * 60_000);
  });

  it("only deferred readers left, next retry later than maxWait: stops at once with when; a re-run sends those due", async ({
    project,
  }) => {
    const sink = await project.smtp({ behaviour: greylist(100) });
    const t0 = performance.now();
    const first = await send(project, "grey@other.ru", { retryDelay: 60_000, maxWait: 1000 });
    // "at once" means it did not wait for the retry: one attempt, and well under the first backoff
    // (0.5–1.5 × 60 s) — not a wall-clock bound a loaded machine can miss
    expect(sink.attempts.get("grey@other.ru")).toBe(1);
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(first).toMatchObject({ stopped: "deferred", deferred: 1, sent: 0 });
    // a re-run before it is due stops the same way; once due (the ledger's time moved), it delivers
    await withDb(project, (db) => db.prepare("UPDATE send_ledger SET next_at = 0").run());
    const again = await send(project, "grey@other.ru", { retryDelay: 60_000, maxWait: 1000 });
    expect(again).toMatchObject({ sent: 1, pending: 0, stopped: undefined });
  });

  it("is failed only when the window is over, not after a count of attempts", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt) => (rcpt === "busy@example.ru" ? { code: 452, message: "4.2.2 Mailbox busy" } : undefined),
    });
    // a window wide enough for more than the old 5 attempts even on a loaded machine (backoff from 10 ms: ~8 fit)
    const summary = await send(project, "busy@example.ru,ok@example.ru", { retryDelay: 10, retryWindow: 3000 });
    expect(summary).toMatchObject({ sent: 1, failed: 1, pending: 0 });
    expect(summary.failures[0].message).toMatch(/gave up after \d+ attempts over \d+ s: .*Mailbox busy/);
    expect(sink.attempts.get("busy@example.ru")).toBeGreaterThan(5);
  });
});

describe("--retry-failed", () => {
  it("puts the list's failed readers back, never those sent, and those suppressed since count as suppressed", async ({ project }) => {
    let down = true;
    const sink = await project.smtp({
      behaviour: (rcpt) => (down && rcpt.startsWith("x") ? { code: 550, message: "5.7.1 rejected by policy" } : undefined),
    });
    const list = "a@example.ru,x1@example.ru,x2@example.ru";
    expect(await send(project, list)).toMatchObject({ sent: 1, failed: 2 });
    down = false;
    await withDb(project, (db) => sqliteStore(db).suppressions.add("x2@example.ru", "unsubscribed"));
    expect(await send(project, list)).toMatchObject({ sent: 0, failed: 2, retried: 0 }); // failed stays failed without the flag
    const retried = await send(project, list, { retryFailed: true });
    expect(retried).toMatchObject({ retried: 2, sent: 1, failed: 0, suppressed: 1, pending: 0 });
    expect(sink.received.map((r) => r.to[0]).sort()).toEqual(["a@example.ru", "x1@example.ru"]);
  });
});

describe("hard bounces at send time", () => {
  it("5.1.1 / 5.1.10 / 5.2.1 go on the suppression list as bounced with the code; 5.7.x do not", async ({ project }) => {
    const replies: Record<string, string> = {
      "gone@example.ru": "5.1.1 <gone@example.ru>: user unknown",
      "nullmx@example.ru": "5.1.10 recipient address has null MX",
      "off@example.ru": "5.2.1 mailbox disabled",
      "policy@example.ru": "5.7.1 message refused by policy",
    };
    await project.smtp({ behaviour: (rcpt) => (replies[rcpt] ? { code: 550, message: replies[rcpt] } : undefined) });
    const summary = await send(project, `ok@example.ru,${Object.keys(replies).join(",")}`);
    expect(summary).toMatchObject({ sent: 1, failed: 4, bounced: 3 });
    const list = await withDb(project, (db) => sqliteStore(db).suppressions.list());
    expect(list.map((s) => [s.email, s.reason, s.source])).toEqual([
      ["gone@example.ru", "bounced", "send 2026-12-01-hello: 550 5.1.1"],
      ["nullmx@example.ru", "bounced", "send 2026-12-01-hello: 550 5.1.10"],
      ["off@example.ru", "bounced", "send 2026-12-01-hello: 550 5.2.1"],
    ]);
  });

  it("suppressBounces: false turns it off", async ({ project }) => {
    await project.smtp({
      behaviour: (rcpt) => (rcpt === "gone@example.ru" ? { code: 550, message: "5.1.1 user unknown" } : undefined),
    });
    const summary = await send(project, "gone@example.ru", { suppressBounces: false });
    expect(summary).toMatchObject({ failed: 1, bounced: 0 });
    expect(await withDb(project, (db) => sqliteStore(db).suppressions.count())).toBe(0);
  });
});

// crash bookkeeping holds across lists
describe("readers in flight when a process died", () => {
  it("a run with another list leaves them marked; the run that sends them reports them; status counts them", async ({ project }) => {
    await project.smtp();
    const full = "a@example.ru,b@example.ru,c@example.ru";
    // a crashed run of the full list: b was in flight
    await withDb(project, async (db) => {
      const ledger = sqliteStore(db).ledger;
      const run = await ledger.beginRun("2026-12-01-hello", "x", "s");
      await ledger.addRecipients(
        "2026-12-01-hello",
        run,
        ["a", "b", "c"].map((n, i) => ({
          email: `${n}@example.ru`,
          address: `${n}@example.ru`,
          fields: {},
          line: i + 2,
          messageId: `${n}@id`,
        })),
      );
      const { claimed } = await ledger.recordAndClaim("2026-12-01-hello", run, [], 2);
      await ledger.record([{ id: claimed[0].id, state: "sent", attempts: 1 }]); // a sent, b left in flight
      await ledger.endRun("2026-12-01-hello");
      db.prepare("UPDATE send_runs SET content_hash = ?").run("x");
    });
    const other = await send(project, "me@example.ru", { allowChanged: true });
    expect(other).toMatchObject({ sent: 1, resent: 0 });
    const rest = await send(project, full, { allowChanged: true });
    expect(rest).toMatchObject({ sent: 2, alreadySent: 1, resent: 1, resentAddresses: ["b@example.ru"] });
    const ledger = await withDb(project, async (db) => ({
      count: await sqliteStore(db).ledger.resentCount("2026-12-01-hello"),
      who: await sqliteStore(db).ledger.resent("2026-12-01-hello"),
    }));
    expect(ledger).toEqual({ count: 1, who: [{ email: "b@example.ru", times: 1 }] });
  });
});

describe("--rate", () => {
  it("many messages waiting for the limiter print no MaxListenersExceededWarning", async ({ project }) => {
    await project.smtp();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const summary = await send(project, to(24), { rate: 200, concurrency: 20, signal: controller.signal });
      expect(summary.sent).toBe(24);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});

describe("the transport's check starts before the list is read", () => {
  it("warmUp, then the list, then open (which reports the check), then the readers; nobody left to send: no open", async ({ project }) => {
    const calls: string[] = [];
    const transport: Transport = {
      name: "smtp",
      description: "recording",
      warmUp: () => calls.push("warmUp"),
      open: async () => {
        calls.push("open");
      },
      send: async () => {
        calls.push("send");
        return { status: "sent", code: 250, response: "250 OK" };
      },
      close: async () => {
        calls.push("close");
      },
    };
    const list = addressList(to(2));
    const audience = {
      ...list,
      async *rows() {
        calls.push("list");
        yield* list.rows();
      },
    };
    const run = () =>
      sendIssue({ root: project.root, issue: ISSUE, stateFile: project.state, audience, transport, env: { RASSYLKA_SECRET: SECRET } });
    expect((await run()).sent).toBe(2);
    expect(calls).toEqual(["warmUp", "list", "open", "send", "send", "close"]);
    calls.length = 0;
    expect((await run()).sent).toBe(0);
    expect(calls).toEqual(["warmUp", "list", "close"]);
  });
});
