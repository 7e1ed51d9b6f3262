import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openState, stateError } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";

const REPO = resolve(import.meta.dirname, "../..");
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rassylka-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tmpfs of its own (root only): a real read-only folder or a real full disk. */
function tmpfs(path: string, options: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const umount = (path: string) => execFileSync("umount", [path], { stdio: "ignore" });
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = execFileSync("mktemp", ["-d"]).toString().trim();
  const ok = tmpfs(probe, "size=64k");
  if (ok) umount(probe);
  return ok;
})();

const diagnostic = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (e) {
    return (e as { diagnostics?: { message: string; file?: string; fix?: string }[] }).diagnostics?.[0];
  }
  throw new Error("expected an error");
};

// the ledger is never silently replaced
describe("openState", () => {
  it("a zero-byte state file is an error naming the file and the fix, and it stays as it was", async () => {
    const file = join(dir, "state.sqlite");
    await writeFile(file, "");
    expect(await diagnostic(() => openState(file))).toMatchObject({
      file,
      message: expect.stringMatching(/empty \(0 bytes\)/),
      fix: expect.stringMatching(/backup.*rm /),
    });
    expect((await readFile(file)).length).toBe(0);
  });

  it("a file that is not SQLite, and a damaged SQLite file, are errors naming the file", async () => {
    const text = join(dir, "notes.sqlite");
    await writeFile(text, "email,name\nanna@example.ru,Анна\n");
    expect(await diagnostic(() => openState(text))).toMatchObject({ file: text, message: expect.stringMatching(/not a SQLite database/) });

    const damaged = join(dir, "damaged.sqlite");
    const db = await openState(damaged);
    await sqliteStore(db).suppressions.add("a@x.ru");
    db.close();
    const bytes = await readFile(damaged);
    bytes.fill(0x5a, 100, 4096); // the schema page, after the header
    await writeFile(damaged, bytes);
    expect(await diagnostic(() => openState(damaged))).toMatchObject({ file: damaged, message: expect.stringMatching(/damaged/) });
  });

  it("says when it created a new state file, and not when it opened one", async () => {
    const file = join(dir, "sub", "state.sqlite");
    const created: string[] = [];
    (await openState(file, { onCreate: (f) => created.push(f) })).close();
    (await openState(file, { onCreate: (f) => created.push(f) })).close();
    expect(created).toEqual([file]);
  });

  it("processes opening a state file that does not exist yet, all at once, all succeed on one file", async () => {
    const file = join(dir, "race", "state.sqlite");
    const script = `import { openState } from ${JSON.stringify(join(REPO, "dist-lib/state/db.js"))};
      const db = await openState(process.argv[1], { onCreate: () => console.log("created") });
      db.prepare("INSERT INTO suppressed (email, reason) VALUES (?, 'manual')").run(process.argv[2]);
      db.close();`;
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, file, `p${i}@x.ru`], { cwd: REPO }),
      ),
    );
    expect(runs.filter((r) => r.stdout.includes("created"))).toHaveLength(1);
    const db = await openState(file);
    expect(await sqliteStore(db).suppressions.count()).toBe(6);
    db.close();
  });

  it("suppressions recorded under a Unicode domain are found under the A-label key", async () => {
    const file = join(dir, "old.sqlite");
    const db = await openState(file);
    db.prepare("INSERT INTO suppressed (email, reason) VALUES ('user@пример.рф', 'unsubscribed')").run();
    db.close();
    const again = await openState(file);
    expect(await sqliteStore(again).suppressions.has("user@xn--e1afmkfd.xn--p1ai")).toBe(true);
    again.close();
  });

  it.skipIf(!canMount)("a read-only folder is a one-line error naming the file (new and existing state files)", async () => {
    const mnt = join(dir, "ro");
    execFileSync("mkdir", [mnt]);
    expect(tmpfs(mnt, "size=1m")).toBe(true);
    try {
      (await openState(join(mnt, "existing.sqlite"))).close();
      execFileSync("mount", ["-o", "remount,ro", mnt]);
      for (const file of [join(mnt, "new", "state.sqlite"), join(mnt, "existing.sqlite")]) {
        expect(await diagnostic(async () => sqliteStore(await openState(file)).ledger)).toMatchObject({
          file,
          message: expect.stringMatching(/cannot write the state file/),
          fix: expect.stringContaining("--state"),
        });
      }
    } finally {
      umount(mnt);
    }
  });

  it.skipIf(!canMount)("a full disk while the ledger grows is an error naming the file and the fix", async () => {
    const mnt = join(dir, "full");
    execFileSync("mkdir", [mnt]);
    // room for the schema of every migration, not for the list
    expect(tmpfs(mnt, "size=1m")).toBe(true);
    const file = join(mnt, "state.sqlite");
    try {
      const db = await openState(file);
      const ledger = sqliteStore(db).ledger;
      const run = await ledger.beginRun("i", "h", "s");
      let thrown: unknown;
      try {
        for (let i = 0; i < 100; i++) {
          await ledger.addRecipients(
            "i",
            run,
            Array.from({ length: 100 }, (_, j) => ({
              email: `r${i}-${j}@x.ru`,
              address: `r${i}-${j}@x.ru`,
              fields: { pad: "x".repeat(200) },
              line: j,
              messageId: `${i}-${j}`,
            })),
          );
        }
      } catch (e) {
        thrown = e;
      }
      db.close();
      expect(thrown).toBeDefined();
      const d = (stateError(file, thrown) as { diagnostics?: { message: string; file: string }[] }).diagnostics?.[0];
      expect(d).toMatchObject({ file, message: expect.stringMatching(/disk holding the state file is full \(SQLITE_FULL\)/) });
    } finally {
      umount(mnt);
    }
  });
});
