import { describe, expect } from "vitest";
import { addressList } from "../../../src/send/audience.js";
import { type SendOptions, sendIssue } from "../../../src/send/send-issue.js";
import { type SmtpOptions, SmtpTransport } from "../../../src/send/transports/smtp.js";
import { openState } from "../../../src/state/db.js";
import { sqliteStore } from "../../../src/state/sqlite.js";
import { CONFIG, deadPort, ISSUE, parse, SECRET, type SendProject, selfSignedCert, sendTest } from "../helpers.js";

const it = sendTest;
const to = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.ru`).join(",");
const send = (project: SendProject, smtp: Partial<SmtpOptions>, list: string, extra: Partial<SendOptions> = {}) =>
  project.send(list, extra, smtp);
const ledgerStates = async (project: SendProject) => {
  const db = await openState(project.state);
  const rows = db.prepare("SELECT state, count(*) AS n FROM send_ledger WHERE issue = '2026-12-01-hello' GROUP BY state").all();
  db.close();
  return rows;
};

// our mistakes are not the readers' failures
describe("the sender's problems stop the run and record no reader as failed", () => {
  it.for([
    ["a wrong password (535)", { auth: { user: "news", pass: "right" } }, "news:wrong@", /rejected the login.*535/],
    ["no login where one is required (530)", { auth: { user: "news", pass: "right" } }, "", /requires authentication.*530/],
    [
      "a 554 greeting",
      { greeting: { code: 554, message: "5.7.1 No SMTP service for you" } },
      "",
      /refused the connection at its greeting.*554/,
    ],
    [
      "MAIL FROM refused",
      { mailFrom: () => ({ code: 553, message: "5.7.1 Sender address rejected: not owned by user" }) },
      "",
      /refused the sender address/,
    ],
  ] as const)(
    "%s: stopped with the reason and the fix, the list stays pending; fixed, the same send delivers",
    async ([_name, server, cred, reason], { project }) => {
      let sink = await project.smtp(server);
      const url = `smtp://${cred}127.0.0.1:${sink.port}`;
      // found by the check before the first message (a RassylkaError), or by the first message (a stopped summary)
      const r = await send(project, { url }, to(5)).catch((e) => e);
      if (r.diagnostics) {
        expect(r.diagnostics[0]).toMatchObject({ ruleId: "send/sender", message: expect.stringMatching(reason), fix: expect.any(String) });
      } else {
        expect(r).toMatchObject({
          stopped: "sender",
          sent: 0,
          failed: 0,
          pending: 5,
          pauseReason: expect.stringMatching(reason),
          fix: expect.any(String),
        });
      }
      expect(await ledgerStates(project)).toEqual([{ state: "pending", n: 5 }]);
      await sink.close();
      sink = await project.smtp({ auth: { user: "news", pass: "right" } });
      const fixed = await send(project, { url: `smtp://news:right@127.0.0.1:${sink.port}` }, to(5));
      expect(fixed).toMatchObject({ sent: 5, failed: 0, pending: 0 });
    },
  );

  it("connection refused: the reason and the fix, nobody failed", async ({ project }) => {
    const port = await deadPort();
    const error = await send(project, { url: `smtp://127.0.0.1:${port}` }, to(3)).catch((e) => e);
    expect(error.diagnostics?.[0]).toMatchObject({
      message: expect.stringMatching(/cannot connect to 127\.0\.0\.1:\d+.*ECONNREFUSED/),
      fix: expect.stringMatching(/host and port/),
    });
    expect(await ledgerStates(project)).toEqual([{ state: "pending", n: 3 }]);
  });

  it("the login rejected after the check (a password changed mid-send): stopped, readers pending, none failed", async ({ project }) => {
    // the first login (the check before the first message) passes, every later one is refused
    const sink = await project.smtp({ auth: { user: "news", pass: "right", acceptLogins: 1 } });
    const summary = await send(project, { url: `smtp://news:right@127.0.0.1:${sink.port}`, maxConnections: 1 }, to(4), { concurrency: 2 });
    expect(summary).toMatchObject({ stopped: "sender", sent: 0, failed: 0, pending: 4, fix: expect.stringMatching(/password/) });
    expect(summary.pauseReason).toMatch(/rejected the login/);
    expect(await ledgerStates(project)).toEqual([{ state: "pending", n: 4 }]);
  });

  it("the same permanent refusal for ten readers in a row (relay denied) is ours: stop, none failed", async ({ project }) => {
    let sink = await project.smtp({ behaviour: (rcpt) => ({ code: 554, message: `5.7.1 <${rcpt}>: Relay access denied` }) });
    const summary = await send(project, { url: sink.url }, to(30));
    expect(summary).toMatchObject({ stopped: "sender", sent: 0, failed: 0, pending: 30 });
    expect(summary.pauseReason).toMatch(/same refusal for 10 different readers in a row.*Relay access denied/);
    expect(await ledgerStates(project)).toEqual([{ state: "pending", n: 30 }]);
    // fewer in a row than that are the readers' own
    await sink.close();
    sink = await project.smtp({ behaviour: (rcpt) => (/r[0-3]@/.test(rcpt) ? { code: 550, message: "5.1.1 no such user" } : undefined) });
    const next = await send(project, { url: sink.url }, to(30));
    expect(next).toMatchObject({ sent: 26, failed: 4, pending: 0 });
  });
});

