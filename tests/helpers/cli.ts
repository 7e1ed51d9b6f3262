import { main } from "../../src/cli/index.js";

/** The CLI in this process, with `env` set for the run (undefined removes a variable): its exit code and what it wrote. */
export async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(["node", "rassylka", ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The only JSON fields whose values change with the language. */
const HUMAN = new Set(["message", "fix", "note", "hint"]);
/** Durations, which differ from run to run whatever the language. */
const TIMING = new Set(["ms"]);
/** A JSON document with its human texts and durations blanked: what a script may rely on. */
export function shape(json: string): unknown {
  return JSON.parse(json, (key, value) =>
    (HUMAN.has(key) && typeof value === "string") || (TIMING.has(key) && typeof value === "number") ? "…" : value,
  );
}
