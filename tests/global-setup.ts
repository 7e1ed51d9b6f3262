import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { startCluster } from "./helpers/postgres-cluster.js";

/**
 * Vitest global setup of the integration lane (vitest.config.ts), once per run:
 * - starts the run's one PostgreSQL cluster and provides its address to every test file
 *   (tests/helpers/postgres.ts: `connectPostgres()`), stopped when the run ends;
 * - the CLI tests run the built binary (`node bin/rassylka.js`, the esbuild bundle in
 * dist-cli/; some tests and benchmarks use tsc's dist-lib/). `npm test` builds both first; a lone
 * `npx vitest run …` gets them rebuilt here when any src/ file is newer than its output, so no CLI
 * test ever runs against stale code or is skipped.
 */
const REPO = join(import.meta.dirname, "..");

/** dist-lib/ is older than some src/ file (or missing one): `npm test` builds first, a lone run may not have. */
async function stale(dir = join(REPO, "src")): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (await stale(path)) return true;
    } else if (e.name.endsWith(".ts")) {
      const js = join(REPO, "dist-lib", path.slice(join(REPO, "src").length).replace(/\.ts$/, ".js"));
      const [a, b] = await Promise.all([stat(path), stat(js).catch(() => undefined)]);
      if (!b || b.mtimeMs < a.mtimeMs) return true;
    }
  }
  return false;
}

/** The newest mtime of src/ and of the bundle script. */
async function newestSource(dir = join(REPO, "src")): Promise<number> {
  let newest = (await stat(join(REPO, "scripts", "bundle.mjs"))).mtimeMs;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".ts")) newest = Math.max(newest, (await stat(join(e.parentPath, e.name))).mtimeMs);
  }
  return newest;
}

/** dist-cli/ was bundled before some src/ file changed (or never). */
async function bundleStale(): Promise<boolean> {
  const built = await stat(join(REPO, "dist-cli", "cli", "index.js")).catch(() => undefined);
  return !built || built.mtimeMs < (await newestSource());
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = promisify(execFile);
  // the cluster starts while tsc runs: both take seconds on a loaded machine
  const [postgres] = await Promise.all([
    startCluster(),
    (async () => {
      if (await stale()) await run("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: REPO });
      if (await bundleStale()) await run(process.execPath, ["scripts/bundle.mjs"], { cwd: REPO });
    })(),
  ]);
  project.provide("postgres", postgres.cluster);
  return postgres.stop;
}
