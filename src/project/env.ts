import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** The newsletter's secrets between terminal sessions: `<root>/.env`, written by `rassylka init`. */
export const ENV_FILE = ".env";

/**
 * The variables of `<root>/.env` that the environment does not set already: the real environment wins
 * (a CI secret, an `export` for one session). Parsed by dotenv (KEY=value, quotes, comments, multi-line
 * values), never printed. No file: nothing.
 */
export async function dotEnvVariables(root: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(join(resolve(root), ENV_FILE), "utf8");
  } catch {
    return {};
  }
  // a CommonJS package: its functions are on the default export once bundled
  const { parse } = (await import("dotenv")).default;
  return Object.fromEntries(Object.entries(parse(text)).filter(([key]) => env[key] === undefined));
}
