import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { DEFAULT_STATE_FILE } from "./location.js";
import { migrate } from "./migrations.js";
import { rekeySuppressions, SqliteDb, SqliteStore, type StateDb } from "./sqlite.js";
import type { OpenStoreOptions } from "./store.js";

/**
 * The state file (`.rassylka/state.sqlite` under the root, `--state FILE` to move it): the send ledger
 * (src/state/ledger.ts), the suppression list and the other subjects of the state live side by side, so a send checks suppressions in
 * the same database it records deliveries in. WAL lets `serve` record unsubscribes while a send runs.
 *
 * The ledger is never silently replaced: a file that exists must be a readable SQLite database (an empty,
 * damaged or unreadable one is an error naming it, before anything is sent); a new one is made complete
 * in a temporary file and linked into place, so a process starting at the same moment never sees a
 * half-made (zero-byte) file, and all of them succeed.
 */
export { DEFAULT_STATE_FILE, type StateDb };

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
  /** Called when this call created the state file (a send says where its new ledger is). */
  onCreate?: (file: string) => void;
}

const SQLITE_HEADER = "SQLite format 3\u0000";

export async function openState(file: string, options: StateOptions = {}): Promise<StateDb> {
  try {
    const created = ensureStateFile(file);
    const db = new Database(file, { fileMustExist: true, timeout: 5000 });
    try {
      // reads the schema: a damaged file fails here (SQLITE_NOTADB, SQLITE_CORRUPT), before any write
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
      db.pragma(options.durability === "normal" ? "synchronous = NORMAL" : "synchronous = FULL");
      // 8 MB of page cache (default 2 MB): the ledger's indexes of a big list mostly stay in memory
      db.pragma("cache_size = -8000");
      if (options.migrate !== false) {
        await migrate(new SqliteDb(db), file);
        rekeySuppressions(db);
      }
    } catch (e) {
      db.close();
      throw e;
    }
    if (created) options.onCreate?.(file);
    return db;
  } catch (e) {
    throw stateError(file, e);
  }
}

/**
 * Opens (creating) the state file, migrated unless `migrate: false`. `readonly` opens an existing file
 * as it is — no migration, nothing written — for the source of `rassylka state copy`.
 */
export async function openSqliteStore(file: string, options: OpenStoreOptions = {}): Promise<SqliteStore> {
  if (options.readonly) {
    if (!existsSync(file)) {
      throw new RassylkaError(error("state/no-file", t("state:noFile", { file }), { fix: t("state:noFile.fix") }));
    }
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return new SqliteStore(db, file);
  }
  const db = await openState(file, { durability: options.durability, migrate: options.migrate, onCreate: options.onCreate });
  return new SqliteStore(db, file, true, options.worker);
}

/**
 * Makes sure the file exists and looks like SQLite. Returns true when this call created it: an empty
 * database in WAL mode made in a temporary file, then hard-linked to its name, which fails when another
 * process got there first (then theirs is used). The migrations then make its tables.
 */
function ensureStateFile(file: string): boolean {
  for (;;) {
    const existing = statOrUndefined(file);
    if (existing) {
      checkExisting(file, existing.size, existing.isFile());
      return false;
    }
    makeFolder(dirname(file));
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.new`);
    try {
      const db = new Database(tmp);
      try {
        db.pragma("journal_mode = WAL"); // writes the header: never a zero-byte file
      } finally {
        db.close();
      }
      try {
        linkSync(tmp, file);
        return true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") {
          // a file system without hard links: an exclusive copy still never replaces another's file
          try {
            copyFileSync(tmp, file, constants.COPYFILE_EXCL);
            return true;
          } catch (e2) {
            if ((e2 as NodeJS.ErrnoException).code !== "EEXIST") throw e2;
          }
        } else if (code !== "EEXIST") throw e;
        // someone else created it a moment ago: use theirs
      }
    } finally {
      for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) {
        try {
          unlinkSync(f);
        } catch {}
      }
    }
  }
}

/** mkdir -p, with the real reason when it fails (recursive mkdir reports ENOENT for a read-only parent). */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    let parent = folder;
    while (!statOrUndefined(parent) && dirname(parent) !== parent) parent = dirname(parent);
    accessSync(parent, constants.W_OK); // throws EROFS or EACCES when that is why
    throw e;
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function checkExisting(file: string, size: number, isFile: boolean): void {
  const fail = (message: string, fix: string) => new RassylkaError({ ruleId: "state/invalid", severity: "error", message, file, fix });
  if (!isFile) throw fail(t("state:file.notFile"), t("state:file.notFile.fix"));
  if (size === 0) {
    throw fail(t("state:file.empty"), t("state:file.empty.fix", { file }));
  }
  const fd = openSync(file, "r");
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString("latin1") !== SQLITE_HEADER) {
    throw fail(t("state:file.notSqlite"), t("state:file.notSqlite.fix", { file }));
  }
}

/**
 * Any failure to open or write the state file, as one diagnostic naming the file and the fix (never a
 * stack trace): damaged, unreadable, a read-only folder, a full disk. RassylkaErrors pass unchanged.
 */
export function stateError(file: string, error: unknown): Error {
  if (error instanceof RassylkaError) return error;
  const e = error as { code?: string; message?: string };
  const code = String(e.code ?? "");
  const text = e.message ?? String(error);
  const fail = (message: string, fix: string) =>
    new RassylkaError({ ruleId: "state/io", severity: "error", message: `${message} (${code || text})`, file, fix }, { cause: error });
  if (code === "SQLITE_FULL" || code === "ENOSPC" || /disk is full|no space/i.test(text))
    return fail(t("state:file.full"), t("state:file.full.fix"));
  if (/^(EACCES|EPERM|EROFS)$/.test(code) || /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code) || /read-?only|permission/i.test(text))
    return fail(t("state:file.readOnly"), t("state:file.readOnly.fix"));
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) return fail(t("state:file.damaged"), t("state:file.damaged.fix", { file }));
  if (/^SQLITE_|^E[A-Z]+$/.test(code)) return fail(t("state:file.unusable"), t("state:file.unusable.fix"));
  return error instanceof Error ? error : new Error(text);
}
