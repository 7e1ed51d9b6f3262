import { generateKeyPairSync } from "node:crypto";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { describe, expect } from "vitest";
import { verifyUnsubscribeToken } from "../../src/identity/token.js";
import { dkimFromEnv } from "../../src/message/message.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue as runSend } from "../../src/send/send-issue.js";
import type { Transport } from "../../src/send/transport.js";
import { DryRunTransport } from "../../src/send/transports/dry-run.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { openState } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import { HELLO, header, ISSUE, parse, SECRET, sendTest } from "./helpers.js";

const LIST_ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";

const it = sendTest;

describe("send over SMTP", () => {
  it("delivers each reader once with List-* headers, a fixed Message-ID and personal content", async ({ project }) => {
    const sink = await project.smtp();
    const csv = await project.write("list.csv", "email,name,city\nanna@example.ru,Анна,Краснодар\nboris@example.ru,Борис,Сочи\n");
    const summary = await project.send(csv);
    expect(summary).toMatchObject({ total: 2, sent: 2, failed: 0, pending: 0, mode: "send", transport: sink.url });
    expect(sink.received.map((r) => r.to[0]).sort()).toEqual(["anna@example.ru", "boris@example.ru"]);

    const anna = sink.received.find((r) => r.to[0] === "anna@example.ru")!;
    // List-* headers asserted on the raw header lines (unfolded)
    expect(header(anna.raw, "List-Id")).toHaveLength(1);
    expect(header(anna.raw, "List-Id")[0]).toMatch(new RegExp(`^=\\?UTF-8\\?B\\?[^<]+<${LIST_ID.replace(/\./g, "\\.")}>$`));
    expect(header(anna.raw, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
    const lu = header(anna.raw, "List-Unsubscribe");
    expect(lu).toHaveLength(1);
    const m =
      /^<(https:\/\/prodazhi\.example\.ru\/rassylka\/unsubscribe\?token=([A-Za-z0-9_.-]+))>, <mailto:unsubscribe\+u-[0-9a-f]{24}@prodazhi\.example\.ru\?subject=unsubscribe>$/.exec(
        lu[0],
      );
    expect(m).not.toBeNull();
    expect(verifyUnsubscribeToken(m![2], LIST_ID, SECRET)).toBe("anna@example.ru");

    const mail = await parse(anna.raw);
    expect(mail.subject).toBe("Тема письма");
    expect(mail.from?.value[0]).toMatchObject({ address: "rassylka@prodazhi.example.ru", name: "Тренинговый центр «Практика продаж»" });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined).toMatchObject({ address: "anna@example.ru", name: "Анна" });
    expect(mail.replyTo?.value[0].address).toBe("avtor@prodazhi.example.ru");
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}\.2026-12-01-hello@prodazhi\.example\.ru>$/);
    expect(mail.html).toContain("Здравствуйте, Анна!");
    expect(mail.html).toContain("Краснодар");
    expect(mail.text).toContain("Здравствуйте, Анна!");
    // the footer's {{subscriber.unsubscribeUrl}} is the reader's own link
    expect(mail.html).toContain(m![1].replace(/=/g, "&#x3D;"));

    // Message-ID is a function of (issue, recipient): the ledger holds the same one
    const db = await openState(project.state);
    const ids = db
      .prepare("SELECT email, message_id, state, attempts FROM send_ledger WHERE issue = '2026-12-01-hello' ORDER BY email")
      .all();
    db.close();
    expect(ids).toEqual([
      { email: "anna@example.ru", message_id: mail.messageId!.slice(1, -1), state: "sent", attempts: 1 },
      expect.objectContaining({ email: "boris@example.ru", state: "sent" }),
    ]);
  });

  it("re-running the same send sends nobody twice", async ({ project }) => {
    const sink = await project.smtp();
    const csv = await project.write("list.csv", "email\na@example.ru\nb@example.ru\n");
    await project.send(csv);
    const again = await project.send(csv);
    expect(again).toMatchObject({ sent: 0, alreadySent: 2, pending: 0 });
    expect(sink.received).toHaveLength(2);
  });

  it("a CR/LF in a subscriber value never adds a header, and values are HTML-escaped", async ({ project }) => {
    const sink = await project.smtp();
    const csv = await project.write(
      "evil.csv",
      'email,name,city\nevil@example.ru,"Ева\r\nBcc: victim@example.ru\r\nX-Injected: yes","<script>alert(1)</script> & ""Ко"""\n',
    );
    const summary = await project.send(csv);
    expect(summary.sent).toBe(1);
    const raw = sink.received[0].raw;
    const head = raw.toString().split("\r\n\r\n")[0];
    expect(head).not.toMatch(/^Bcc:/im);
    expect(head).not.toMatch(/^X-Injected:/im);
    expect(sink.received[0].to).toEqual(["evil@example.ru"]);
    const mail = await parse(raw);
    expect(mail.headers.has("x-injected")).toBe(false);
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ко&quot;");
    expect(mail.html).not.toContain("<script>alert(1)</script>");
  });

  it("retries 421 and 451 with backoff, reusing the Message-ID, then delivers", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt, n) => {
        if (rcpt === "slow@example.ru" && n === 1) return { code: 421, message: "Try again later" };
        if (rcpt === "slow@example.ru" && n === 2) return { code: 451, message: "Greylisted" };
        return undefined;
      },
    });
    const summary = await project.send("slow@example.ru,fast@example.ru");
    expect(summary).toMatchObject({ sent: 2, failed: 0, pending: 0 });
    expect(sink.attempts.get("slow@example.ru")).toBe(3);
    expect(sink.received.filter((r) => r.to[0] === "slow@example.ru")).toHaveLength(1);
    const db = await openState(project.state);
    expect(db.prepare("SELECT attempts, last_code, state FROM send_ledger WHERE email = 'slow@example.ru'").get()).toEqual({
      attempts: 3,
      last_code: 250,
      state: "sent",
    });
    db.close();
  });

  it("records a 550 for one address as a permanent failure with the server's text, and the rest go out", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt) => (rcpt === "gone@example.ru" ? { code: 550, message: "No such user here" } : undefined),
    });
    const summary = await project.send("a@example.ru,gone@example.ru,b@example.ru");
    expect(summary).toMatchObject({ sent: 2, failed: 1, pending: 0 });
    expect(summary.failures).toEqual([
      expect.objectContaining({ email: "gone@example.ru", code: 550, message: expect.stringContaining("No such user here") }),
    ]);
    expect(sink.attempts.get("gone@example.ru")).toBe(1);
  });

  it("a connection dropped mid-DATA is retried with the same Message-ID", async ({ project }) => {
    const sink = await project.smtp({ behaviour: (rcpt, n) => (rcpt === "drop@example.ru" && n === 1 ? "drop" : undefined) });
    const summary = await project.send("drop@example.ru,ok@example.ru");
    expect(summary).toMatchObject({ sent: 2, failed: 0, pending: 0 });
    expect(sink.dropped).toHaveLength(1);
    const delivered = sink.received.find((r) => r.to[0] === "drop@example.ru")!;
    const id = header(delivered.raw, "Message-ID")[0];
    expect(id).toBeTruthy();
    expect(sink.dropped[0].replace(/\r?\n[ \t]+/g, " ")).toContain(`Message-ID: ${id}`);
    expect(sink.attempts.get("drop@example.ru")).toBe(2);
  });

  it("pauses after 20 transient failures in a row when the server is down, then resumes", async ({ project }) => {
    // a server answering 421 at every connection is down, not refusing us (that would be 554)
    const down = await project.smtp({ greeting: { code: 421, message: "4.3.2 Service shutting down" } });
    const port = down.port;
    const to = Array.from({ length: 30 }, (_, i) => `r${i}@example.ru`).join(",");
    const paused = await project.send(to, { retryDelay: 60_000 });
    await down.close();
    expect(paused.stopped).toBe("paused");
    expect(paused.sent).toBe(0);
    expect(paused.pending).toBe(30);
    expect(paused.pauseReason).toMatch(/421/);

    const sink = await project.smtp({ port });
    // the deferred readers are due only in a minute: a resume retries them now
    const db = await openState(project.state);
    db.prepare("UPDATE send_ledger SET next_at = 0").run();
    db.close();
    const resumed = await project.send(to);
    expect(resumed).toMatchObject({ sent: 30, failed: 0, pending: 0 });
    expect(new Set(sink.received.map((r) => r.to[0])).size).toBe(30);
  });

  it("gives up after --max-attempts temporary failures", async ({ project }) => {
    const sink = await project.smtp({
      behaviour: (rcpt) => (rcpt === "busy@example.ru" ? { code: 452, message: "Mailbox busy" } : undefined),
    });
    const summary = await project.send("busy@example.ru,ok@example.ru", { maxAttempts: 3 });
    expect(summary).toMatchObject({ sent: 1, failed: 1, pending: 0 });
    expect(summary.failures[0]).toMatchObject({
      email: "busy@example.ru",
      code: 452,
      message: expect.stringMatching(/gave up after 3 attempts.*Mailbox busy/),
    });
    expect(sink.attempts.get("busy@example.ru")).toBe(3);
  });

  it("never sends to a suppressed address (checked when each reader is claimed)", async ({ project }) => {
    const sink = await project.smtp();
    const db = await openState(project.state);
    await sqliteStore(db).suppressions.add("Unsub@Example.ru", "unsubscribed");
    db.close();
    const summary = await project.send("a@example.ru,unsub@example.ru,b@example.ru");
    expect(summary).toMatchObject({ sent: 2, suppressed: 1, pending: 0, failed: 0 });
    expect(sink.received.map((r) => r.to[0]).sort()).toEqual(["a@example.ru", "b@example.ru"]);
  });

  it("signs with DKIM covering List-Unsubscribe and List-Unsubscribe-Post; mailauth verifies it", async ({ project }) => {
    const sink = await project.smtp();
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const dkim = dkimFromEnv({ DKIM_DOMAIN: "prodazhi.example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY: pem })!;
    const summary = await runSend({
      root: project.root,
      issue: ISSUE,
      stateFile: project.state,
      audience: addressList("anna@example.ru"),
      // on the SMTP thread, as the CLI sends: the only test of a DKIM key handed to the thread
      transport: new SmtpTransport({ url: sink.url, dkim }),
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(summary.sent).toBe(1);
    const raw = sink.received[0].raw;
    const sig = header(raw, "DKIM-Signature")[0];
    const h = /\bh=([^;]+)/.exec(sig.replace(/\s+/g, ""))![1].toLowerCase().split(":");
    expect(h).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "subject", "message-id"]));
    const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const resolver = async (name: string, type: string) => {
      if (name === "mail._domainkey.prodazhi.example.ru" && type === "TXT") return [[`v=DKIM1; k=rsa; p=${spki}`]];
      throw Object.assign(new Error(`no ${type} for ${name}`), { code: "ENOTFOUND" });
    };
    const result = await dkimVerify(raw, { resolver });
    expect(result.results[0].status.result).toBe("pass");
    // a changed List-Unsubscribe breaks the signature
    const tampered = Buffer.from(raw.toString().replace("subject=unsubscribe", "subject=other"));
    expect((await dkimVerify(tampered, { resolver })).results[0].status.result).not.toBe("pass");
  });

  it("refuses to continue when the issue changed since the send started, unless allowChanged", async ({ project }) => {
    const sink = await project.smtp();
    await project.send("a@example.ru");
    await project.write(ISSUE, HELLO.replace("Текст выпуска.", "Исправленный текст."));
    await expect(project.send("a@example.ru,b@example.ru")).rejects.toThrow(/changed since its send started[\s\S]*--allow-changed/);
    expect(sink.received).toHaveLength(1);
    const summary = await project.send("a@example.ru,b@example.ru", { allowChanged: true });
    expect(summary).toMatchObject({ sent: 1, alreadySent: 1 });
    expect((await parse(sink.received[1].raw)).text).toContain("Исправленный текст.");
  });

  it("test copies get [TEST] and are not counted as the send; a dry run delivers nothing", async ({ project }) => {
    const sink = await project.smtp();
    const t = await project.send("editor@example.ru", { mode: "test" });
    expect(t).toMatchObject({ mode: "test", sent: 1 });
    expect((await parse(sink.received[0].raw)).subject).toBe("[TEST] Тема письма");
    // the dry-run transport, as the CLI chooses it for --dry-run
    const dry = await project.send("a@example.ru,b@example.ru", { mode: "dry-run", transport: new DryRunTransport(sink.url) });
    expect(dry).toMatchObject({ mode: "dry-run", sent: 2 });
    expect(sink.received).toHaveLength(1);
    const real = await project.send("editor@example.ru,a@example.ru");
    expect(real).toMatchObject({ sent: 2, alreadySent: 0 });
    const db = await openState(project.state);
    const ledger = sqliteStore(db).ledger;
    expect(await ledger.counts("2026-12-01-hello")).toMatchObject({ total: 2, sent: 2 });
    expect((await ledger.issues()).map((r) => r.issue)).toEqual(["2026-12-01-hello"]);
    db.close();
  });

  it("stops on abort: no new claims, in-flight messages finish and are recorded, the rest stay pending", async ({ project }) => {
    const sink = await project.smtp({ dataDelayMs: 30 });
    const controller = new AbortController();
    const to = Array.from({ length: 20 }, (_, i) => `r${i}@example.ru`).join(",");
    let aborted = false;
    const summary = await project.send(to, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent >= 3 && !aborted) {
          aborted = true;
          controller.abort();
        }
      },
    });
    expect(summary.stopped).toBe("signal");
    expect(summary.pending).toBe(20 - summary.sent);
    expect(summary.sent).toBeGreaterThanOrEqual(3);
    expect(summary.sent).toBeLessThanOrEqual(5);
    expect(sink.received).toHaveLength(summary.sent);
    const db = await openState(project.state);
    expect(db.prepare("SELECT count(*) AS n FROM send_ledger WHERE state = 'in_flight'").get()).toEqual({ n: 0 });
    db.close();
  });

  it("readers claimed but still waiting for the rate limit when the run stops go back to pending, untouched", async ({ project }) => {
    const controller = new AbortController();
    const sent: string[] = [];
    const recording: Transport = {
      name: "recording",
      description: "recording",
      async send(m) {
        sent.push(m.to);
        controller.abort();
        return { status: "sent" };
      },
      async close() {},
    };
    const to = "a@example.ru,b@example.ru,c@example.ru,d@example.ru";
    const summary = await project.send(to, { rate: 1, concurrency: 4, transport: recording, signal: controller.signal });
    expect(summary).toMatchObject({ stopped: "signal", sent: 1, pending: 3 });
    expect(sent).toEqual(["a@example.ru"]);
    const db = await openState(project.state);
    expect(db.prepare("SELECT state, attempts, count(*) AS n FROM send_ledger GROUP BY state, attempts ORDER BY state").all()).toEqual([
      { state: "pending", attempts: 0, n: 3 },
      { state: "sent", attempts: 1, n: 1 },
    ]);
    db.close();
  });

  it("a draft is refused except for test copies; a missing RASSYLKA_SECRET is an error before anything is sent", async ({ project }) => {
    const sink = await project.smtp();
    await expect(
      runSend({
        root: project.root,
        issue: "issues/2026-12-03-draft.md",
        stateFile: project.state,
        audience: addressList("a@example.ru"),
        transport: new SmtpTransport({ url: sink.url, thread: false }),
        env: { RASSYLKA_SECRET: SECRET },
      }),
    ).rejects.toThrow(/draft/);
    const t = await runSend({
      root: project.root,
      issue: "issues/2026-12-03-draft.md",
      mode: "test",
      stateFile: project.state,
      audience: addressList("ed@example.ru"),
      transport: new SmtpTransport({ url: sink.url, thread: false }),
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(t.sent).toBe(1);
    await expect(
      runSend({
        root: project.root,
        issue: ISSUE,
        stateFile: project.state,
        audience: addressList("a@example.ru"),
        transport: new SmtpTransport({ url: sink.url, thread: false }),
        env: {},
      }),
    ).rejects.toThrow(/RASSYLKA_SECRET is not set/);
    expect(sink.received).toHaveLength(1);
  });

  it("the rate limit spaces the hand-overs to the transport", async ({ project }) => {
    const calls: number[] = [];
    const recording: Transport = {
      name: "recording",
      description: "recording",
      async send() {
        calls.push(performance.now());
        return { status: "sent" };
      },
      async close() {},
    };
    const started = performance.now();
    const summary = await project.send("a@example.ru,b@example.ru,c@example.ru,d@example.ru", {
      rate: 20,
      concurrency: 4,
      transport: recording,
    });
    expect(summary.sent).toBe(4);
    // 20 per second: one slot every 50 ms from the first, whatever the concurrency. A slot is when a reader
    // may go; the hand-over comes a little after it, by however long the loaded machine takes to get there,
    // so each is measured from before the send began (no hand-over can precede its slot) and the four
    // together must still span most of the three intervals (without the limit they come at once)
    for (let i = 1; i < 4; i++) expect(calls[i] - started).toBeGreaterThanOrEqual(i * 50);
    expect(calls[3] - calls[0]).toBeGreaterThanOrEqual(100);
  });
});
