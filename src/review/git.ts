import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";

/**
 * The base side of a review: the newsletter's files (newsletter.yaml, templates/, issues/) as they are in
 * a commit, written into a folder of our own. Read with `git ls-tree` and one `git cat-file --batch`, so
 * the user's repository is never touched (no worktree to prune, no index, no tar on PATH).
 */
export const PROJECT_PATHS = ["newsletter.yaml", "templates", "issues", "audiences"];

interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function git(cwd: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (cause) =>
      reject(
        new RassylkaError(
          {
            ruleId: "review/no-git",
            severity: "error",
            message: t("review:git.cannotRun", { error: cause.message }),
            fix: t("review:git.cannotRun.fix"),
          },
          { cause },
        ),
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr }));
    // a git that exits early (it failed: see its code and stderr) closes stdin; that is not our error
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
  });
}

export interface BaseCommit {
  /** What the user asked for, e.g. `origin/main`. */
  ref: string;
  /** The commit of that ref. */
  commit: string;
  /** The merge base of the ref and HEAD: what the branch is compared with (as in a pull request). */
  mergeBase: string;
}

/** `ref` → its commit and its merge base with HEAD; a bad ref or a folder outside git is an error with the fix. */
export async function resolveBase(root: string, ref: string): Promise<BaseCommit> {
  const top = await git(root, ["rev-parse", "--show-toplevel"]);
  if (top.code !== 0) {
    throw new RassylkaError({
      ruleId: "review/not-a-repository",
      severity: "error",
      message: t("review:git.notRepository", { root }),
      fix: t("review:git.notRepository.fix"),
    });
  }
  // `--end-of-options`: a ref that starts with "-" is a ref, never an option of git's
  const verified = ref.trim() ? await git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]) : undefined;
  if (verified?.code !== 0) {
    throw new RassylkaError({
      ruleId: "review/bad-base",
      severity: "error",
      message: t("review:git.badBase", { ref }),
      fix: t("review:git.badBase.fix"),
    });
  }
  const commit = verified.stdout.toString().trim();
  const mb = await git(root, ["merge-base", commit, "HEAD"]);
  // no common history (or no HEAD yet): compare with the ref itself
  const mergeBase = mb.code === 0 ? mb.stdout.toString().trim() : commit;
  return { ref, commit, mergeBase };
}

/**
 * Write the newsletter's files of `commit` (paths relative to `root`, which may be a subfolder of the
 * repository) into `dest`. Returns false when the commit has no newsletter.yaml there.
 */
export async function exportProject(root: string, commit: string, dest: string): Promise<boolean> {
  const listed = await git(root, ["ls-tree", "-r", "-z", commit, "--", ...PROJECT_PATHS]);
  if (listed.code !== 0) {
    throw new RassylkaError({
      ruleId: "review/git-failed",
      severity: "error",
      message: t("review:git.failed", { command: `ls-tree ${commit}`, error: listed.stderr.trim() }),
      fix: t("review:git.failed.fix"),
    });
  }
  // "<mode> <type> <object>\t<path>", NUL-separated; symlinks (120000) and submodules are left out
  const blobs = listed.stdout
    .toString()
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, type, object] = line.slice(0, tab).split(" ");
      return { mode, type, object, path: line.slice(tab + 1) };
    })
    .filter((e) => e.type === "blob" && e.mode !== "120000");
  if (!blobs.some((b) => b.path === "newsletter.yaml")) return false;
  const batch = await git(root, ["cat-file", "--batch"], blobs.map((b) => `${b.object}\n`).join(""));
  if (batch.code !== 0) {
    throw new RassylkaError({
      ruleId: "review/git-failed",
      severity: "error",
      message: t("review:git.failed", { command: "cat-file", error: batch.stderr.trim() }),
      fix: t("review:git.failed.fix"),
    });
  }
  // each object: "<object> blob <size>\n<bytes>\n"
  let at = 0;
  for (const b of blobs) {
    const eol = batch.stdout.indexOf(0x0a, at);
    const size = Number(batch.stdout.subarray(at, eol).toString().split(" ")[2]);
    const bytes = batch.stdout.subarray(eol + 1, eol + 1 + size);
    at = eol + 1 + size + 1;
    const path = join(dest, b.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  return true;
}
