import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createListing, createProgram } from "../../src/cli/index.js";
import { REPO } from "../helpers/newsletter.js";

/**
 * `rassylka --help` lists every command from a table in src/cli/index.ts without loading any command's
 * module; here that listing is held equal to the help of the program with every command registered.
 */
const run = promisify(execFile);
const BIN = join(REPO, "bin", "rassylka.js");

describe("the command listing", () => {
  it("prints the same help as the program with every command loaded", async () => {
    const full = await createProgram();
    const listing = await createListing();
    expect(listing.commands.map((c) => c.name())).toEqual(full.commands.map((c) => c.name()));
    expect(listing.helpInformation()).toBe(full.helpInformation());
  });

  it("serves --version, --help and `help <command>` from the built CLI", async () => {
    const [version, short, help, buildHelp] = await Promise.all([
      run(process.execPath, [BIN, "--version"]),
      run(process.execPath, [BIN, "-V"]),
      run(process.execPath, [BIN, "--help"]),
      run(process.execPath, [BIN, "help", "build"]),
    ]);
    // answered before commander is loaded: the same line commander's `.version()` prints
    const { version: ours } = JSON.parse(await readFile(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(version.stdout).toBe(`${ours}\n`);
    expect(short.stdout).toBe(`${ours}\n`);
    expect(help.stdout).toContain("build [options] [files...]");
    expect(help.stdout).toContain("serve [options]");
    expect(buildHelp.stdout).toContain("Usage: rassylka build [options] [files...]");
    expect(buildHelp.stdout).toContain("--no-cache");
  });

  it("send's help gives the retry window as a duration (12h), not in milliseconds", async () => {
    const { stdout } = await run(process.execPath, [BIN, "help", "send"], { env: { ...process.env, RASSYLKA_LANG: "en" } });
    const window = stdout.slice(stdout.indexOf("--retry-window"), stdout.indexOf("--retry-failed"));
    expect(window).toMatch(/\(default: 12h\)/);
    expect(stdout).not.toContain("43200000");
  });

  it("still suggests a command for a typo, with exit code 1", async () => {
    const error = (await run(process.execPath, [BIN, "biuld"]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("(Did you mean build?)");
  });
});