// TLS that users can fix
describe("STARTTLS with a self-signed certificate", () => {
  it("is a certificate problem with the fix, then works with SMTP_CA_FILE's PEM, or with verification off", async ({ project }) => {
    const cert = await selfSignedCert(project.root);
    const sink = await project.smtp({ tls: cert, auth: { user: "news", pass: "s3cret" } });
    const url = `smtp://news:s3cret@127.0.0.1:${sink.port}`;
    const error = await send(project, { url }, to(2)).catch((e) => e);
    expect(error.diagnostics?.[0]).toMatchObject({
      message: expect.stringMatching(/TLS with 127\.0\.0\.1:\d+ failed: .*self[- ]signed certificate/),
      fix: expect.stringMatching(/SMTP_CA_FILE.*NODE_EXTRA_CA_CERTS.*SMTP_TLS_INSECURE=1/),
    });
    expect(await ledgerStates(project)).toEqual([{ state: "pending", n: 2 }]);

    const trusted = await send(project, { url, ca: cert.cert }, to(2));
    expect(trusted).toMatchObject({ sent: 2, failed: 0 });
    const insecure = await send(project, { url, allowInvalidCertificates: true }, "third@example.ru");
    expect(insecure).toMatchObject({ sent: 1 });
    expect(sink.received).toHaveLength(3);
  });
});

// the envelope sender
describe("returnPath", () => {
  it("sets MAIL FROM; the From header stays the newsletter's", async ({ project }) => {
    await project.write("newsletter.yaml", `${CONFIG}returnPath: bounces@prodazhi.example.ru\n`);
    const sink = await project.smtp();
    await send(project, { url: sink.url }, "anna@example.ru");
    // VERP, bounces+<token>@ (and the token in X-Rassylka-Bounce)
    expect(sink.received[0].from).toMatch(/^bounces\+[0-9a-f]{24}@prodazhi\.example\.ru$/);
    const mail = await parse(sink.received[0].raw);
    expect(mail.headers.get("x-rassylka-bounce")).toBe(/\+([0-9a-f]{24})@/.exec(sink.received[0].from)![1]);
    expect(mail.from?.value[0].address).toBe("rassylka@prodazhi.example.ru");
  });

  it("without it, MAIL FROM is from.email", async ({ project }) => {
    const sink = await project.smtp();
    await send(project, { url: sink.url }, "anna@example.ru");
    expect(sink.received[0].from).toBe("rassylka@prodazhi.example.ru");
  });
});

// one reader, one identity
describe("international addresses", () => {
  it("both spellings of a domain are one reader: one copy, and suppressing one spelling stops the other", async ({ project }) => {
    const sink = await project.smtp();
    const summary = await send(project, { url: sink.url }, "user@пример.рф,user@xn--e1afmkfd.xn--p1ai,anna@münchen.de");
    expect(summary).toMatchObject({ sent: 2, duplicates: 1 });
    expect(sink.received).toHaveLength(2);
    const db = await openState(project.state);
    await sqliteStore(db).suppressions.add("anna@xn--mnchen-3ya.de", "unsubscribed");
    db.close();
    await send(project, { url: sink.url }, "anna@MÜNCHEN.de", { mode: "test" }).catch(() => {});
    const again = await sendIssue({
      root: project.root,
      issue: ISSUE,
      stateFile: project.state,
      audience: addressList("anna@münchen.de"),
      transport: new SmtpTransport({ url: sink.url }),
      env: { RASSYLKA_SECRET: SECRET },
      allowChanged: true,
    });
    expect(again).toMatchObject({ sent: 0 });
  });

  it("a non-ASCII mailbox goes out as written, with SMTPUTF8", async ({ project }) => {
    const sink = await project.smtp();
    const summary = await send(project, { url: sink.url }, "почта@пример.рф");
    expect(summary.sent).toBe(1);
    expect(sink.received[0].to).toEqual(["почта@пример.рф"]);
  });
});
