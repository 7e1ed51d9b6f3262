// Runs the built CLI (`node bin/rassylka.js`, bundled by the tests' global setup when stale).
import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { runSendCommand, type SendFlags } from "../../src/cli/send.js";
import { openState } from "../../src/state/db.js";
import type { StateLocation } from "../../src/state/location.js";
import { addSuppressions } from "../../src/suppress/suppress.js";
import {
  CONFIG,
  greylist,
  ISSUE,
  parse,
  readers,
  readersCsv,
  SECRET,
  selfSignedCert,
  sendTest,
  smtpSend,
  warmSendTest,
} from "../send/helpers.js";

// every project but the newcomer's starts with the issue compiled once for the file: the tests are about
// send, status and suppress, not the compile, which the newcomer's cold run still goes through
const it = warmSendTest;
// several whole CLI processes a test: on a loaded 2-core machine one takes up to ~40 s
const SLOW = { timeout: 240_000 };
const list = (n: number) => readersCsv(readers(n));

describe("rassylka send (CLI)", SLOW, () => {
  sendTest("the newcomer's path: outbox by default, one .eml per reader, exit 0", async ({ project }) => {
    await project.write("list.csv", "email;name\nanna@example.ru;Анна\nboris@example.ru;Борис\n");
    const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes"]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/written now: 2/);
    expect(r.stdout).not.toMatch(/sent now/);
    const files = (await readdir(join(project.root, "outbox", "2026-12-01-hello"))).sort();
    expect(files).toEqual(["anna@example.ru.eml", "boris@example.ru.eml"]);
    const mail = await parse(await readFile(join(project.root, "outbox", "2026-12-01-hello", "anna@example.ru.eml")));
    expect(mail.html).toContain("Здравствуйте, Анна!");
  });

  it("the summary names the first 1,000 invalid rows, status all of them from the store; a new run's list replaces them", async ({
    project,
  }) => {
    const bad = Array.from({ length: 1205 }, (_, i) => `not-an-address-${i}`);
    await project.write("list.csv", `email\nanna@example.ru\n${bad.join("\n")}\nboris@example.ru\n`);
    const sink = await project.smtp();
    const r = await project.cli([...smtpSend(sink.url, "--retry-delay", "5"), "--json"]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ sent: 2, invalid: 1205 });
    expect(summary.invalidRows).toHaveLength(1000);
    const [asJson, asText] = await Promise.all([
      project.cli(["status", "2026-12-01-hello", "--json"]),
      project.cli(["status", "2026-12-01-hello"]),
    ]);
    const s = JSON.parse(asJson.stdout);
    expect(s.counts.invalid).toBe(1205);
    expect(s.invalidRows).toHaveLength(1205);
    expect(s.invalidRows[0]).toEqual({ line: 3, address: "not-an-address-0", reason: expect.stringMatching(/\S/) });
    expect(s.invalidRows.at(-1)).toMatchObject({ line: 1207, address: "not-an-address-1204" });
    const text = asText.stdout;
    expect(text).toContain('line 3: "not-an-address-0"');
    expect(text).toContain("… and 1105 more (--json lists all)");
    // the next run of the issue reads another list: only its invalid rows are left
    await project.write("list2.csv", "email\nanna@example.ru\nstill-bad\n");
    const list2 = ["send", ISSUE, "--to", "list2.csv", "--transport", "smtp", "--smtp-url", sink.url, "--yes", "--retry-delay", "5"];
    expect((await project.cli(list2)).code).toBe(0);
    const again = JSON.parse((await project.cli(["status", "2026-12-01-hello", "--json"])).stdout);
    expect(again.invalidRows).toEqual([{ line: 3, address: "still-bad", reason: expect.any(String) }]);
  });

  it("SIGKILL mid-send, then the same command resumes: everyone gets it, only readers reported in flight twice", async ({ project }) => {
    const sink = await project.smtp({ dataDelayMs: 15 });
    await project.write("list.csv", list(40));
    const first = project.start([...smtpSend(sink.url, "--retry-delay", "5"), "--concurrency", "2"]);
    await Promise.race([sink.waitForReceived(10), first.done.then((r) => Promise.reject(new Error(`exited early: ${r.stderr}`)))]);
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    const before = sink.received.length;
    expect(before).toBeLessThan(40);

    const r = await project.cli([...smtpSend(sink.url, "--retry-delay", "5"), "--concurrency", "2", "--json"]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ total: 40, failed: 0, pending: 0, exitCode: 0 });
    expect(summary.sent + summary.alreadySent).toBe(40);
    expect(summary.alreadySent).toBeGreaterThanOrEqual(before - 4);

    const counts = new Map<string, number>();
    for (const m of sink.received) counts.set(m.to[0], (counts.get(m.to[0]) ?? 0) + 1);
    expect(counts.size).toBe(40);
    const twice = [...counts].filter(([, n]) => n > 1).map(([e]) => e);
    expect(twice.every((e) => summary.resentAddresses.includes(e))).toBe(true);
    expect(summary.resent).toBe(summary.resentAddresses.length);
    // --concurrency 2: two connections, at most four readers in flight
    expect(summary.resent).toBeLessThanOrEqual(4);
  });

  it("SIGTERM: stops claiming, lets in-flight messages finish, records them, exits 3; a re-run completes", async ({ project }) => {
    const sink = await project.smtp({ dataDelayMs: 40 });
    await project.write("list.csv", list(30));
    const run = project.start([...smtpSend(sink.url, "--retry-delay", "5"), "--json"]);
    await sink.waitForReceived(4);
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(3);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ stopped: "signal", exitCode: 3 });
    expect(summary.pending).toBe(30 - summary.sent);
    expect(sink.received).toHaveLength(summary.sent);
    const db = await openState(join(project.root, ".rassylka", "state.sqlite"));
    expect(db.prepare("SELECT count(*) AS n FROM send_ledger WHERE state = 'in_flight'").get()).toEqual({ n: 0 });
    db.close();
    const again = await project.cli(smtpSend(sink.url, "--retry-delay", "5"));
    expect(again.code).toBe(0);
    expect(new Set(sink.received.map((m) => m.to[0])).size).toBe(30);
    expect(sink.received).toHaveLength(30);
  });

  it("exit 2 when some readers failed permanently; status --json shows counts and failures", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt) => (rcpt === "gone@example.ru" ? { code: 550, message: "5.1.1 No such user" } : undefined),
    });
    await project.write("list.csv", "email\na@example.ru\ngone@example.ru\nA@example.ru\nnot-an-address\n");
    const r = await project.cli(smtpSend(sink.url, "--retry-delay", "5"));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/gone@example\.ru — 550 .*No such user/);
    expect(r.stdout).toMatch(/line 5: "not-an-address"/);
    const s = await project.cli(["status", "2026-12-01-hello", "--json"]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toEqual({
      issue: "2026-12-01-hello",
      subject: "Тема письма",
      // who the send went to, as recorded when it started (docs/audiences.md): the CSV list here
      audience: "list.csv",
      counts: {
        total: 2,
        sent: 1,
        failed: 1,
        pending: 0,
        suppressed: 0,
        invalid: 1,
        duplicates: 1,
        bounced: 0,
        softBounced: 0,
        complained: 0,
      },
      failures: [{ email: "gone@example.ru", code: 550, message: expect.stringContaining("No such user") }],
      invalidRows: [{ line: 5, address: "not-an-address", reason: expect.any(String) }],
      resent: { count: 0, readers: [] },
      workers: [
        expect.objectContaining({ worker: expect.stringMatching(/^.+:\d+:[0-9a-f]{8}$/), ended: true, live: false, sent: 1, failed: 1 }),
      ],
      runs: [{ runId: 1, transport: sink.url, state: "finished", startedAt: expect.any(String), sent: 1, failed: 1, inFlight: 0 }],
      updatedAt: expect.any(String),
    });
    // status by file path works too
    const byPath = await project.cli(["status", ISSUE, "--json"]);
    expect(JSON.parse(byPath.stdout).counts.total).toBe(2);
  });

  it("exit 3 and how to resume when the server is down (421 at every connection)", async ({ project }) => {
    const down = await project.smtp({ greeting: { code: 421, message: "4.3.2 Service shutting down" } });
    const port = down.port;
    await project.write("list.csv", list(25));
    const r = await project.cli([
      "send",
      ISSUE,
      "--to",
      "list.csv",
      "--transport",
      "smtp",
      "--smtp-url",
      `smtp://127.0.0.1:${port}`,
      "--yes",
      "--retry-delay",
      "60000",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Paused: .*server looks down.*re-run: rassylka send/s);
  });

  it("exit 1 and nothing sent: no --yes off a terminal, no RASSYLKA_SECRET, a draft, a bad SMTP URL", async ({ project }) => {
    const sink = await project.smtp();
    await project.write("list.csv", "email\na@example.ru\n");
    const noYes = await project.cli(["send", ISSUE, "--to", "list.csv", "--transport", "smtp", "--smtp-url", sink.url]);
    expect(noYes.code).toBe(1);
    expect(noYes.stderr).toMatch(/not a terminal[\s\S]*--yes/);
    const noSecret = await project.cli(smtpSend(sink.url, "--retry-delay", "5"), { RASSYLKA_SECRET: undefined });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/RASSYLKA_SECRET is not set/);
    const draft = await project.cli([
      "send",
      "issues/2026-12-03-draft.md",
      "--to",
      "list.csv",
      "--transport",
      "smtp",
      "--smtp-url",
      sink.url,
      "--yes",
    ]);
    expect(draft.code).toBe(1);
    expect(draft.stderr).toMatch(/draft[\s\S]*--test/);
    const badUrl = await project.cli([
      "send",
      ISSUE,
      "--to",
      "list.csv",
      "--transport",
      "smtp",
      "--smtp-url",
      "http://user:hunter2@x",
      "--yes",
    ]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).not.toContain("hunter2");
    expect(sink.received).toHaveLength(0);
    // test copies of the draft are fine, and are not the send
    const test = await project.cli([
      "send",
      "issues/2026-12-03-draft.md",
      "--test",
      "editor@example.ru",
      "--transport",
      "smtp",
      "--smtp-url",
      sink.url,
    ]);
    expect(test.code).toBe(0);
    expect(sink.received).toHaveLength(1);
    expect((await parse(sink.received[0].raw)).subject).toMatch(/^\[TEST\] /);
  });

  it("--dry-run delivers nothing and needs no confirmation", async ({ project }) => {
    const sink = await project.smtp();
    await project.write("list.csv", list(5));
    const dryRun = ["send", ISSUE, "--to", "list.csv", "--transport", "smtp", "--smtp-url", sink.url, "--dry-run"];
    const [r, text] = await Promise.all([project.cli([...dryRun, "--json"]), project.cli(dryRun)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: "dry-run", sent: 5, transport: expect.stringContaining("dry run") });
    // the text never says a dry run sent anything
    expect(text.stdout).toMatch(/^Dry run \(nothing delivered\)/m);
    expect(text.stdout).toMatch(/would be sent: 5/);
    expect(text.stdout).not.toMatch(/sent now/);
    expect(sink.received).toHaveLength(0);
  });
});

