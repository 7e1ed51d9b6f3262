import { relative, resolve } from "node:path";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { maskUrl as maskUrlShaped } from "../util/redact.js";

/**
 * Where the state lives: a SQLite file (the embedded default, `.rassylka/state.sqlite` under the root)
 * or a PostgreSQL database shared by every machine. `--state` wins over
 * `RASSYLKA_DATABASE_URL`, which wins over the default file. The URL carries a password: it is a secret,
 * so everything that shows a location shows `maskUrl(url)`.
 */
export type StateLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export const DEFAULT_STATE_FILE = ".rassylka/state.sqlite";
export const DATABASE_URL_ENV = "RASSYLKA_DATABASE_URL";

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * `flag` is `--state` (a file, relative to `root`, or a postgres:// URL); without it
 * `RASSYLKA_DATABASE_URL`, then the default file.
 */
export function stateLocation(root: string, flag?: string, env: NodeJS.ProcessEnv = process.env): StateLocation {
  if (flag?.trim()) {
    if (isPostgresUrl(flag)) return { kind: "postgres", url: flag.trim() };
    // `mysql://…`, `sqlite://…`: a database this state cannot live in, not a file named `mysql:/…`
    const scheme = /^\s*([a-z][a-z0-9+.-]*):\/\//i.exec(flag)?.[1];
    if (scheme) {
      throw new RassylkaError(
        error("state/bad-url", t("state:location.badFlag", { scheme }), {
          field: "--state",
          fix: t("state:location.badFlag.fix", { file: DEFAULT_STATE_FILE }),
        }),
      );
    }
    return { kind: "sqlite", file: resolve(root, flag) };
  }
  const url = env[DATABASE_URL_ENV]?.trim();
  if (url) {
    if (!isPostgresUrl(url)) {
      throw new RassylkaError(
        error(
          "state/bad-url",
          // none of it is quoted: without its scheme, its first characters are the user name and the password
          t("state:location.badUrl", { env: DATABASE_URL_ENV }),
          { field: DATABASE_URL_ENV, fix: t("state:location.badUrl.fix", { file: DEFAULT_STATE_FILE }) },
        ),
      );
    }
    return { kind: "postgres", url };
  }
  return { kind: "sqlite", file: resolve(root, DEFAULT_STATE_FILE) };
}

/**
 * `postgres://user:***@host:5432/db`: the password (and a `password=` parameter) replaced, the port
 * always shown, so a message names where it tried to connect without the secret.
 */
export function maskUrl(url: string): string {
  return maskUrlShaped(url, { defaultPort: "5432", defaultHost: "localhost", path: true, query: true });
}

/** What to show for a location: the file relative to `cwd`, or the masked URL. */
export function locationText(location: StateLocation, cwd = process.cwd()): string {
  return location.kind === "postgres" ? maskUrl(location.url) : relative(cwd, location.file) || location.file;
}

/** Host, port, database and user of a postgres:// URL, for messages (never the password). */
export function urlParts(url: string): { host: string; port: string; database: string; user: string } {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username);
    return {
      host: u.searchParams.get("host") ?? (u.hostname || "localhost"),
      port: u.port || "5432",
      database: decodeURIComponent(u.pathname.slice(1)) || user || "postgres",
      user: user || "(your OS user)",
    };
  } catch {
    return { host: "?", port: "?", database: "?", user: "?" };
  }
}
