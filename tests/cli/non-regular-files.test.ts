import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { copyExampleNewsletter } from "../helpers/newsletter.js";
import { startCli } from "../send/helpers.js";

/**
 * Files that are not regular files — a FIFO in issues/ or given to `bounces import`, /dev/zero — are
 * refused with a clear error at once (a FIFO hung the command for ever; /dev/zero grew it to 14 GB).
 */
let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
beforeEach(async () => {
  t = await copyExampleNewsletter();
});
afterEach(async () => {
  await t.remove();
});

const within = async (ms: number, run: ReturnType<typeof startCli>) => {
  const timer = setTimeout(() => run.child.kill("SIGKILL"), ms);
  const done = await run.done;
  clearTimeout(timer);
  expect(done.signal, "still running: killed").toBeNull();
  return done;
};

describe("non-regular files", () => {
  test("a FIFO lying in issues/: build names it and builds the other issues", async () => {
    execFileSync("mkfifo", [join(t.dir, "issues", "2026-12-01-pipe.md")]);
    const r = await within(60_000, startCli(t.dir, ["build"], { RASSYLKA_LANG: "en" }));
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/2026-12-01-pipe\.md[\s\S]*not a regular file/);
    expect(r.stdout + r.stderr).toMatch(/2026-11-10-tekushchaya-debitorka/);
  }, 90_000);

  test("bounces import of a FIFO and of /dev/zero: both refused at once, a missing file too, exit 1", async () => {
    const fifo = join(t.dir, "bounces.eml");
    execFileSync("mkfifo", [fifo]);
    const r = await within(
      30_000,
      startCli(t.dir, ["bounces", "import", fifo, "/dev/zero", "missing.eml", "--state", join(t.dir, "s.sqlite")], { RASSYLKA_LANG: "en" }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bounces\.eml is not a regular file/);
    expect(r.stderr).toMatch(/\/dev\/zero is not a regular file/);
    expect(r.stderr).toMatch(/missing\.eml/);
  }, 60_000);
});