describe("confirmation on a terminal", () => {
  it("asks «Send … to N recipients via …? [y/N]»; anything but yes sends nothing (exit 1), yes sends", async ({ project }) => {
    await project.write("list.csv", "email\na@example.ru\nb@example.ru\n");
    const flags: SendFlags = {
      root: project.root,
      to: join(project.root, "list.csv"),
      transport: "outbox",
      concurrency: 5,
      maxAttempts: 5,
      retryDelay: 10,
    };
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: () => {} };
    const questions: string[] = [];
    const runtime = (answer: string) => ({
      env: { RASSYLKA_SECRET: SECRET },
      tty: true,
      ask: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    expect(await runSendCommand(ISSUE, flags, io, runtime(""))).toBe(1);
    expect(questions[0]).toMatch(/^Send «Тема письма» to 2 recipients via outbox\/2026-12-01-hello\/\? \[y\/N\] $/);
    expect(out.join("\n")).toMatch(/Not sent/);
    await expect(readdir(join(project.root, "outbox"))).rejects.toThrow();
    expect(await runSendCommand(ISSUE, flags, io, runtime("y"))).toBe(0);
    expect(await readdir(join(project.root, "outbox", "2026-12-01-hello"))).toHaveLength(2);
  });
});

describe("rassylka suppress (CLI)", SLOW, () => {
  it("add, list, export, and import of the export into another state file", async ({ project }) => {
    expect((await project.cli(["suppress", "add", "Gone@Example.ru", "b@example.ru", "--reason", "bounced"])).code).toBe(0);
    const bad = await project.cli(["suppress", "add", "not-an-address"]);
    expect(bad.code).toBe(1);
    const list = JSON.parse((await project.cli(["suppress", "list", "--json"])).stdout);
    expect(list.map((s: { email: string }) => s.email).sort()).toEqual(["b@example.ru", "gone@example.ru"]);
    await project.write("plain.csv", 'email,reason\nweird,"x"\n"c,d"@example.ru,unsubscribed\n');
    expect((await project.cli(["suppress", "export", "out.csv"])).code).toBe(0);
    const exported = await readFile(join(project.root, "out.csv"), "utf8");
    expect(exported.split("\n")[0]).toBe("email,reason,source,created_at");
    const imp = await project.cli(["suppress", "import", "out.csv", "--state", "other.sqlite"]);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/Imported 2 new/);
    const other = JSON.parse((await project.cli(["suppress", "list", "--json", "--state", "other.sqlite"])).stdout);
    expect(other.map((s: { email: string; reason: string }) => [s.email, s.reason]).sort()).toEqual([
      ["b@example.ru", "bounced"],
      ["gone@example.ru", "bounced"],
    ]);
    expect((await project.cli(["suppress", "remove", "b@example.ru", "--state", "other.sqlite"])).stdout).toMatch(/Removed 1/);
    // a suppressed reader is skipped by send
    await project.write("list.csv", "email\ngone@example.ru\nok@example.ru\n");
    const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 1, suppressed: 1 });
  });
});

