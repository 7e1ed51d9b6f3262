import { describe, expect } from "vitest";
import { ISSUE, sendTest as test } from "../send/helpers.js";

/**
 * Secrets from the environment never reach the terminal, whatever shape they have: a URL without its
 * scheme printed the whole IMAP password, or the database URL's first 12 characters (user and password).
 * And what masks them is linear: a 600,000-character CSV cell kept `send` busy for minutes after delivery.
 */
const printed = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe("secrets in what the CLI prints", () => {
  test("BOUNCES_IMAP_URL without its scheme: the error names the problem, not the password (plain or percent-encoded)", async ({
    project,
  }) => {
    const r = await project.cli(["bounces", "fetch"], { BOUNCES_IMAP_URL: "bounces:Imap%40Secret%2F99@imap.example.ru/INBOX" });
    expect(r.code).toBe(1);
    expect(printed(r)).toMatch(/BOUNCES_IMAP_URL/);
    for (const s of ["Imap%40Secret%2F99", "Imap@Secret/99", "Secret"]) expect(printed(r)).not.toContain(s);
  });

  test("RASSYLKA_DATABASE_URL without its scheme: not even its first characters are shown", async ({ project }) => {
    const r = await project.cli(["status"], { RASSYLKA_DATABASE_URL: "rassylka:DbSecret77@127.0.0.1:5432/state" });
    expect(r.code).toBe(1);
    expect(printed(r)).toMatch(/state\/bad-url/);
    expect(printed(r)).not.toContain("DbSecret77");
    expect(printed(r)).not.toContain("rassylka:Db");
  });

  test("SMTP_URL's percent-encoded password, refused by nobody listening: masked in every form", async ({ project }) => {
    await project.write("list.csv", "email\nreader@example.ru\n");
    const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--transport", "smtp", "--yes", "--json"], {
      SMTP_URL: "smtp://user:Smtp%3ASecret%2F42@127.0.0.1:1",
    });
    expect(r.code).not.toBe(0);
    for (const s of ["Smtp%3ASecret%2F42", "Smtp:Secret/42", "Secret"]) expect(printed(r)).not.toContain(s);
  });

  test("a 600,000-character CSV cell: the dry run ends in seconds, its summary masked", async ({ project }) => {
    await project.write("list.csv", `email,name\nreader@example.ru,Анна\n${"a".repeat(600_000)},x\n`);
    const start = Date.now();
    const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--dry-run", "--yes"]);
    expect(Date.now() - start).toBeLessThan(30_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/invalid/);
  }, 60_000);
});
