import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";

/**
 * The state file (`.rassylka/state.sqlite` under the root, `--state FILE` to move it): the send ledger
 * (src/send/ledger.ts) and the suppression list live side by side, so a send checks suppressions in
 * the same database it records deliveries in. WAL lets `serve` record unsubscribes while a send runs.
 */
export const DEFAULT_STATE_FILE = ".rassylka/state.sqlite";

export type StateDb = Database.Database;

export function stateFile(root: string, override?: string): string {
  return resolve(root, override ?? DEFAULT_STATE_FILE);
}

export interface StateOptions {
  /**
   * `full` (default): fsync on every commit. `normal`: synchronous=NORMAL plus the checkpoint the send
   * loop runs every second (which syncs). Both survive a killed process (kill -9, Ctrl-C, OOM); NORMAL may
   * lose the last second of records to a power cut or OS crash (those readers would be sent again), and is
   * ~100× cheaper per commit on an ordinary disk: what a long send uses.
   */
  durability?: "full" | "normal";
}

export function openState(file: string, options: StateOptions = {}): StateDb {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(options.durability === "normal" ? "synchronous = NORMAL" : "synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  // 8 MB of page cache (default 2 MB): the ledger's indexes of a big list mostly stay in memory
  db.pragma("cache_size = -8000");
  db.exec(`
    CREATE TABLE IF NOT EXISTS suppressed (
      email      TEXT PRIMARY KEY COLLATE NOCASE,
      reason     TEXT NOT NULL,
      source     TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    );
  `);
  return db;
}
