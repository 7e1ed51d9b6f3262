import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./newsletter.js";

/**
 * A writer killed mid-write, for real: a child process starts writeFileAtomic's temp file for each path
 * (named by the built util/fs.js, as a build or send names them), reports the names, and is killed
 * with SIGKILL before it can rename or remove them. `kill: false` leaves it running (a live writer).
 */
export async function killedWriter(paths: string[], options: { kill?: boolean } = {}): Promise<{ temps: string[]; stop: () => void }> {
  const fsModule = join(REPO, "dist-lib", "util", "fs.js");
  const script = `
    import { mkdirSync, writeFileSync } from "node:fs";
    import { dirname } from "node:path";
    import { tempPathFor } from ${JSON.stringify(fsModule)};
    const temps = JSON.parse(process.argv[1]).map((p) => {
      mkdirSync(dirname(p), { recursive: true });
      const t = tempPathFor(p);
      writeFileSync(t, "half a fi");
      return t;
    });
    process.stdout.write(JSON.stringify(temps) + "\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(paths)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const temps = await new Promise<string[]>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (out.includes("\n")) resolve(JSON.parse(out) as string[]);
    });
    child.on("exit", (code) => reject(new Error(`writer exited with ${code} before writing`)));
  });
  const exited = new Promise((r) => child.once("exit", r));
  const stop = () => child.kill("SIGKILL");
  if (options.kill !== false) {
    stop();
    await exited;
  }
  return { temps, stop };
}
