import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO } from "./newsletter.js";

const run = promisify(execFile);

/** The built binary (dist-cli, bundled by tests/global-setup.ts when stale). */
export const BIN = join(REPO, "bin", "rassylka.js");

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `node bin/rassylka.js …` in `cwd`, as an editor runs it; never throws for a non-zero exit. */
export async function rassylka(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd, env: { ...env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}
