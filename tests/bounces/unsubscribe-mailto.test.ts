// Unsubscribe by mail through the real inbound path: the built CLI sends through a real Postfix, a reader's
// mail client writes to the List-Unsubscribe mailto it got, Postfix delivers that into the bounce mailbox,
// and `bounces fetch` reads it over a real Dovecot's IMAP (tests/helpers/postfix.ts, tests/helpers/dovecot.ts).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rassylka } from "../helpers/cli.js";
import { type Dovecot, startDovecot } from "../helpers/dovecot.js";
import { type Postfix, startPostfix } from "../helpers/postfix.js";
import { CONFIG, HELLO, ISSUE, makeProject, SECRET } from "../send/helpers.js";

const READER = "reader@prodazhi.example.ru";
const SECOND = "second@prodazhi.example.ru";
const NEXT = "issues/2026-12-08-again.md";

let root: string;
let cleanup: () => Promise<void>;
let postfix: Postfix;
let dovecot: Dovecot | undefined;

const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = await rassylka(args, root, {
    PATH: process.env.PATH,
    RASSYLKA_LANG: "en",
    RASSYLKA_SECRET: SECRET,
    SMTP_URL: `smtp://127.0.0.1:${postfix.port}`,
    ...env,
  });
  return { code: r.code, stdout: r.out, stderr: r.err };
};

const json = (r: { stdout: string; stderr: string }) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON:\n${r.stdout}\n${r.stderr}`);
  }
};

/** The mailto address of a delivered message's List-Unsubscribe, as the reader's mailbox shows it. */
async function mailtoOf(file: string): Promise<string> {
  const header = (await simpleParser(await readFile(file))).headerLines.find((l) => l.key === "list-unsubscribe")!.line;
  return /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(header.replace(/\s+/g, ""))![1];
}

/** What the reader's mail client sends when the reader presses "unsubscribe" on a mailto List-Unsubscribe. */
async function mailFromReader(to: string, from = READER): Promise<void> {
  const smtp = nodemailer.createTransport({ host: "127.0.0.1", port: postfix.port, secure: false, ignoreTLS: true });
  await smtp.sendMail({ from, to, subject: "unsubscribe", text: "Please unsubscribe me." });
  smtp.close();
}

describe("unsubscribe by mail through Postfix, Dovecot and `bounces fetch`", () => {
  beforeAll(async () => {
    postfix = await startPostfix();
    ({ root, cleanup } = await makeProject(`${CONFIG}returnPath: bounces@prodazhi.example.ru\n`));
    await writeFile(join(root, NEXT), HELLO.replace("date: 2026-12-01", "date: 2026-12-08").replace("Тема письма", "Вторая тема"));
  }, 120_000);
  afterAll(async () => {
    await dovecot?.stop();
    await postfix?.stop();
    await cleanup?.();
  });

  it("the reader's mail to their own List-Unsubscribe address unsubscribes exactly them; a forged token nobody; the next issue skips them", async () => {
    const sent = await cli(["send", ISSUE, "--to", `${READER},${SECOND}`, "--transport", "smtp", "--yes", "--json"]);
    expect(sent.code, sent.stderr).toBe(0);
    const [delivered] = await postfix.waitForMail(1, 60_000, postfix.readerMaildir);
    await postfix.waitForMail(1, 60_000, postfix.secondMaildir);

    const address = await mailtoOf(delivered);
    expect(address).toMatch(/^unsubscribe\+u-[0-9a-f]{24}@prodazhi\.example\.ru$/);

    // the reader writes from an alias (the token, not the From, names them); someone else tries an altered token
    await mailFromReader(address, "alias-of-reader@example.org");
    const token = address.slice("unsubscribe+u-".length, "unsubscribe+u-".length + 24);
    const altered = `${token.slice(0, 23)}${token[23] === "a" ? "b" : "a"}`;
    await mailFromReader(`unsubscribe+u-${altered}@prodazhi.example.ru`, SECOND);
    await postfix.waitForMail(2);

    dovecot = await startDovecot(postfix.maildir);
    const fetched = await cli(["bounces", "fetch", "--json"], { BOUNCES_IMAP_URL: dovecot.url });
    expect(fetched.code, fetched.stderr).toBe(0);
    const report = json(fetched);
    expect(report.counts).toMatchObject({ messages: 2, unsubscribed: 1, unattributed: 1, suppressed: 1, hard: 0, notBounce: 0 });
    expect(report.messages.flatMap((m: { recipients: unknown[] }) => m.recipients)).toEqual(
      expect.arrayContaining([
        { kind: "unsubscribe", email: READER, issue: "2026-12-01-hello", via: "token", suppressed: true },
        { kind: "unsubscribe", suppressed: false },
      ]),
    );
    // both handled: moved out of the inbox
    expect(report.mailbox).toMatchObject({ moved: 2, left: 0 });

    const list = json(await cli(["suppress", "list", "--json"]));
    expect(list).toEqual([expect.objectContaining({ email: READER, reason: "unsubscribed", source: "mailto" })]);

    // the next issue goes to the second reader only
    const next = await cli(["send", NEXT, "--to", `${READER},${SECOND}`, "--transport", "smtp", "--yes", "--json"]);
    expect(next.code, next.stderr).toBe(0);
    expect(json(next)).toMatchObject({ sent: 1, suppressed: 1 });
    await postfix.waitForMail(2, 60_000, postfix.secondMaildir);
  }, 240_000);

  it("the text report says who was unsubscribed by mail, in the reader's language", async () => {
    // the second reader now unsubscribes too, from the first issue's message
    const [first] = (await postfix.waitForMail(1, 60_000, postfix.secondMaildir)).sort();
    await mailFromReader(await mailtoOf(first), SECOND);
    await postfix.waitForMail(1);
    const r = await cli(["bounces", "fetch"], { BOUNCES_IMAP_URL: dovecot!.url, RASSYLKA_LANG: "ru" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`отписка письмом: читатель ${SECOND} (выпуск 2026-12-01-hello) отписан`);
    expect(r.stdout).toContain("1 читатель отписался письмом.");
  }, 120_000);
});
