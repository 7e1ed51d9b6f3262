import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { serve } from "../../src/server/serve.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { CONFIG, makeProject, SECRET } from "../send/helpers.js";

/** keepDays while `serve` runs: old events are folded as it starts and again on its schedule (once a day; here every 200 ms). */
let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}tracking:\n  clicks: true\n  keepDays: 30\n`));
  await mkdir(join(root, "dist"));
  await writeFile(join(root, "dist", "index.html"), "<!doctype html><title>Архив</title>");
});
afterAll(() => cleanup());

test("serve folds events older than keepDays as it starts, then again on its schedule, and stops cleanly", async () => {
  const location: StateLocation = { kind: "sqlite", file: join(root, "state.sqlite") };
  const seed = await openStore(location);
  await seed.clicks.startIssue("2026-01-05-old", { clicks: true, opens: false, anonymous: false }, ["https://example.ru/a"]);
  await seed.clicks.record({ issue: "2026-01-05-old", link: 1, reader: "r1", uaClass: "human", at: "2026-01-05T10:00:00.000Z" });
  await seed.close();

  const lines: string[] = [];
  const log = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
  let stop!: () => void;
  const stopped = new Promise<void>((r) => {
    stop = r;
  });
  const running = serve(
    { root, out: "dist", port: 0, host: "127.0.0.1", location, env: { RASSYLKA_SECRET: SECRET }, foldEveryMs: 200 },
    log,
    stopped,
  );
  const until = async (re: RegExp) => {
    // the whole log, not line by line: the second wait's pattern spans two lines
    for (let i = 0; i < 600 && !re.test(lines.join("\n")); i++) await new Promise((r) => setTimeout(r, 50));
    expect(lines.join("\n")).toMatch(re);
  };
  await until(/folded 1 event\(s\) of 2026-01-05-old older than 30 days/);
  // an old event that arrives while serve runs (copied in from another state, say) goes at the next round
  const other = await openStore(location);
  await other.clicks.record({ issue: "2026-01-05-old", link: 1, reader: "r2", uaClass: "human", at: "2026-01-06T10:00:00.000Z" });
  await until(/folded 1 event\(s\) of 2026-01-05-old older than 30 days[\s\S]*folded 1 event\(s\) of 2026-01-05-old/);
  stop();
  await running;
  try {
    expect(await other.clicks.events("2026-01-05-old")).toEqual([]);
    const totals = (await other.clicks.totals("2026-01-05-old")).filter((t) => t.link === -1);
    expect(totals.map((t) => [t.day, t.events, t.readers])).toEqual([
      ["2026-01-05", 1, 1],
      ["2026-01-06", 1, 1],
    ]);
  } finally {
    await other.close();
  }
}, 120_000);
