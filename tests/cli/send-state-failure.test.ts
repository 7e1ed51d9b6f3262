// The state store failing mid-send after readers were delivered — the SQLite file's disk refusing writes
// (a file-size limit of 1 byte set on the running process: every write that grows a file fails), or the
// PostgreSQL database refusing connections — is exit 3 with the --json summary ("re-run to resume"),
// not exit 1 "nothing was sent"; the re-run delivers the rest.
import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { connectPostgres, type TestPostgres } from "../helpers/postgres.js";
import { gate, readers as list, readersCsv, smtpSend, stateFlag, warmSendTest } from "../send/helpers.js";
import { backends } from "../state/backends.js";

// the hello issue compiled once for the file, not by each first send: the tests only read it
const it = warmSendTest;
const BACKENDS = backends();
let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await connectPostgres();
  await Promise.all(BACKENDS.map((b) => b.start()));
}, 120_000);
afterAll(async () => {
  for (const b of BACKENDS) await b.stop();
  await cluster?.close();
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

const readers = list(60);

describe.each(BACKENDS)("the $name state failing mid-send", (backend) => {
  it("after readers were delivered: exit 3 and the --json summary; the re-run delivers the rest", async ({ project }) => {
    const location = await backend.fresh();
    await project.write("list.csv", readersCsv(readers));
    // the server holds the 11th message in flight until the store has failed: the failure falls after 10
    // readers were delivered and before the last, on any machine
    const tenDelivered = gate();
    const storeFailed = gate();
    const sink = await project.smtp({
      hold: (n) => {
        if (n !== 11) return undefined;
        tenDelivered.open();
        return storeFailed.opened;
      },
    });
    const args = smtpSend(sink.url, "--concurrency", "1", "--json", ...stateFlag(location));
    const first = project.start(args);
    await tenDelivered.opened;
    try {
      if (location.kind === "sqlite") execFileSync("prlimit", ["--pid", String(first.child.pid), "--fsize=1"]);
      else await database(location.url, false);
    } finally {
      storeFailed.open();
    }
    const done = await first.done;
    expect(done.code, done.stderr).toBe(3);
    const summary = JSON.parse(done.stdout);
    expect(summary).toMatchObject({ stopped: "state", exitCode: 3 });
    expect(summary.sent).toBeGreaterThanOrEqual(10);
    expect(summary.sent).toBeLessThan(60);
    expect(summary.pauseReason).toMatch(/state|database|disk|file/i);
    expect(done.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace

    if (location.kind === "postgres") await database(location.url, true);
    const again = await project.start(args).done;
    expect(again.code, again.stderr).toBe(0);
    expect(new Set(sink.received.flatMap((m) => m.to))).toEqual(new Set(readers));
    // only those delivered but not recorded when the store failed may have it twice, and they are reported
    const twice = readers.filter((a) => sink.received.filter((m) => m.to.includes(a)).length > 1);
    expect(twice.length).toBeLessThanOrEqual(2);
    for (const a of twice) expect(JSON.parse(again.stdout).resentAddresses).toContain(a);
  }, 180_000);
});
