import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyExampleNewsletter, ISSUE_A, REPO } from "./helpers.js";

// The command itself, as an editor runs it (dist-lib is built by `npm test` first).
let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await copyExampleNewsletter());
});
afterAll(async () => remove?.());

describe("rassylka preview (CLI)", () => {
  test("prints the URL, serves the issues, and stops cleanly on SIGINT", async () => {
    const child = spawn("node", [join(REPO, "bin/rassylka.js"), "preview", "--port", "0", "--root", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const m = /Preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) ok(m[1]);
      });
      child.on("exit", () => fail(new Error(`preview exited early: ${stderr}`)));
    });
    const page = await fetch(`${url}issue/${ISSUE_A}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Договор подписан, оплата через месяц");
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("Preview stopped.");
    await expect(fetch(url)).rejects.toThrow();
  });

  test("a bad --port is refused with the fix", async () => {
    const child = spawn("node", [join(REPO, "bin/rassylka.js"), "preview", "--port", "http", "--root", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
    expect(code).toBe(1);
    expect(stderr).toContain("--port must be a port number");
  });
});

describe("rassylka preview in a folder without newsletter.yaml", () => {
  test("stops at once and says where to run it", async () => {
    const child = spawn("node", [join(REPO, "bin/rassylka.js"), "preview", "--port", "0", "--root", join(dir, "issues")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
    expect(code).toBe(1);
    expect(stderr).toContain("no newsletter.yaml");
    expect(stderr).toContain("--root");
  });
});
