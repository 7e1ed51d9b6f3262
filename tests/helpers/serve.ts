import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./newsletter.js";

export interface Served {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/` */
  base: string;
  port: number;
  output: () => string;
  /** SIGTERM, then what it printed. */
  stop: () => Promise<string>;
}

/**
 * `rassylka serve` of the built CLI in a child process on a free port; resolves once it prints its
 * address, rejects if it exits first (with what it printed). `fdLimit` runs it under `ulimit -n`.
 */
export function spawnServe(dir: string, args: string[], env: Record<string, string>, fdLimit?: number): Promise<Served> {
  const argv = [join(REPO, "bin/rassylka.js"), "serve", "--root", dir, "--port", "0", ...args].map((a) => `'${a}'`).join(" ");
  const script = `${fdLimit ? `ulimit -n ${fdLimit} && ` : ""}exec '${process.execPath}' ${argv}`;
  const child = spawn("bash", ["-c", script], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c;
      const m = /at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(output);
      if (m)
        resolve({
          child,
          base: m[1],
          port: Number(m[2]),
          output: () => output,
          stop: async () => {
            child.kill("SIGTERM");
            await exited;
            return output;
          },
        });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    exited.then(() => reject(new Error(`serve exited: ${output}`)));
  });
}
