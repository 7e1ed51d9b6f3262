// docs/sending.md's sequence through the built CLI, on both state backends: a trial to the outbox, then
// the real send over SMTP (a real smtp-server), and what `status` says; then a real send killed with
// SIGKILL mid-delivery, and what `status` says about it.
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { ISSUE, parse, startCli, warmSendTest, writeCsv } from "../send/helpers.js";
import { backends } from "../state/backends.js";

// the hello issue compiled once for the file: the tests are about the sends' ledger and status, not the compile
const sendTest = warmSendTest;
const SLUG = "2026-12-01-hello";
const READERS = ["anna@example.ru", "boris@example.ru", "vera@example.ru"];
const CSV = `email,name\n${READERS.map((a, i) => `${a},Читатель ${i}`).join("\n")}\n`;

// several whole CLI processes per case: minutes on a loaded 2-core machine
const SLOW = 240_000;

const stateArg = (l: StateLocation) => ["--state", l.kind === "postgres" ? l.url : l.file];

describe.each(backends())("a trial, then the real send ($name)", (backend) => {
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  sendTest(
    "the outbox trial counts for nothing: the real send afterwards reaches every reader",
    async ({ project }) => {
      const state = stateArg(await backend.fresh());
      const cli = async (args: string[]) => await startCli(project.root, [...args, ...state], { RASSYLKA_LANG: "en" }).done;
      await writeCsv(project.root, "readers.csv", CSV);

      // 1. the trial: "try it with no mail server"
      const trial = await cli(["send", ISSUE, "--to", "readers.csv", "--yes"]);
      expect(trial.stderr).not.toMatch(/error/i);
      expect(trial.code).toBe(0);
      expect(trial.stdout).toMatch(/^Trial: «Тема письма» written to the outbox/m);
      expect(trial.stdout).toMatch(/written now: 3/);
      expect(trial.stdout).not.toMatch(/sent now/);
      expect(trial.stdout).toMatch(/nobody received anything, and it does not count as the send/);
      expect((await readdir(join(project.root, "outbox", SLUG))).sort()).toEqual(READERS.map((a) => `${a}.eml`));

      const afterTrial = JSON.parse((await cli(["status", SLUG, "--json"])).stdout);
      expect(afterTrial.counts).toMatchObject({ total: 0, sent: 0 });
      expect(afterTrial.runs).toEqual([]);
      expect(afterTrial.trial).toMatchObject({ transport: `outbox/${SLUG}/`, counts: { total: 3, sent: 3, pending: 0 } });
      // a second trial after an edit starts afresh: no --allow-changed, every file written again
      const again = await cli(["send", ISSUE, "--to", "readers.csv", "--yes", "--json"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ trial: true, sent: 3, alreadySent: 0 });

      // 2. the real thing
      const sink = await project.smtp();
      const real = await cli(["send", SLUG, "--to", "readers.csv", "--transport", "smtp", "--smtp-url", sink.url, "--yes"]);
      expect(real.stderr).not.toMatch(/error/i);
      expect(real.code).toBe(0);
      expect(real.stdout).toMatch(/^Sent «Тема письма» via smtp:\/\/127\.0\.0\.1:\d+/m);
      expect(real.stdout).toMatch(/sent now: 3/);
      expect(real.stdout).not.toMatch(/already sent earlier/);
      expect(sink.received.flatMap((m) => m.to).sort()).toEqual(READERS);
      const mail = await parse(sink.received.find((m) => m.to[0] === "anna@example.ru")!.raw);
      expect(mail.subject).toBe("Тема письма");
      expect(mail.html).toContain("Здравствуйте, Читатель 0!");

      // 3. status: the real deliveries, each run with its transport, the trial apart
      // three reads of the same finished send, at once
      const [status, jsonDone, everyDone] = await Promise.all([
        cli(["status", SLUG]),
        cli(["status", SLUG, "--json"]),
        cli(["status", "--json"]),
      ]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/total 3 · sent 3 · failed 0 · pending 0/);
      expect(status.stdout).toMatch(new RegExp(`run 1 via ${sink.url.replace(/[.:/]/g, "\\$&")}: finished · sent 3`));
      expect(status.stdout).toMatch(/trial to the outbox \(outbox\/2026-12-01-hello\/\), nobody received it: written 3 of 3/);
      const json = JSON.parse(jsonDone.stdout);
      expect(json.counts).toMatchObject({ total: 3, sent: 3 });
      expect(json.runs).toEqual([
        { runId: 1, transport: sink.url, state: "finished", startedAt: expect.any(String), sent: 3, failed: 0, inFlight: 0 },
      ]);
      expect(json.trial.counts.sent).toBe(3);
      // every issue at once: one entry for the issue, not one for its trial
      const every = JSON.parse(everyDone.stdout);
      expect(every.map((s: { issue: string }) => s.issue)).toEqual([SLUG]);

      // 4. re-running the real send sends nobody twice
      const rerun = await cli(["send", SLUG, "--to", "readers.csv", "--transport", "smtp", "--smtp-url", sink.url, "--yes"]);
      expect(rerun.stdout).toMatch(/sent now: 0 · already sent earlier: 3/);
      expect(sink.received).toHaveLength(3);
    },
    SLOW,
  );

  sendTest(
    "status after kill -9 of a send: stopped, not sending; the readers in flight named; a list that failed is no worker",
    async ({ project }) => {
      const state = stateArg(await backend.fresh());
      const cli = async (args: string[]) => await startCli(project.root, [...args, ...state], { RASSYLKA_LANG: "en" }).done;
      await writeCsv(project.root, "readers.csv", CSV);
      // a server that takes a minute to accept each message: the send is stuck with readers in flight
      const slow = await project.smtp({ dataDelayMs: 60_000 });
      const smtp = (url: string, list = "readers.csv") => ["send", SLUG, "--to", list, "--transport", "smtp", "--smtp-url", url, "--yes"];
      const send = startCli(project.root, [...smtp(slow.url), "--concurrency", "1", ...state], { RASSYLKA_LANG: "en" });
      for (let i = 0; i < 600 && slow.attempts.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(slow.attempts.size).toBe(1);
      send.child.kill("SIGKILL");
      expect((await send.done).signal).toBe("SIGKILL");

      const [killedDone, textDone] = await Promise.all([cli(["status", SLUG, "--json"]), cli(["status", SLUG])]);
      const killed = JSON.parse(killedDone.stdout);
      // its lease has not run out yet, but its process is gone: it is not "sending now"
      expect(killed.workers).toHaveLength(1);
      expect(killed.workers[0]).toMatchObject({ live: false, ended: false, sent: 0 });
      expect(killed.workers[0].inFlight).toBeGreaterThanOrEqual(1);
      expect(killed.runs).toEqual([expect.objectContaining({ runId: 1, state: "stopped", transport: slow.url, sent: 0 })]);
      // nobody has been sent anything twice (yet)
      expect(killed.resent).toEqual({ count: 0, readers: [] });
      const text = textDone.stdout;
      expect(text).toMatch(/run 1 via smtp:\/\/127\.0\.0\.1:\d+: stopped \(its process is gone or its lease ran out\)/);
      expect(text).toMatch(/were in flight when it stopped|was in flight when it stopped/);
      expect(text).not.toMatch(/sending now/);

      // a run that fails on its list (not UTF-8) never started sending: no worker of the issue
      await writeFile(join(project.root, "bad.csv"), Buffer.from([...Buffer.from("email\nanna@example.ru,"), 0xff, 0xfe, 0x0a]));
      const sink = await project.smtp();
      const bad = await cli(smtp(sink.url, "bad.csv"));
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/windows-1251/);
      const afterBad = JSON.parse((await cli(["status", SLUG, "--json"])).stdout);
      expect(afterBad.workers).toHaveLength(1);
      expect(afterBad.runs.map((r: { state: string }) => r.state)).toEqual(["stopped"]);

      // the next run takes the dead worker's readers over at once, and reports only those as resent
      const resumed = await cli(["send", ...smtp(sink.url).slice(1), "--json"]);
      expect(resumed.code).toBe(0);
      const summary = JSON.parse(resumed.stdout);
      expect(summary.sent).toBe(3);
      expect(summary.resent).toBe(killed.workers[0].inFlight);
      expect(sink.received.flatMap((m) => m.to).sort()).toEqual(READERS);
      const done = JSON.parse((await cli(["status", SLUG, "--json"])).stdout);
      expect(done.runs.at(-1)).toMatchObject({ state: "finished", transport: sink.url, sent: 3 });
      expect(done.resent.count).toBe(killed.workers[0].inFlight);
    },
    SLOW,
  );
});
