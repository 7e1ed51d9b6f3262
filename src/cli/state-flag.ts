import { resolve } from "node:path";
import { DATABASE_URL_ENV, isPostgresUrl, locationText, type StateLocation, stateLocation } from "../state/location.js";

export { DATABASE_URL_ENV, locationText, type StateLocation };

/**
 * The one `--state` resolver of every command: a postgres:// (or postgresql://) URL is that database; a
 * file is relative to the folder you run in (`serve` and `sendsay`: to `--root`, as docs/state.md says);
 * without the flag `RASSYLKA_DATABASE_URL`, else `.rassylka/state.sqlite` under `--root`.
 */
export function stateFromFlags(
  flags: { root: string; state?: string },
  env: NodeJS.ProcessEnv = process.env,
  files: "cwd" | "root" = "cwd",
): StateLocation {
  const flag = flags.state?.trim() ? flags.state : undefined;
  const root = resolve(flags.root);
  return stateLocation(root, flag && files === "cwd" && !isPostgresUrl(flag) ? resolve(flag) : flag, env);
}

/** A location as `sendIssue`'s `stateFile` takes it: the file, or the URL. */
export function stateArgument(location: StateLocation): string {
  return location.kind === "postgres" ? location.url : location.file;
}
