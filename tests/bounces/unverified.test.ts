// With VERP on, a bounce or complaint acts only when it proves it saw our message (a valid token, or the
// reader's keyed Message-ID): a forged report naming a reader used to suppress that reader. The bounces
// commands through the built CLI, on both state backends; the send that makes the message and the read-back
// of the suppression list are set-up and check, in this process.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { messageIdFor } from "../../src/message/message.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { type CliDone, header, SECRET, type SendProject, stateFlag, warmSendTest } from "../send/helpers.js";
import { backends } from "../state/backends.js";

// the hello issue compiled once for the file: the tests are about bounces, not the compile
const it = warmSendTest;
const SLUG = "2026-12-01-hello";
const READER = "anna@example.ru";

/**
 * A real send to one reader over SMTP (an outbox send is a trial, not in the ledger bounces read), in this
 * process as `send --to READER --transport smtp` makes it (src/send/send-issue.ts); the message as sent.
 */
const sendOne = async (project: SendProject, location: StateLocation) => {
  const sink = project.sink ?? (await project.smtp());
  expect(await project.send(READER, { stateFile: stateFlag(location)[1] })).toMatchObject({ sent: 1 });
  return sink.received[sink.received.length - 1].raw;
};
const json = (d: CliDone) => {
  expect(d.code, d.stderr).toBe(0);
  return JSON.parse(d.stdout);
};
/** The suppression list, read in this process (what `suppress list --json` prints). */
const suppressed = async (location: StateLocation) => {
  const store = await openStore(location);
  try {
    return await store.suppressions.list();
  } finally {
    await store.close();
  }
};

/** An ARF report as a feedback loop sends it (Mail.ru's carries the original's headers), quoting `headers`. */
const arf = (id: string, rcpt: string, headers: string) => `From: FBL <fbl@feedback.example.net>
To: abuse@prodazhi.example.ru
Subject: Complaint
Date: Thu, 03 Dec 2026 15:00:00 +0300
Message-ID: <${id}@feedback.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b"

--b
Content-Type: text/plain

This is an email abuse report.

--b
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: FBL/1.0
Version: 1
Original-Rcpt-To: ${rcpt}

--b
Content-Type: text/rfc822-headers

${headers}

--b--
`;

describe.each(backends())("bounces that prove nothing ($name)", (backend) => {
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  it("a forged complaint is kept as unverified (listed, nobody suppressed) until imported with --trust-unverified; Message-IDs are keyed with the secret", async ({
    project,
  }) => {
    const { root } = project;
    const location = await backend.fresh();
    const cli = (args: string[]) => project.cli([...args, ...stateFlag(location)]);
    const raw = await sendOne(project, location);
    // the Message-ID is keyed with the secret: not the one anyone can compute from the list, issue and address
    const { config } = await loadConfig(root);
    const [messageId] = header(raw, "Message-ID");
    expect(messageId).toBe(`<${messageIdFor(newsletterId(config), SLUG, READER, config.from.email, SECRET)}>`);
    expect(messageId).not.toBe(`<${messageIdFor(newsletterId(config), SLUG, READER, config.from.email)}>`);

    // forged: names the reader, guesses the unkeyed Message-ID, no token
    const guessed = `<${messageIdFor(newsletterId(config), SLUG, READER, config.from.email)}>`;
    await writeFile(join(root, "forged.eml"), arf("forged", READER, `From: ${config.from.email}\nTo: ${READER}\nMessage-ID: ${guessed}`));
    const forged = await cli(["bounces", "import", "forged.eml", "--json"]);
    expect(json(forged).counts).toMatchObject({ messages: 1, complained: 0, unverified: 1, suppressed: 0 });
    expect(await suppressed(location)).toEqual([]);
    const text = await cli(["bounces", "import", "forged.eml"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("already imported 1");

    // two reads of what the imports left, at once
    const [unverified, verified] = await Promise.all([cli(["bounces", "list", "--unverified"]), cli(["bounces", "list"])]);
    expect(unverified.code, unverified.stderr).toBe(0);
    expect(unverified.stdout.trim().split("\t")).toEqual([
      expect.stringMatching(/^2026-12-03T12:00:00/),
      SLUG,
      READER,
      "complaint",
      "abuse",
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout.trim()).toBe("No bounces recorded.");

    // trusted: applied once
    const trusted = json(await cli(["bounces", "import", "forged.eml", "--trust-unverified", "--json"]));
    expect(trusted.counts).toMatchObject({ complained: 1, unverified: 0, suppressed: 1 });
    expect(await suppressed(location)).toEqual([expect.objectContaining({ email: READER, reason: "complained" })]);
    expect((await cli(["bounces", "list", "--unverified"])).stdout.trim()).toBe("No unverified bounces.");
  }, 120_000);

  it("a feedback-loop report quoting our Message-ID and X-Rassylka-Bounce (Mail.ru's format) suppresses the reader without --trust-unverified", async ({
    project,
  }) => {
    const location = await backend.fresh();
    const cli = (args: string[]) => project.cli([...args, ...stateFlag(location)]);
    const raw = await sendOne(project, location);
    const quoted = ["From", "To", "Subject", "Message-ID", "X-Rassylka-Bounce"]
      .flatMap((h) => header(raw, h).map((v) => `${h}: ${v}`))
      .join("\n");
    // the feedback loop hides the recipient; our headers name the reader
    await writeFile(join(project.root, "fbl.eml"), arf("fbl", "[redacted]", quoted));
    const r = json(await cli(["bounces", "import", "fbl.eml", "--json"]));
    expect(r.counts).toMatchObject({ complained: 1, unverified: 0, suppressed: 1 });
    expect(["token", "message-id"]).toContain(r.messages[0].recipients[0].via);
    const first = await cli(["bounces", "import", "fbl.eml"]);
    expect(first.stderr).not.toContain("bounces/unverified");
  }, 120_000);
});

describe("the unverified hint", () => {
  it("says how many were kept, where to see them and how to apply them, in the editor's language", async ({ project }) => {
    const location: StateLocation = { kind: "sqlite", file: join(project.root, "state.sqlite") };
    await sendOne(project, location);
    await writeFile(join(project.root, "forged.eml"), arf("forged-2", READER, `From: x@prodazhi.example.ru\nTo: ${READER}`));
    const ru = await project.cli(["bounces", "import", "forged.eml", ...stateFlag(location)], { RASSYLKA_LANG: "ru" });
    expect(ru.code, ru.stderr).toBe(0);
    expect(ru.stderr).toContain("bounces/unverified");
    expect(ru.stderr).toContain("1 отказ называет читателя");
    expect(ru.stderr).toContain("rassylka bounces import --trust-unverified");
    expect(ru.stdout).toContain("неподтверждённых 1");
  }, 60_000);
});
