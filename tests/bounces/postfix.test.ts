// Runs the built CLI (`npm run build:ts && node scripts/bundle.mjs`; `npm test` builds first) against a
// real Postfix and a real Dovecot (tests/helpers/postfix.ts, tests/helpers/dovecot.ts).
import { spawn } from "node:child_process";
import { chown, copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dovecot, startDovecot } from "../helpers/dovecot.js";
import { MAIL_GID, MAIL_UID, type Postfix, postfixAvailable, startPostfix } from "../helpers/postfix.js";
import { CONFIG, HELLO, ISSUE, makeProject, REPO, SECRET } from "../send/helpers.js";

const BIN = join(REPO, "bin", "rassylka.js");
const GONE = "nobody-here@local.test";
const READER = "reader@prodazhi.example.ru";
const SECOND = "issues/2026-12-08-again.md";

let root: string;
let cleanup: () => Promise<void>;
let postfix: Postfix;
let dovecot: Dovecot | undefined;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, RASSYLKA_LANG: "en", RASSYLKA_SECRET: SECRET, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const json = (r: { stdout: string; stderr: string }) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON:\n${r.stdout}\n${r.stderr}`);
  }
};

const files = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((f) => !f.startsWith("."));

describe.skipIf(!postfixAvailable())("a real Postfix DSN", () => {
  beforeAll(async () => {
    postfix = await startPostfix();
    ({ root, cleanup } = await makeProject(`${CONFIG}returnPath: bounces@prodazhi.example.ru\n`));
    await writeFile(join(root, SECOND), HELLO.replace("date: 2026-12-01", "date: 2026-12-08").replace("Тема письма", "Вторая тема"));
  }, 120_000);
  afterAll(async () => {
    await dovecot?.stop();
    await postfix?.stop();
    await cleanup?.();
  });

  const smtp = () => ({ SMTP_URL: `smtp://127.0.0.1:${postfix.port}` });

  it("a message accepted for a user who does not exist comes back as Postfix's DSN to the reader's VERP address", async () => {
    const sent = await cli(["send", ISSUE, "--to", `${GONE},${READER}`, "--transport", "smtp", "--yes", "--json"], smtp());
    expect(sent.code, sent.stderr).toBe(0);
    expect(json(sent)).toMatchObject({ sent: 2, failed: 0 });
    const [dsn] = await postfix.waitForMail(1);
    await postfix.waitForMail(1, 60_000, postfix.readerMaildir);
    const mail = await simpleParser(await readFile(dsn));
    expect(mail.headers.get("content-type")).toMatchObject({ value: "multipart/report", params: { "report-type": "delivery-status" } });
    expect((mail.headers.get("delivered-to") as { text: string }).text).toMatch(/^bounces\+[0-9a-f]{24}@prodazhi\.example\.ru$/);
  }, 120_000);

  it("`bounces import <Maildir>` reads it: a hard bounce, the reader suppressed, the issue marked; importing again counts nothing", async () => {
    // a copy of the state, so the IMAP test below starts from the same ledger
    await copyFile(join(root, ".rassylka/state.sqlite"), join(root, "import.sqlite"));
    const first = await cli(["bounces", "import", postfix.maildir, "--state", "import.sqlite", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const report = json(first);
    expect(report.counts).toMatchObject({ messages: 1, hard: 1, soft: 0, complained: 0, notBounce: 0, unattributed: 0, suppressed: 1 });
    expect(report.messages[0].recipients[0]).toMatchObject({
      kind: "hard",
      status: "5.1.1",
      email: GONE,
      issue: "2026-12-01-hello",
      via: "token",
    });
    const again = json(await cli(["bounces", "import", postfix.maildir, "--state", "import.sqlite", "--json"]));
    expect(again.counts).toMatchObject({ messages: 1, hard: 0, duplicates: 1, suppressed: 0 });
    const list = json(await cli(["suppress", "list", "--state", "import.sqlite", "--json"]));
    expect(list).toEqual([
      expect.objectContaining({
        email: GONE,
        reason: "bounced",
        source: expect.stringMatching(/^bounce 5\.1\.1 \d{4}-\d\d-\d\d, issue 2026-12-01-hello$/),
      }),
    ]);
    // the files are read, not moved
    expect(await files(join(postfix.maildir, "new"))).toHaveLength(1);
  }, 120_000);

  it("a file that cannot be read: exit 1, the others still imported", async () => {
    const r = await cli([
      "bounces",
      "import",
      "missing.eml",
      join(REPO, "tests/fixtures/bounces/vacation.eml"),
      "--state",
      "import.sqlite",
      "--json",
    ]);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({
      counts: { messages: 1, notBounce: 1 },
      problems: [{ label: join(root, "missing.eml"), problem: "no such file or folder", fix: expect.stringContaining("check the path") }],
    });
    // as text: one line naming the file, and the fix; no errno code, no stack
    const text = await cli(["bounces", "import", "missing.eml", "--state", "import.sqlite"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain(`error: cannot read ${join(root, "missing.eml")}: no such file or folder\n  fix: check the path`);
    expect(text.stderr).not.toContain("ENOENT");
  }, 60_000);

  it("`bounces fetch` reads the same Maildir through Dovecot's IMAP: the DSN moved to Processed, a vacation reply left alone", async () => {
    // a vacation reply in the same mailbox, delivered the way virtual(8) does it (owned by the mailbox's user)
    const vacation = join(postfix.maildir, "new", "1796000000.V1I1M1.vacation");
    await copyFile(join(REPO, "tests/fixtures/bounces/vacation.eml"), vacation);
    await chown(vacation, MAIL_UID, MAIL_GID);
    dovecot = await startDovecot(postfix.maildir);
    const r = await cli(["bounces", "fetch", "--json"], { BOUNCES_IMAP_URL: dovecot.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(dovecot.pass);
    const report = json(r);
    expect(report.counts).toMatchObject({ messages: 2, hard: 1, notBounce: 1, suppressed: 1 });
    expect(report.mailbox).toEqual({ url: `imap://bounces:***@127.0.0.1:${dovecot.port}/INBOX`, moved: 1, left: 1, movedTo: "Processed" });
    // moved, not deleted: the DSN is in Processed (Maildir++ folder .Processed), the vacation reply still in INBOX
    const processed = [
      ...(await files(join(postfix.maildir, ".Processed", "cur"))),
      ...(await files(join(postfix.maildir, ".Processed", "new"))),
    ];
    expect(processed).toHaveLength(1);
    const inbox = [
      ...(await files(join(postfix.maildir, "cur"))).map((f) => join(postfix.maildir, "cur", f)),
      ...(await files(join(postfix.maildir, "new"))).map((f) => join(postfix.maildir, "new", f)),
    ];
    expect(inbox).toHaveLength(1);
    expect((await simpleParser(await readFile(inbox[0]))).subject).toMatch(/^Автоответ/);

    const status = json(await cli(["status", "2026-12-01-hello", "--json"]));
    expect(status.counts).toMatchObject({ sent: 2, bounced: 1, softBounced: 0, complained: 0 });
    const text = await cli(["status", "2026-12-01-hello"]);
    expect(text.stdout).toContain("after the send: bounced 1 · soft bounces 0 · complained 0");
  }, 120_000);

  it("`bounces fetch` with a wrong password: exit 1, what to fix, the password never shown", async () => {
    const wrong = dovecot!.url.replace(dovecot!.pass, "wrong-password-42");
    const r = await cli(["bounces", "fetch"], { BOUNCES_IMAP_URL: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`imap://bounces:***@127.0.0.1:${dovecot!.port}/INBOX`);
    expect(r.stderr).toMatch(/check the user and password in BOUNCES_IMAP_URL/);
    expect(r.stdout + r.stderr).not.toContain("wrong-password-42");
    const none = await cli(["bounces", "fetch"], {});
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/BOUNCES_IMAP_URL is not set/);
  }, 60_000);

  it("the next issue skips the suppressed reader", async () => {
    const before = (await files(join(postfix.readerMaildir, "new"))).length;
    const sent = await cli(["send", SECOND, "--to", `${GONE},${READER}`, "--transport", "smtp", "--yes", "--json"], smtp());
    expect(sent.code, sent.stderr).toBe(0);
    expect(json(sent)).toMatchObject({ sent: 1, suppressed: 1 });
    await postfix.waitForMail(before + 1, 60_000, postfix.readerMaildir);
    // no second DSN: nothing went to the address that bounced (once the queue is empty, a DSN this send
    // caused would have been delivered)
    await postfix.waitForEmptyQueue();
    expect(await files(join(postfix.maildir, "new"))).toHaveLength(0);
    expect((await postfix.log()).match(/to=<nobody-here@local\.test>/g)).toHaveLength(1);
  }, 120_000);
});
