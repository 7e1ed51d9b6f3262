import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, rassylka } from "../helpers/cli.js";
import { MINIMAL_CONFIG, tempDir, writeFiles } from "../helpers/newsletter.js";

/**
 * The command line around every command: a usage error is its one line and a hint, not the whole help;
 * a reader of the output that goes away (`rassylka suppress list | head`) ends the output quietly.
 */
let tmp: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-usage-"));
});
afterAll(() => remove());

describe("a usage error", () => {
  it.each([
    [["build", "--nope"], "unknown option '--nope'", "--help"],
    [["send"], "missing required argument 'issue'", "--help"],
    [["frobnicate"], "unknown command 'frobnicate'", "--help"],
  ])("%j prints one line and where the help is, exit 1", async (args, line, hint) => {
    const r = await rassylka(args, tmp, { ...process.env, RASSYLKA_LANG: "en" });
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const lines = r.err.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(line);
    expect(lines[1]).toContain(hint);
    expect(r.err).not.toContain("Usage:");
  });
});

describe("a closed pipe (EPIPE)", () => {
  it("`suppress list | head -1`: no stack trace, exit 0", async () => {
    const dir = join(tmp, "n");
    await writeFiles(dir, { "newsletter.yaml": MINIMAL_CONFIG });
    const csv = join(tmp, "many.csv");
    await writeFile(csv, `email\n${Array.from({ length: 30_000 }, (_, i) => `reader${i}@mail.example.ru`).join("\n")}\n`);
    const imported = await rassylka(["suppress", "import", csv, "--root", dir], tmp);
    expect(imported.code).toBe(0);

    const child = spawn(process.execPath, [BIN, "suppress", "list", "--root", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    // what `head -1` does: read the first line, then close the pipe while the command still writes
    await new Promise<void>((done) => child.stdout.once("data", () => done()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  }, 120_000);
});
