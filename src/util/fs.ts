import { createHash, randomBytes } from "node:crypto";
import { type Dirent, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative } from "node:path";
import { type Params, t } from "../i18n/index.js";

/**
 * The temp file a write goes through: `<path>.<pid>.<8 hex>.tmp`, beside the file. The pid says whose it
 * is, so that a later run can tell a dead writer's leftovers from a live one's (removeStaleTempFiles).
 */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Write via a temp file in the same folder and rename: readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Write atomically only when the content differs: unchanged files keep their mtime (so `serve`'s
 * ETag / Last-Modified and any CDN keep matching), and a warm build reads instead of writing.
 * Returns whether it wrote.
 */
export async function writeFileIfChanged(path: string, data: string): Promise<boolean> {
  try {
    if ((await readFile(path, "utf8")) === data) return false;
  } catch {}
  await writeFileAtomic(path, data);
  return true;
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A writer that has held a temp file this long is gone, whatever its pid says (pids are reused). */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/**
 * Remove the temp files writeFileAtomic left behind in `dir` (and `depth - 1` levels of folders below it)
 * when its process was killed mid-write: files named `<file>.<pid>.<hex>.tmp` whose
 * process no longer runs, or older than an hour. A live writer's temp file — another build writing the
 * same folder now, or this process's own writes in flight — is left alone. Returns the paths removed;
 * a folder that does not exist removes nothing.
 */
export async function removeStaleTempFiles(dir: string, options: { depth?: number; now?: number } = {}): Promise<string[]> {
  const depth = options.depth ?? 1;
  const now = options.now ?? Date.now();
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 1) removed.push(...(await removeStaleTempFiles(path, { depth: depth - 1, now })));
      continue;
    }
    const m = TEMP_NAME.exec(e.name);
    if (!m || !e.isFile()) continue;
    const pid = Number(m[1]);
    const old = await stat(path).then(
      (s) => now - s.mtimeMs > STALE_TEMP_AGE_MS,
      () => false,
    );
    const live = pid === process.pid || processRuns(pid);
    if (live && !old) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(p);
    h.update("\0");
  }
  return h.digest("hex");
}

/** POSIX-style relative path for messages, whatever the platform. */
export function toPosix(p: string): string {
  return p.split("\\").join("/");
}

/** Whether `path` is `root` or lies under it, comparing the paths as written. */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Where `path` really is, symlinks resolved, and whether that is inside `root` (whose own symlinks are
 * resolved too: a root under a symlinked /tmp is still itself). A file that does not exist is reported
 * as not inside, with `real` undefined.
 */
export async function realPathWithin(root: string, path: string): Promise<{ inside: boolean; real?: string }> {
  const [realRoot, real] = await Promise.all([realpath(root).catch(() => root), realpath(path).catch(() => undefined)]);
  return { inside: real !== undefined && isWithin(realRoot, real), real };
}

/** The most an issue or a bounce message may weigh: far above any real one, far below what hurts. */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

/**
 * Reads a file only if it is a regular file of at most `maxBytes`: a FIFO lying in issues/ or given to
 * `bounces import` hung the command for ever, /dev/zero grew it to 14 GB. The error (code ENOTREG or
 * EFBIG) says which, in the editor's language; its `words` (catalogue key and parameters) let a caller
 * write it in another (`bounces --json` keeps English in `problem`).
 */
export async function readRegularFile(path: string, maxBytes = MAX_INPUT_BYTES): Promise<Buffer> {
  const { stat, readFile } = await import("node:fs/promises");
  const info = await stat(path);
  const fail = (code: string, key: string, params: Params) => Object.assign(new Error(t(key, params)), { code, words: { key, params } });
  if (!info.isFile()) throw fail("ENOTREG", "input-files:notRegular", { path });
  if (info.size > maxBytes)
    throw fail("EFBIG", "input-files:tooBig", { path, size: Math.ceil(info.size / 1048576), max: Math.round(maxBytes / 1048576) });
  return readFile(path);
}