// what a user meets at the command line
describe("rassylka send on a bad day", SLOW, () => {
  it("no password anywhere in what is printed; a password on the command line is warned about; the hint masks it", async ({ project }) => {
    const sink = await project.smtp({ greeting: { code: 421, message: "4.3.2 Service shutting down" } });
    await project.write("list.csv", list(25));
    const url = `smtp://news:PASSWORD-XYZ@127.0.0.1:${sink.port}`;
    // as text and as JSON (each with its own state), at once
    const runs = await Promise.all(
      [false, true].map((json) =>
        project.cli(smtpSend(url, "--retry-delay", "60000", ...(json ? ["--json", "--state", "json.sqlite"] : [])), {
          RASSYLKA_SECRET: SECRET,
        }),
      ),
    );
    for (const [i, r] of runs.entries()) {
      const json = i === 1;
      expect(r.code).toBe(3);
      const all = r.stdout + r.stderr;
      expect(all).not.toContain("PASSWORD-XYZ");
      expect(all).not.toContain(SECRET);
      expect(r.stderr).toMatch(/warning: the SMTP password is on the command line.*\(ps\)[\s\S]*SMTP_URL/);
      if (!json)
        expect(r.stdout).toContain(
          `re-run: rassylka send ${ISSUE} --to list.csv --transport smtp --smtp-url 'smtp://news:***@127.0.0.1:${sink.port}' --yes`,
        );
    }
    const status = await project.cli(["status", "--json"]);
    expect(status.stdout).not.toContain("PASSWORD-XYZ");
  });

  it("a wrong password is exit 1 with the fix and nobody failed; the same command with the right one delivers (exit 0)", async ({
    project,
  }) => {
    const sink = await project.smtp({ auth: { user: "news", pass: "right" } });
    await project.write("list.csv", list(3));
    const wrong = await project.cli(
      smtpSend("").filter((a) => a !== "--smtp-url" && a !== ""),
      { RASSYLKA_SECRET: SECRET, SMTP_URL: `smtp://news:wrong@127.0.0.1:${sink.port}` },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/rejected the login[\s\S]*fix: check the user name and password/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const right = await project.cli([...smtpSend("").filter((a) => a !== "--smtp-url" && a !== ""), "--json"], {
      RASSYLKA_SECRET: SECRET,
      SMTP_URL: `smtp://news:right@127.0.0.1:${sink.port}`,
    });
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ sent: 3, failed: 0 });
  });

  it("only greylisted readers left and the retry far off: exit 3 at once, how many and when to re-run", async ({ project }) => {
    const sink = await project.smtp({ behaviour: greylist(60 * 60_000) });
    await project.write("list.csv", list(2));
    const r = await project.cli(smtpSend(sink.url, "--retry-delay", "1000000"));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Nothing sent of «Тема письма»/);
    expect(r.stdout).toMatch(
      /Deferred: 2 reader\(s\) had temporary failures.*next retry is due at \d{4}-\d\d-\d\d \d\d:\d\d \(in \d+ min\)\. Run the same command again then/,
    );
  });

  it("--retry-failed sends the failed readers again; a reader suppressed since counts as suppressed, exit 0", async ({ project }) => {
    let refuse = true;
    const sink = await project.smtp({
      behaviour: (rcpt) => (refuse && rcpt !== "reader0@example.ru" ? { code: 550, message: "5.7.1 policy" } : undefined),
    });
    const listFile = await project.write("list.csv", list(3));
    // the set-up in this process, on the CLI's state file: a send that fails two readers (`send` exits 2
    // then), and one of them suppressed since (`suppress add`); --retry-failed is the built CLI
    const location: StateLocation = { kind: "sqlite", file: join(project.root, ".rassylka", "state.sqlite") };
    expect(await project.send(listFile, { stateFile: location.file })).toMatchObject({ sent: 1, failed: 2 });
    refuse = false;
    expect(await addSuppressions(location, ["reader2@example.ru"], "manual")).toBe(1);
    const r = await project.cli(smtpSend(sink.url, "--retry-failed", "--json"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ retried: 2, sent: 1, alreadySent: 1, suppressed: 1, failed: 0 });
  });

  it("SMTP_CA_FILE makes a self-signed relay trusted; SMTP_TLS_INSECURE=1 works and is warned about on every run", async ({ project }) => {
    const cert = await selfSignedCert(project.root);
    const sink = await project.smtp({ tls: cert });
    await project.write("list.csv", list(1));
    const untrusted = await project.cli(smtpSend(sink.url));
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/TLS with 127\.0\.0\.1:\d+ failed: .*self[- ]signed[\s\S]*SMTP_CA_FILE/);
    const trusted = await project.cli(smtpSend(sink.url), { RASSYLKA_SECRET: SECRET, SMTP_CA_FILE: cert.certFile });
    expect(trusted.code).toBe(0);
    expect(trusted.stderr).not.toMatch(/warning/);
    await project.write("list.csv", list(2));
    const insecure = await project.cli(smtpSend(sink.url), { RASSYLKA_SECRET: SECRET, SMTP_TLS_INSECURE: "1" });
    expect(insecure.code).toBe(0);
    expect(insecure.stderr).toMatch(/warning: the certificate of smtp:\/\/127\.0\.0\.1:\d+ is not verified/);
    expect(sink.received).toHaveLength(2);
  });

  it("a real send without unsubscribe in newsletter.yaml is refused (exit 1); --test still works", async ({ project }) => {
    await project.write("newsletter.yaml", CONFIG.replace(/unsubscribe:[\s\S]*$/, ""));
    await project.write("list.csv", list(1));
    const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes"], { RASSYLKA_SECRET: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no unsubscribe[\s\S]*fix: add `unsubscribe:/);
    expect((await project.cli(["send", ISSUE, "--test", "me@example.ru"], { RASSYLKA_SECRET: undefined })).code).toBe(0);
  });

  it("a zero-byte state file is exit 1 naming it, nothing sent; a new state file is announced", async ({ project }) => {
    await project.write("list.csv", list(1));
    const first = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes"]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/note: a new state file .*\.rassylka\/state\.sqlite/);
    const again = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes"]);
    expect(again.stderr).not.toMatch(/new state file/);
    await writeFile(join(project.root, "empty.sqlite"), "");
    const empty = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes", "--state", "empty.sqlite"]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty\.sqlite: error: the state file is empty \(0 bytes\)[\s\S]*fix: restore it from a backup/);
    expect((await readFile(join(project.root, "empty.sqlite"))).length).toBe(0);
  });

  const canMount = (() => {
    try {
      execFileSync("mount", ["--version"], { stdio: "ignore" });
      return process.getuid?.() === 0;
    } catch {
      return false;
    }
  })();
  it.skipIf(!canMount)("a full disk and a read-only folder are one-line errors, never a stack", async ({ project }) => {
    const mnt = join(project.root, "mnt");
    await mkdir(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=200k", "tmpfs", mnt]);
    try {
      await project.write(
        "list.csv",
        `email,pad\n${Array.from({ length: 3000 }, (_, i) => `r${i}@example.ru,${"x".repeat(100)}`).join("\n")}\n`,
      );
      const full = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes", "--dry-run", "--state", "mnt/state.sqlite"]);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(
        /state\.sqlite: error: the disk holding the state file is full \(SQLITE_FULL\)[\s\S]*fix: free some space/,
      );
      expect(full.stderr).not.toMatch(/\n\s+at |SqliteError/);
      execFileSync("mount", ["-o", "remount,ro", mnt]);
      const ro = await project.cli(["send", ISSUE, "--to", "list.csv", "--yes", "--state", "mnt/new/state.sqlite"]);
      expect(ro.code).toBe(1);
      expect(ro.stderr).toMatch(/error: cannot write the state file/);
      expect(ro.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
    } finally {
      execFileSync("umount", [mnt]);
    }
  });

  it("--rate prints no MaxListenersExceededWarning; reply codes are not doubled", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt) => (rcpt === "reader3@example.ru" ? { code: 550, message: "5.1.1 No such user" } : undefined),
    });
    await project.write("list.csv", list(30));
    const r = await project.cli(smtpSend(sink.url, "--rate", "100", "--concurrency", "10"));
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(r.stdout).toMatch(/reader3@example\.ru — 550 5\.1\.1 No such user/);
    expect(r.stdout).not.toMatch(/550 550/);
    const status = await project.cli(["status"]);
    expect(status.stdout).toMatch(/✗ reader3@example\.ru — 550 5\.1\.1 No such user/);
    expect(status.stdout).not.toMatch(/550 550/);
  });
});

