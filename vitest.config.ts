import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two lanes over one set of test files (vitest projects):
 * - `unit` (`npm run test:unit`): every file that starts nothing — no server, no browser, no PostgreSQL,
 *   no child process — so it runs in a couple of minutes on a loaded 2-core machine;
 * - `integration`: the rest, with real SMTP servers, PostgreSQL, Chromium, Postfix, Dovecot and the
 *   built CLI. `npm test` runs both.
 * A file's lane is read from what it uses, so a new test lands in the right one by itself: a test that
 * starts something names one of the helpers or modules below.
 */
const STARTS_SOMETHING =
  /\b(startSmtp|startCli|spawnServe|backends|connectPostgres|startPostfix|startDovecot|startFakeSendsay|startPreview|killedWriter|templateToolkit)\b|child_process|\.listen\(|chromium|playwright|fake-server|template-toolkit|killed-writer|postgres\.js/i;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => relative(import.meta.dirname, join(e.parentPath, e.name)));
}

const all = testFiles(join(import.meta.dirname, "tests"));
const quick = all.filter((f) => !STARTS_SOMETHING.test(readFileSync(join(import.meta.dirname, f), "utf8")));

export default defineConfig({
  test: {
    // real SMTP servers, SQLite files and Chromium: give them room, and keep the 2-core CI machine calm
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // the tests written before the CLI spoke Russian pin its English words; tests/cli/language.test.ts
    // and the catalogue tests choose their language themselves
    env: { RASSYLKA_LANG: "en" },
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: quick },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: all.filter((f) => !quick.includes(f)),
          // builds the CLI when stale, starts the one PostgreSQL cluster of the run
          globalSetup: ["tests/global-setup.ts"],
        },
      },
    ],
  },
});
