import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative } from "node:path";

/** Write via a temp file in the same folder and rename: readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
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
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
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
