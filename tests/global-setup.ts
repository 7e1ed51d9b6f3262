import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Vitest global setup: the CLI tests run the built binary (`node bin/rassylka.js`, from dist-lib/).
 * `npm test` compiles first; a lone `npx vitest run …` gets dist-lib/ rebuilt here when any src/ file
 * is newer than its output, so no CLI test ever runs against stale code or is skipped.
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

export default async function setup(): Promise<void> {
  if (await stale()) await promisify(execFile)("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: REPO });
}
