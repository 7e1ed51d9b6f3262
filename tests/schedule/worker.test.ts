// `rassylka worker` as real processes (the built CLI) on both backends, with a real SMTP server:
// scheduled issues go out at their time, once, whatever happens to the workers and the schedule.
// The set-up and read-back (`schedule push`, `schedule list`) run in this process through the library,
// a fraction of a second each, so that times can be set a few seconds after the workers are ready
// rather than far enough ahead for slow processes; one test runs both as the CLI.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONFIG, gate, ISSUE, makeProject, parse, type Sink, startSmtp } from "../send/helpers.js";
import { startFakeSendsay } from "../sendsay/fake-server.js";
import { backends } from "../state/backends.js";
import {
  addSubscribers,
  cliJson,
  health,
  inSeconds,
  listHere,
  pushHere,
  SLUG,
  startWorker,
  stateArgs,
  until,
  warmPush,
  writeIssue,
} from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;
const workers: ReturnType<typeof startWorker>[] = [];
beforeEach(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\n`));
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

const iso = (at: string) => new Date(at).toISOString();
/** Who got how many copies. */
function copies(s: Sink): Map<string, number> {
  const n = new Map<string, number>();
  for (const r of s.received) for (const to of r.to) n.set(to, (n.get(to) ?? 0) + 1);
  return n;
}
// the ledger's default lease (60 s): a short one expires under load while its worker is still sending,
// and the reader is sent twice by design (the ledger reports it) — only the SIGKILL case shortens it
const FAST = { RASSYLKA_SCHEDULE_RECHECK_MS: "300", RASSYLKA_SCHEDULE_RETRY_MS: "500" };

describe.each(backends())("scheduled sends ($name)", (backend) => {
  beforeAll(async () => {
    await backend.start();
    await warmPush();
  }, 120_000);
  afterAll(() => backend.stop());

  /** `schedule push` as the CLI (the late-limit test: a push whose time is not tight). */
  const push = async (location: Parameters<typeof stateArgs>[0]) => {
    const r = await cliJson<{ issues: { slug: string; action: string; state: string }[] }>(root, [
      "schedule",
      "push",
      ...stateArgs(location),
    ]);
    expect(r.code, r.done.stderr).toBe(0);
    return r.json.issues;
  };
  const worker = (location: Parameters<typeof stateArgs>[0], host: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []) => {
    const w = startWorker(root, location, { SMTP_URL: sink!.url, RASSYLKA_WORKER_HOST: host, ...FAST, ...env }, extra);
    workers.push(w);
    return w;
  };

  it("two workers: the due issue starts once, not before its time, and every subscriber gets it once", async () => {
    const location = await backend.fresh();
    const readers = await addSubscribers(location, 30);
    sink = await startSmtp();
    const [a, b] = [worker(location, "host-a"), worker(location, "host-b")];
    await Promise.all([a.waitFor("ready"), b.waitFor("ready")]);
    // both wait; the issue is pushed due 2.5 s from now (a warm push took 0.1–0.7 s at load 7–9)
    const sendAt = inSeconds(2.5);
    await writeIssue(root, sendAt);
    expect(await pushHere(root, location)).toMatchObject([{ slug: SLUG, action: "added", state: "scheduled" }]);
    await sink.waitForReceived(30);
    const sent = await Promise.race([a.waitFor("sent", SLUG), b.waitFor("sent", SLUG)]);
    expect(sent.slug).toBe(SLUG);
    const started = [...a.lines, ...b.lines].filter((l) => l.event === "started");
    expect(started).toHaveLength(1);
    expect(Date.parse(String(started[0].time))).toBeGreaterThanOrEqual(Date.parse(sendAt));
    const got = copies(sink);
    expect([...got.keys()].sort()).toEqual([...readers].sort());
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    // the log names no reader
    expect([...a.lines, ...b.lines].map((l) => JSON.stringify(l)).join("\n")).not.toMatch(/reader\d+@/);
    expect(await listHere(root, location)).toMatchObject([{ slug: SLUG, state: "sent", audience: "subscribers", readers: 30 }]);
  }, 120_000);

  it("the worker that started the send is SIGKILLed at the due time: the other takes its readers over after the lease", async () => {
    const location = await backend.fresh();
    const readers = await addSubscribers(location, 40);
    // the server holds the 4th message until the first worker is dead: it surely dies mid-send, three readers
    // delivered and others in flight; the held one is accepted after its sender died (delivered, not recorded)
    const fourthHeld = gate();
    const killed = gate();
    sink = await startSmtp({
      hold: (n) => {
        if (n !== 4) return undefined;
        fourthHeld.open();
        return killed.opened;
      },
    });
    // due at once: the first worker starts it as soon as it is up (waiting for a time is the other tests' subject)
    const sendAt = inSeconds(0);
    await writeIssue(root, sendAt);
    await pushHere(root, location);
    const first = worker(location, "host-a", { RASSYLKA_LEASE_MS: "3000" }, ["--concurrency", "1"]);
    await first.waitFor("ready");
    const started = await first.waitFor("started", SLUG);
    expect(Date.parse(String(started.time))).toBeGreaterThanOrEqual(Date.parse(sendAt));
    await fourthHeld.opened;
    expect(sink.received).toHaveLength(3);
    first.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    killed.open();
    const second = worker(location, "host-b", { RASSYLKA_LEASE_MS: "3000" }, ["--concurrency", "1"]);
    await second.waitFor("joined", SLUG);
    await second.waitFor("sent", SLUG, 90_000);
    const got = copies(sink);
    expect([...got.keys()].sort()).toEqual([...readers].sort());
    // only the killed worker's in-flight readers (twice its concurrency at most) may have it twice; the held
    // one, delivered but never recorded, surely does
    const twice = [...got.values()].filter((n) => n > 1).length;
    expect(twice).toBeGreaterThanOrEqual(1);
    expect(twice).toBeLessThanOrEqual(2);
    expect((await listHere(root, location))[0].state).toBe("sent");
  }, 150_000);

  it("pushes moving the time while a worker waits: nothing at the old time, the issue at the new one (later, then earlier)", async () => {
    const location = await backend.fresh();
    await addSubscribers(location, 5);
    sink = await startSmtp();
    const w = worker(location, "host-a", {}, ["--port", "0"]);
    const { port } = await w.waitFor("listening");
    await w.waitFor("ready");
    // the old time 5 s ahead: room for two warm pushes in this process and the worker's re-read between
    // them (0.1–0.7 s each at load 7–9) even on a loaded machine
    const oldAt = inSeconds(5);
    await writeIssue(root, oldAt);
    expect(await pushHere(root, location)).toMatchObject([{ slug: SLUG, action: "added", state: "scheduled" }]);
    // the worker has read it and waits for the old time (its health says what is due next)
    await until(async () => (await health(port)).nextDue === iso(oldAt), "the worker waiting for the old time");
    const laterAt = inSeconds(600);
    await writeIssue(root, laterAt);
    expect(await pushHere(root, location)).toMatchObject([{ slug: SLUG, action: "updated", previousSendAt: iso(oldAt) }]);
    // the worker has read the schedule again a second after the old time: nothing started, the new time awaited
    await until(
      async () => Date.parse((await health(port)).checkedAt ?? "") >= Date.parse(oldAt) + 1000,
      "a read of the schedule after the old time",
    );
    expect(sink.received).toHaveLength(0);
    expect(w.lines.filter((l) => l.event === "started")).toHaveLength(0);
    expect((await health(port)).nextDue).toBe(iso(laterAt));
    expect((await listHere(root, location))[0]).toMatchObject({ state: "scheduled", sendAt: iso(laterAt) });
    const earlierAt = inSeconds(2);
    await writeIssue(root, earlierAt);
    expect(await pushHere(root, location)).toMatchObject([{ slug: SLUG, action: "updated", previousSendAt: iso(laterAt) }]);
    const started = await w.waitFor("started", SLUG);
    expect(Date.parse(String(started.time))).toBeGreaterThanOrEqual(Date.parse(earlierAt));
    await w.waitFor("sent", SLUG);
    expect(sink.received).toHaveLength(5);
    expect(w.lines.filter((l) => l.event === "started")).toHaveLength(1);
  }, 240_000);

  it("new content pushed after the send began is not taken: the push reports it frozen, readers get the first version", async () => {
    const location = await backend.fresh();
    await addSubscribers(location, 30);
    // the server holds the second message until the new content is pushed: the send is under way during the push
    const pushedAlready = gate();
    sink = await startSmtp({ hold: (n) => (n === 2 ? pushedAlready.opened : undefined) });
    await writeIssue(root, inSeconds(0), "", "Первая версия.");
    await pushHere(root, location);
    const w = worker(location, "host-a", {}, ["--concurrency", "1"]);
    await w.waitFor("started", SLUG);
    await sink.waitForReceived(1);
    await writeIssue(root, inSeconds(60), "", "Вторая версия.");
    const pushed = await pushHere(root, location).finally(pushedAlready.open);
    expect(pushed).toMatchObject([{ slug: SLUG, action: "frozen", state: "sending" }]);
    await w.waitFor("sent", SLUG);
    expect(sink.received).toHaveLength(30);
    for (const r of sink.received) {
      const text = (await parse(r.raw)).text ?? "";
      expect(text).toContain("Первая версия.");
      expect(text).not.toContain("Вторая версия.");
    }
    expect((await listHere(root, location))[0].state).toBe("sent");
    // pushing again later still leaves a sent issue alone
    expect(await pushHere(root, location)).toMatchObject([{ slug: SLUG, action: "frozen", state: "sent" }]);
  }, 120_000);

  it("--transport sendsay: at its time every subscriber gets one personal letter through the Sendsay API, none before", async () => {
    const location = await backend.fresh();
    const readers = await addSubscribers(location, 12);
    const sendsay = await startFakeSendsay({ login: "acc", apiKey: "key-123" });
    try {
      // no SMTP_URL: a Sendsay worker needs only the API's key and login
      const w = startWorker(
        root,
        location,
        { SENDSAY_APIKEY: "key-123", SENDSAY_LOGIN: "acc", SENDSAY_API_URL: sendsay.url, RASSYLKA_WORKER_HOST: "host-s", ...FAST },
        ["--transport", "sendsay"],
      );
      workers.push(w);
      expect(await w.waitFor("ready")).toMatchObject({ transport: "sendsay" });
      const sendAt = inSeconds(2.5);
      await writeIssue(root, sendAt);
      await pushHere(root, location);
      const sent = await w.waitFor("sent", SLUG, 90_000);
      expect(sent).toMatchObject({ total: 12, sent: 12, failed: 0, pending: 0 });
      const letters = sendsay.handled("issue.send").map((r) => r.body as Record<string, unknown>);
      expect(letters.every((b) => b.group === "personal" && b.sendwhen === "now")).toBe(true);
      expect(letters.map((b) => String(b.email)).sort()).toEqual([...readers].sort());
      // nothing before its time: the one start is at or after sendAt
      expect(w.lines.filter((l) => l.event === "started")).toHaveLength(1);
      const started = w.lines.find((l) => l.event === "started");
      expect(Date.parse(String(started?.time))).toBeGreaterThanOrEqual(Date.parse(sendAt));
      const letter = letters[0].letter as { subject?: string; message?: { html?: string } };
      expect(letter.subject).toBeTruthy();
      expect(letter.message?.html).toContain("Текст выпуска.");
      expect(await listHere(root, location)).toMatchObject([{ slug: SLUG, state: "sent", readers: 12 }]);
      expect(w.lines.map((l) => JSON.stringify(l)).join("\n")).not.toContain("key-123");
    } finally {
      await sendsay.close();
    }
  }, 120_000);

  it("a worker down at the time sends on restart within the late limit; past it the issue is missed and never sent", async () => {
    const location = await backend.fresh();
    await addSubscribers(location, 3);
    sink = await startSmtp();
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG}timezone: Europe/Moscow\nscheduleLateLimit: 30s\n`);
    // due a moment ago, no worker running; pushed as the CLI (a process: seconds on a loaded machine, well
    // within the 30 s with the worker's start)
    const firstAt = inSeconds(-1);
    await writeIssue(root, firstAt);
    expect(await push(location)).toMatchObject([{ slug: SLUG, action: "added", state: "scheduled" }]);
    const late = worker(location, "host-a");
    const started = await late.waitFor("started", SLUG);
    expect(Number(started.delayMs)).toBeGreaterThan(0);
    await late.waitFor("sent", SLUG);
    expect(sink.received).toHaveLength(3);
    late.kill("SIGTERM");
    await late.done;

    // a second issue due 10 minutes ago, pushed at its time (the push's clock, src/schedule/push.ts `now`):
    // within the late limit then, so recorded as scheduled; no worker has run since
    const secondAt = new Date(Date.now() - 10 * 60_000).toISOString();
    await writeFile(
      join(root, "issues/2026-12-05-second.md"),
      (await readFile(join(root, ISSUE), "utf8")).replace(/sendAt: ".*"/, `sendAt: "${secondAt}"`).replace("2026-12-01", "2026-12-05"),
    );
    expect(await pushHere(root, location, () => Date.parse(secondAt))).toContainEqual(
      expect.objectContaining({ slug: "2026-12-05-second", action: "added", state: "scheduled" }),
    );
    const restarted = worker(location, "host-b", {}, ["--port", "0"]);
    const { port } = await restarted.waitFor("listening");
    const missed = await restarted.waitFor("missed", "2026-12-05-second");
    expect(missed.level).toBe("warn");
    // it has read the schedule again twice since (300 ms apart): nothing started, nothing sent
    await until(
      async () => Date.parse((await health(port)).checkedAt ?? "") >= Date.parse(String(missed.time)) + 600,
      "two reads of the schedule after the miss",
    );
    expect(restarted.lines.filter((l) => l.event === "started")).toHaveLength(0);
    expect(sink.received).toHaveLength(3);
    expect((await listHere(root, location)).map((r) => [r.slug, r.state])).toEqual([
      ["2026-12-05-second", "missed"],
      [SLUG, "sent"],
    ]);
    // the worker stored how late it was as data: each reader reads it in their language (`schedule list` as the CLI)
    const note = async (lang: string) =>
      (
        await cliJson<{ slug: string; note: string | null }[]>(root, ["schedule", "list", ...stateArgs(location)], { RASSYLKA_LANG: lang })
      ).json.find((r) => r.slug === "2026-12-05-second")?.note;
    const [en, ru] = await Promise.all([note("en"), note("ru")]);
    expect(en).toMatch(/^late by 1[01] min$/);
    expect(ru).toMatch(/^опоздание на 1[01] минут$/);
  }, 180_000);
});

describe("the worker process", () => {
  const backend = backends()[0];
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  it("answers GET /healthz with --port and stops cleanly on SIGTERM", async () => {
    const location = await backend.fresh();
    sink = await startSmtp();
    const w = startWorker(root, location, { SMTP_URL: sink.url }, ["--port", "0"]);
    workers.push(w);
    const listening = await w.waitFor("listening");
    await w.waitFor("ready");
    const res = await fetch(`http://127.0.0.1:${listening.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, sending: [] });
    expect((await fetch(`http://127.0.0.1:${listening.port}/other`)).status).toBe(404);
    w.kill("SIGTERM");
    const done = await w.done;
    expect(done.code).toBe(0);
    expect(w.lines.at(-1)).toMatchObject({ event: "stopped" });
  }, 60_000);

  it("does not start without SMTP_URL, saying what to set", async () => {
    const location = await backend.fresh();
    const w = startWorker(root, location, {});
    const done = await w.done;
    expect(done.code).toBe(1);
    expect(done.stderr).toContain("SMTP_URL");
    expect(done.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
