import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two lanes over one set of test files (vitest projects):
 * - `unit` (`npm run test:unit`): every file that starts nothing — no server, no browser, no PostgreSQL,
 *   no child process — so it runs in a couple of minutes on a loaded 2-core machine;
 * - `integration`: the rest, with real SMTP servers, PostgreSQL, Chromium, Postfix, Dovecot and the
 *   built CLI. `npm test` runs both.
 * A file's lane is read from what it uses — its own text and that of the test helpers it imports — so a
 * new test lands in the right one by itself: starting something names one of the functions or modules
 * below. tests/send/helpers.ts holds both kinds (the send tests' texts and their SMTP server): there only
 * the names a test file uses count, and a test on its `sendTest` fixture starts something when it calls the
 * project's `smtp()`, `cli()` or `start()` (one that only sends to the outbox in process starts nothing).
 */
const STARTS_SOMETHING =
  /\.(smtp|cli|start)\(|\b(startSmtp|startCli|selfSignedCert|spawnServe|backends|connectPostgres|startPostfix|startDovecot|startFakeSendsay|startPreview|killedWriter|templateToolkit|listen|execFile|execFileSync|spawn|fork)\b|child_process|chromium|playwright|fake-server|template-toolkit|killed-writer|postgres\.js/i;
const MIXED_HELPERS = new Set(["tests/send/helpers.ts"]);

const ROOT = import.meta.dirname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The file and the test helpers (under tests/) it imports, transitively. */
function startsSomething(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(join(ROOT, file), "utf8");
  if (STARTS_SOMETHING.test(text)) return true;
  for (const m of text.matchAll(/from "(\.{1,2}\/[^"]+)\.js"/g)) {
    const helper = relative(ROOT, join(ROOT, dirname(file), `${m[1]}.ts`));
    if (helper.startsWith("tests/") && !MIXED_HELPERS.has(helper) && existsSync(join(ROOT, helper)) && startsSomething(helper, seen))
      return true;
  }
  return false;
}

const all = testFiles(join(ROOT, "tests"));
const quick = all.filter((f) => !startsSomething(f));

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
        // one module graph per worker, not per file: these files start nothing and keep no state between
        // them, and loading the modules again for each was most of the lane's time (113 s → 17 s)
        test: { name: "unit", include: quick, isolate: false },
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
