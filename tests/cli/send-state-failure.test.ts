// The state store failing mid-send after readers were delivered — the SQLite file's disk refusing writes
// (a file-size limit of 1 byte set on the running process: every write that grows a file fails), or the
// PostgreSQL database refusing connections — is exit 3 with the --json summary ("re-run to resume"),
// not exit 1 "nothing was sent"; the re-run delivers the rest.
import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { connectPostgres, type TestPostgres } from "../helpers/postgres.js";
import { ISSUE, makeProject, type Sink, startCli, startSmtp, writeCsv } from "../send/helpers.js";
import { backends } from "../state/backends.js";

const BACKENDS = backends();
let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;
let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await connectPostgres();
  await Promise.all(BACKENDS.map((b) => b.start()));
}, 120_000);
afterAll(async () => {
  for (const b of BACKENDS) await b.stop();
  await cluster?.close();
});
beforeEach(async () => {
  ({ root, cleanup } = await makeProject());
});
afterEach(async () => {
  await sink?.close();
  sink = undefined;
  await cleanup();
});

/** As the superuser: the database refuses new connections and its open ones are ended (the server "stopped" for it). */
async function database(url: string, allow: boolean): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: "postgres", database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
    if (!allow) await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
  } finally {
    await admin.end();
  }
}

const where = (l: StateLocation) => (l.kind === "sqlite" ? l.file : l.url);
const readers = Array.from({ length: 60 }, (_, i) => `reader${i}@example.ru`);

describe.each(BACKENDS)("the $name state failing mid-send", (backend) => {
  it("after readers were delivered: exit 3 and the --json summary; the re-run delivers the rest", async () => {
    const location = await backend.fresh();
    await writeCsv(root, "list.csv", `email\n${readers.join("\n")}\n`);
    sink = await startSmtp({ dataDelayMs: 80 });
    const args = [
      "send",
      ISSUE,
      "--to",
      "list.csv",
      "--transport",
      "smtp",
      "--smtp-url",
      sink.url,
      "--concurrency",
      "1",
      "--yes",
      "--json",
      "--state",
      where(location),
    ];
    const first = startCli(root, args, { RASSYLKA_LANG: "en" });
    await sink.waitForReceived(10);
    if (location.kind === "sqlite") execFileSync("prlimit", ["--pid", String(first.child.pid), "--fsize=1"]);
    else await database(location.url, false);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(3);
    const summary = JSON.parse(done.stdout);
    expect(summary).toMatchObject({ stopped: "state", exitCode: 3 });
    expect(summary.sent).toBeGreaterThanOrEqual(10);
    expect(summary.sent).toBeLessThan(60);
    expect(summary.pauseReason).toMatch(/state|database|disk|file/i);
    expect(done.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace

    if (location.kind === "postgres") await database(location.url, true);
    const again = await startCli(root, args, { RASSYLKA_LANG: "en" }).done;
    expect(again.code, again.stderr).toBe(0);
    expect(new Set(sink.received.flatMap((m) => m.to))).toEqual(new Set(readers));
    // only those delivered but not recorded when the store failed may have it twice, and they are reported
    const twice = readers.filter((a) => sink!.received.filter((m) => m.to.includes(a)).length > 1);
    expect(twice.length).toBeLessThanOrEqual(2);
    for (const a of twice) expect(JSON.parse(again.stdout).resentAddresses).toContain(a);
  }, 180_000);
});
