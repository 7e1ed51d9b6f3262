import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { error, RassylkaError } from "../diagnostics.js";
import { DATABASE_URL_ENV, DEFAULT_STATE_FILE, isPostgresUrl, maskUrl } from "./location.js";
import { migrateSqlite } from "./migrations.js";

/**
 * The state file (`.rassylka/state.sqlite` under the root, `--state FILE` to move it): the send ledger
 * (src/send/ledger.ts) and the suppression list live side by side, so a send checks suppressions in
 * the same database it records deliveries in. WAL lets `serve` record unsubscribes while a send runs.
 */
export { DEFAULT_STATE_FILE };

export type StateDb = Database.Database;

/**
 * The SQLite state file of a command that has no PostgreSQL store yet (send, status, sendsay: the
 * ledger moves behind src/state/store.ts in phase 2 of issue 13). A postgres:// `--state`, or
 * `RASSYLKA_DATABASE_URL` without `--state`, is refused rather than quietly using a local file that the
 * other machines never see (an unsubscribe `serve` recorded there would not be honoured).
 */
export function stateFile(root: string, override?: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = override === undefined ? env[DATABASE_URL_ENV]?.trim() : urlIn(override);
  if (url) {
    throw new RassylkaError(
      error("state/postgres-not-yet", `this command keeps its state in a SQLite file for now; it cannot use ${maskUrl(url)}`, {
        field: override === undefined ? DATABASE_URL_ENV : "--state",
        fix: `pass --state FILE (e.g. --state ${DEFAULT_STATE_FILE})${override === undefined ? ` or unset ${DATABASE_URL_ENV} for this command` : ""}; suppress, serve and state already work with PostgreSQL (\`rassylka suppress export --state <url>\` moves its unsubscribes to the file)`,
      }),
    );
  }
  return resolve(root, override ?? DEFAULT_STATE_FILE);
}

/** A postgres:// URL, also one a caller already passed through path.resolve (`/cwd/postgres:/u:p@h/db`). */
function urlIn(path: string): string | undefined {
  if (isPostgresUrl(path)) return path;
  const m = /(?:^|[\\/])(postgres(?:ql)?):[\\/]+(.*)$/i.exec(path);
  return m ? `${m[1]}://${m[2]}` : undefined;
}

export interface StateOptions {
  /**
   * `full` (default): fsync on every commit. `normal`: synchronous=NORMAL plus the checkpoint the send
   * loop runs every second (which syncs). Both survive a killed process (kill -9, Ctrl-C, OOM); NORMAL may
   * lose the last second of records to a power cut or OS crash (those readers would be sent again), and is
   * ~100× cheaper per commit on an ordinary disk: what a long send uses.
   */
  durability?: "full" | "normal";
  /** Apply the missing schema migrations (src/state/migrations.ts) on open; default true. */
  migrate?: boolean;
}

export function openState(file: string, options: StateOptions = {}): StateDb {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(options.durability === "normal" ? "synchronous = NORMAL" : "synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  // 8 MB of page cache (default 2 MB): the ledger's indexes of a big list mostly stay in memory
  db.pragma("cache_size = -8000");
  if (options.migrate !== false) {
    try {
      migrateSqlite(db, file);
    } catch (cause) {
      db.close();
      throw cause;
    }
  }
  return db;
}
