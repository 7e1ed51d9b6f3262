import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { main } from "../../src/cli/index.js";
import { REPO } from "./newsletter.js";
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

const execute = promisify(execFile);

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
    const r = await execute(process.execPath, [BIN, ...args], { cwd, env: { ...env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

/**
 * English words that never stand in a Russian or Ukrainian sentence of ours: what is left of a line
 * once its code is taken out (paths, URLs, addresses, flags, `<args>`, `[rule/ids]`, `code`, numbers)
 * must not hold one; nor is a help line's term (`--out <dir>`, `help [command]`, an argument's name) nor a
 * header's name (From), nor a DNS record's class and type (IN TXT), nor a hyphenated identifier (a migration's name: reader-keys). Command names, option values and JSON keys (add, pending, sent) are not in it.
 */
const ENGLISH =
  /\b(the|and|of|to|is|are|not|with|for|from|by|was|were|every|each|this|that|it|an|a|or|in|on|no|be|has|have|cannot|would|will|must|should|expected|got|error|warning|fix|unknown|missing|required|already|readers?|wrote|added|removed|imported|stopped|default|usage|options|arguments|commands|display|help|output|print|file|folder|address(es)?)\b/i;

/** The lines of `text` that still say something in English (empty when everything is translated). */
export function englishLines(text: string): string[] {
  return text.split("\n").filter((line) => {
    const words = line
      .replace(/^ {2}\S.*?\s{2,}/, " ")
      .replace(/`[^`]*`/g, " ")
      // a DNS record to publish (doctor's fixes): its class and type are the zone file's words
      .replace(/\bIN (TXT|MX|CNAME|AAAA|A)\b/g, " ")
      .replace(/\[[^\]]*\]|<[^>]*>|\{[^}]*\}/g, " ")
      .split(/[\s,;()«»"'|·→—…:!?]+/)
      .filter((w) => w && !/[/.@=_$\d]|^-|^[a-z]+(-[a-z]+)+$/.test(w) && !["From", "To", "Subject"].includes(w));
    return ENGLISH.test(words.join(" "));
  });
}