// pacing per receiving domain from the command line
describe("--domain-rate", () => {
  it.for([
    ["mail.ru", "give DOMAIN=N"],
    ["mail.ru=0", "must be messages per second above 0, e.g. --domain-rate mail.ru=10"],
    ["*.mail.ru=5", "give DOMAIN=N"],
  ])("--domain-rate %s: exit 1 naming the flag and the fix", async ([value, words], { project }) => {
    const sink = await project.smtp();
    await project.write("list.csv", "email\na@mail.ru\n");
    const r = await project.cli([...smtpSend(sink.url, "--retry-delay", "5"), "--domain-rate", value]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--domain-rate");
    expect(r.stderr).toContain(words);
    expect(sink.received).toHaveLength(0);
  });

  it("paces the domains given, over newsletter.yaml's, and the JSON summary lists them", { timeout: 60_000 }, async ({ project }) => {
    await project.write("newsletter.yaml", `${CONFIG}sending:\n  domainRates:\n    mail.ru: 100\n    yandex.ru: 50\n`);
    const sink = await project.smtp();
    await project.write(
      "list.csv",
      `email\n${Array.from({ length: 6 }, (_, i) => `r${i}@${i % 2 ? "mail.ru" : "yandex.ru"}`).join("\n")}\n`,
    );
    const t0 = performance.now();
    const r = await project.cli([...smtpSend(sink.url, "--retry-delay", "5"), "--domain-rate", "Mail.RU=4", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.sent).toBe(6);
    expect(summary.domains).toEqual([
      { domain: "mail.ru", configured: 4, rate: 4, slowdowns: 0 },
      { domain: "yandex.ru", configured: 50, rate: 50, slowdowns: 0 },
    ]);
    // three mail.ru readers at 4/s: two intervals of 250 ms at least
    expect(performance.now() - t0).toBeGreaterThan(500);
  });
});
