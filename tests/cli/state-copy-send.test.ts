import { afterAll, beforeAll, describe, expect } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { gate, readers as list, readersCsv, type SendProject, smtpSend, stateFlag, warmSendTest } from "../send/helpers.js";
import { backends } from "../state/backends.js";

// the hello issue compiled once for the file, not by each first send: the tests only read it
const it = warmSendTest;
const SLUG = "2026-12-01-hello";
const BACKENDS = backends();
beforeAll(async () => {
  await Promise.all(BACKENDS.map((b) => b.start()));
}, 120_000);
afterAll(async () => {
  for (const b of BACKENDS) await b.stop();
});

const where = (location: StateLocation) => stateFlag(location)[1];
const send = (project: SendProject, location: StateLocation) =>
  project.start(smtpSend(project.sink!.url, "--concurrency", "1", "--json", ...stateFlag(location)), { RASSYLKA_LEASE_MS: "1000" });
const copy = (project: SendProject, from: StateLocation, to: StateLocation) =>
  project.cli(["state", "copy", "--from", where(from), "--to", where(to)]);
const readers = list(40);

describe.each(BACKENDS)("state copy from $name during and between sends", (backend) => {
  const other = () => BACKENDS.find((b) => b !== backend)!;

  it("refused while the source has a live send, naming it; after it, a re-copy updates changed rows and the target's send mails no one twice", async ({
    project,
  }) => {
    const source = await backend.fresh();
    const target = await other().fresh();
    await project.write("list.csv", readersCsv(readers));
    // the server holds the 6th message until the refused copy is done, and the 13th until the send is
    // killed: the send is live during the first copy and killed half-way, on any machine
    const copyDone = gate();
    const halfWay = gate();
    const neverAccepted = gate();
    const sink = await project.smtp({
      hold: (n) => {
        if (n === 6) return copyDone.opened;
        if (n !== 13) return undefined;
        halfWay.open();
        return neverAccepted.opened;
      },
    });

    // 1. a send runs: the copy is refused, naming the issue and the worker, and copies nothing
    const first = send(project, source);
    await sink.waitForReceived(5);
    const refused = await copy(project, source, target).finally(copyDone.open);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/state\/copy-live-send/);
    expect(refused.stderr).toContain(`issue ${SLUG}`);
    expect(refused.stderr).toMatch(/is being sent to now/);
    expect(refused.stderr).toMatch(/fix: wait until that send ends/);
    const empty = await openStore(target);
    try {
      expect(await empty.ledger.getRun(SLUG)).toBeUndefined();
    } finally {
      await empty.close();
    }

    // 2. the send is killed half-way; once its lease expired the copy goes through with the readers so far
    await halfWay.opened;
    expect(sink.received).toHaveLength(12);
    first.child.kill("SIGKILL");
    await first.done;
    await new Promise((r) => setTimeout(r, 1500));
    const mid = await copy(project, source, target);
    expect(mid.code, mid.stderr).toBe(0);

    // 3. the send is finished in the source; a re-copy brings the target up to date
    const resumed = await send(project, source).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const delivered = sink.received.length;
    expect(new Set(sink.received.flatMap((m) => m.to))).toEqual(new Set(readers));
    const again = await copy(project, source, target);
    expect(again.code, again.stderr).toBe(0);
    const store = await openStore(target);
    try {
      expect(await store.ledger.counts(SLUG)).toMatchObject({ total: 40, sent: 40, pending: 0, inFlight: 0 });
    } finally {
      await store.close();
    }

    // 4. the same send from the target: everyone already has it, nothing is delivered
    const there = await send(project, target).done;
    expect(there.code, there.stderr).toBe(0);
    expect(JSON.parse(there.stdout)).toMatchObject({ sent: 0, alreadySent: 40 });
    expect(sink.received.length).toBe(delivered);
  }, 180_000);
});
