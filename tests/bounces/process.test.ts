import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseBounce } from "../../src/bounces/parse.js";
import { addToCounts, BounceProcessor, emptyCounts, type MessageOutcome } from "../../src/bounces/process.js";
import { bounceToken } from "../../src/identity/verp.js";
import { messageIdFor } from "../../src/message/message.js";
import { type LedgerRecord, openStore, type RunRecord, type Store } from "../../src/state/store.js";
import { backends, sql } from "../state/backends.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/bounces");
const SECRET = "bounce-tests-secret-0123456789abcdef";
const LIST = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const ISSUES = ["2026-11-10-a", "2026-11-24-b", "2026-12-01-c"];
const READERS = ["anna@example.org", "boris@example.com", "vera@example.com", "dmitry@example.com", "gleb@example.net"];
/** The Message-ID a send with the secret gives the reader (keyed: src/identity/verp.ts messageIdTag). */
const messageId = (issue: string, email: string) => messageIdFor(LIST, issue, email, "rassylka@prodazhi.example.ru", SECRET);

/** A ledger as a send leaves it: every reader sent every issue, one issue a fortnight apart. */
async function seed(store: Store): Promise<void> {
  const runs: RunRecord[] = ISSUES.map((issue, i) => ({
    issue,
    content_hash: `h${i}`,
    subject: "Тема",
    run_id: 1,
    total: READERS.length,
    invalid: 0,
    duplicates: 0,
    started_at: `2026-1${1 + Math.floor(i / 2)}-0${i + 1}T09:00:00.000Z`,
    updated_at: `2026-1${1 + Math.floor(i / 2)}-0${i + 1}T09:10:00.000Z`,
  }));
  await store.insertMissing("send_runs", runs);
  const rows: LedgerRecord[] = ISSUES.flatMap((issue, i) =>
    READERS.map((email) => ({
      issue,
      email,
      address: email,
      fields: "{}",
      line: 2,
      run_id: 1,
      state: "sent",
      attempts: 1,
      last_code: 250,
      last_response: "250 OK",
      message_id: messageId(issue, email),
      provider_id: null,
      next_at: 0,
      resent: 0,
      created_at: runs[i].started_at,
      updated_at: runs[i].updated_at,
      sent_at: runs[i].updated_at,
    })),
  );
  await store.insertMissing("send_ledger", rows);
}

async function fixture(name: string, issue: string, email: string, guess = "guess@prodazhi.example.ru"): Promise<Buffer> {
  const text = await readFile(join(FIXTURES, name), "utf8");
  return Buffer.from(
    text
      .replaceAll("@@TOKEN@@", bounceToken(SECRET, LIST, issue, email))
      .replaceAll("@@MSGID@@", messageId(issue, email))
      .replaceAll("@@ISSUE@@", issue)
      .replaceAll("@@GUESS@@", guess),
  );
}

describe("parseBounce: what each fixture is", () => {
  it.each([
    ["dsn-hard.eml", "dsn", "hard", "5.1.1"],
    ["dsn-mailbox-full.eml", "dsn", "soft", "5.2.2"],
    ["dsn-delayed.eml", "not-bounce", undefined, undefined],
    ["dsn-stranger.eml", "dsn", "hard", "5.1.1"],
    ["arf-abuse.eml", "arf", "complaint", "abuse"],
    ["arf-message-id.eml", "arf", "complaint", "abuse"],
    ["qmail-failure.eml", "nonstandard", "hard", "5.1.1"],
    ["exim-failure.eml", "nonstandard", "hard", undefined],
    ["vacation.eml", "not-bounce", undefined, undefined],
    ["out-of-office.eml", "not-bounce", undefined, undefined],
  ] as const)("%s: %s %s %s", async (name, type, kind, status) => {
    const parsed = await parseBounce(await fixture(name, ISSUES[2], "anna@example.org"));
    expect(parsed.type).toBe(type);
    if (kind) expect(parsed.recipients).toEqual([expect.objectContaining({ kind, status })]);
    else expect(parsed.recipients).toEqual([]);
  });

  it("reads the DSN's recipient, diagnostic (continuation lines unfolded), the tokens and the original Message-ID", async () => {
    const parsed = await parseBounce(await fixture("dsn-hard.eml", ISSUES[2], "anna@example.org"));
    expect(parsed.recipients[0].recipient).toBe("anna@example.org");
    expect(parsed.recipients[0].diagnostic).toBe(
      "550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in local recipient table",
    );
    expect(parsed.tokens).toEqual([bounceToken(SECRET, LIST, ISSUES[2], "anna@example.org")]);
    expect(parsed.originalMessageId).toBe(`<${messageId(ISSUES[2], "anna@example.org")}>`);
    expect(parsed.key).toBe("mid:<20261201071500.dsn1@mx.example.org>");
    expect(parsed.date).toBe("2026-12-01T07:15:00.000Z");
  });

  it("says why a message is not a bounce", async () => {
    expect((await parseBounce(await fixture("vacation.eml", ISSUES[2], "anna@example.org"))).why).toMatch(/^auto-reply \(Auto-Submitted/);
    expect((await parseBounce(await fixture("out-of-office.eml", ISSUES[2], "anna@example.org"))).why).toBe("auto-reply (x-autoreply)");
    expect((await parseBounce(await fixture("dsn-delayed.eml", ISSUES[2], "anna@example.org"))).why).toBe(
      "delivery notification (delayed)",
    );
  });

  it("a message without a Message-ID is keyed by a hash of its bytes", async () => {
    const raw = Buffer.from((await fixture("qmail-failure.eml", ISSUES[2], "x@y.z")).toString().replace(/^Message-ID:.*\n/m, ""));
    expect((await parseBounce(raw)).key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe.each(backends())("bounces on $name", (backend) => {
  let store: Store;
  let processor: BounceProcessor;
  beforeAll(() => backend.start(), 120_000);
  afterAll(async () => {
    await store?.close();
    await backend.stop();
  });
  beforeEach(async () => {
    await store?.close();
    store = await openStore(await backend.fresh());
    await seed(store);
    processor = new BounceProcessor({ store, listId: LIST, secret: SECRET, softLimit: 3 });
  });

  const run = async (name: string, issue: string, email: string, p = processor): Promise<MessageOutcome> =>
    p.process(await fixture(name, issue, email), name);

  it("a hard DSN suppresses its reader (reason bounced, the status and date) and marks the issue; once only", async () => {
    const outcome = await run("dsn-hard.eml", ISSUES[2], "anna@example.org");
    expect(outcome.recipients).toEqual([
      expect.objectContaining({
        kind: "hard",
        status: "5.1.1",
        email: "anna@example.org",
        issue: ISSUES[2],
        via: "token",
        suppressed: true,
      }),
    ]);
    const [s] = await store.suppressions.list();
    expect(s).toMatchObject({ email: "anna@example.org", reason: "bounced", source: `bounce 5.1.1 2026-12-01, issue ${ISSUES[2]}` });
    expect(await store.bounces.counts(ISSUES[2])).toEqual({ bounced: 1, softBounced: 0, complained: 0 });
    expect(await store.bounces.counts(ISSUES[1])).toEqual({ bounced: 0, softBounced: 0, complained: 0 });

    const again = await run("dsn-hard.eml", ISSUES[2], "anna@example.org");
    expect(again.duplicate).toBe(true);
    const counts = emptyCounts();
    addToCounts(counts, outcome);
    addToCounts(counts, again);
    expect(counts).toMatchObject({ messages: 2, hard: 1, duplicates: 1, suppressed: 1 });
    expect((await store.bounces.list(ISSUES[2])).map((b) => [b.email, b.kind, b.messages])).toEqual([["anna@example.org", "hard", 1]]);
  });

  it("the token alone names the reader: the same DSN in another issue's token goes to that issue", async () => {
    const outcome = await run("dsn-hard.eml", ISSUES[0], "anna@example.org");
    expect(outcome.recipients[0]).toMatchObject({ issue: ISSUES[0], via: "token" });
  });

  it("without the secret, the original Message-ID names the reader", async () => {
    const p = new BounceProcessor({ store, listId: LIST, softLimit: 3 });
    const outcome = await run("dsn-hard.eml", ISSUES[1], "anna@example.org", p);
    expect(outcome.recipients[0]).toMatchObject({ email: "anna@example.org", issue: ISSUES[1], via: "message-id" });
  });

  it("an ARF complaint with the recipient redacted is attributed by the quoted X-Rassylka-Bounce and suppresses (complained)", async () => {
    const outcome = await run("arf-abuse.eml", ISSUES[2], "boris@example.com");
    expect(outcome.type).toBe("arf");
    expect(outcome.recipients[0]).toMatchObject({ kind: "complaint", email: "boris@example.com", via: "token", suppressed: true });
    const [s] = await store.suppressions.list();
    expect(s).toMatchObject({ email: "boris@example.com", reason: "complained", source: `complaint abuse 2026-12-03, issue ${ISSUES[2]}` });
    expect(await store.bounces.counts(ISSUES[2])).toEqual({ bounced: 0, softBounced: 0, complained: 1 });
  });

  it("an ARF complaint quoting only the Message-ID is attributed by it", async () => {
    const outcome = await run("arf-message-id.eml", ISSUES[1], "vera@example.com");
    expect(outcome.recipients[0]).toMatchObject({ kind: "complaint", email: "vera@example.com", issue: ISSUES[1], via: "message-id" });
  });

  it("non-standard bounces: qmail's by the address it names (latest issue sent; without proof: unverified), Exim's by the token", async () => {
    const qmail = await run("qmail-failure.eml", ISSUES[0], "vera@example.com");
    expect(qmail.recipients[0]).toMatchObject({
      kind: "hard",
      email: "vera@example.com",
      issue: ISSUES[2],
      via: "recipient",
      suppressed: false,
      unverified: true,
    });
    const trusting = new BounceProcessor({ store, listId: LIST, secret: SECRET, softLimit: 3, trustUnverified: true });
    expect((await run("qmail-failure.eml", ISSUES[0], "vera@example.com", trusting)).recipients[0]).toMatchObject({
      email: "vera@example.com",
      via: "recipient",
      suppressed: true,
    });
    const exim = await run("exim-failure.eml", ISSUES[1], "dmitry@example.com");
    expect(exim.recipients[0]).toMatchObject({
      kind: "hard",
      email: "dmitry@example.com",
      issue: ISSUES[1],
      via: "token",
      suppressed: true,
    });
  });

  it("auto-replies and delay warnings are not bounces: counted, nothing changes", async () => {
    const counts = emptyCounts();
    for (const name of ["vacation.eml", "out-of-office.eml", "dsn-delayed.eml"])
      addToCounts(counts, await run(name, ISSUES[2], "anna@example.org"));
    expect(counts).toMatchObject({ messages: 3, notBounce: 3, hard: 0, soft: 0, suppressed: 0 });
    expect(await store.suppressions.count()).toBe(0);
    expect(await store.bounces.list()).toEqual([]);
  });

  it("a bounce for an address no ledger knows is unattributed and changes nothing", async () => {
    const counts = emptyCounts();
    addToCounts(counts, await run("dsn-stranger.eml", ISSUES[2], "nobody@example.org"));
    expect(counts).toMatchObject({ unattributed: 1, hard: 0 });
    expect(await store.suppressions.count()).toBe(0);
  });

  it("soft bounces are counted per issue and suppress only after softLimit issues in a row", async () => {
    const first = await run("dsn-mailbox-full.eml", ISSUES[0], "gleb@example.net");
    const second = await run("dsn-mailbox-full.eml", ISSUES[1], "gleb@example.net");
    expect([first, second].map((o) => o.recipients[0])).toEqual([
      expect.objectContaining({ kind: "soft", status: "5.2.2", issue: ISSUES[0], suppressed: false }),
      expect.objectContaining({ kind: "soft", issue: ISSUES[1], suppressed: false }),
    ]);
    expect(await store.suppressions.has("gleb@example.net")).toBe(false);
    expect(await store.bounces.counts(ISSUES[1])).toEqual({ bounced: 0, softBounced: 1, complained: 0 });
    const third = await run("dsn-mailbox-full.eml", ISSUES[2], "gleb@example.net");
    expect(third.recipients[0]).toMatchObject({ kind: "soft", suppressed: true });
    const [s] = await store.suppressions.list();
    expect(s).toMatchObject({ reason: "bounced", source: `soft bounces in 3 issues in a row, last 5.2.2 2026-12-02, issue ${ISSUES[2]}` });
  });

  it("soft bounces with a delivered issue between them do not add up", async () => {
    await run("dsn-mailbox-full.eml", ISSUES[0], "gleb@example.net");
    await run("dsn-mailbox-full.eml", ISSUES[2], "gleb@example.net");
    expect(await store.suppressions.has("gleb@example.net")).toBe(false);
    const strict = new BounceProcessor({ store, listId: LIST, secret: SECRET, softLimit: 1 });
    const raw = Buffer.from((await fixture("dsn-mailbox-full.eml", ISSUES[1], "gleb@example.net")).toString().replace("full-", "again-"));
    expect((await strict.process(raw, "x")).recipients[0]).toMatchObject({ suppressed: true });
  });

  it("a forged complaint naming a reader, with no token and a guessed Message-ID, is kept as unverified: nobody suppressed, nothing counted", async () => {
    const outcome = await run("arf-forged.eml", ISSUES[2], "boris@example.com");
    expect(outcome.recipients).toEqual([
      expect.objectContaining({ kind: "complaint", email: "boris@example.com", via: "recipient", suppressed: false, unverified: true }),
    ]);
    const counts = emptyCounts();
    addToCounts(counts, outcome);
    expect(counts).toMatchObject({ complained: 0, unverified: 1, suppressed: 0 });
    expect(await store.suppressions.count()).toBe(0);
    expect(await store.bounces.counts(ISSUES[2])).toEqual({ bounced: 0, softBounced: 0, complained: 0 });
    expect(await store.bounces.listUnverified()).toEqual([
      expect.objectContaining({
        message_key: "mid:<forged-1@attacker.example.net>",
        issue: ISSUES[2],
        email: "boris@example.com",
        kind: "complaint",
      }),
    ]);
    // importing it again without trust changes nothing
    expect((await run("arf-forged.eml", ISSUES[2], "boris@example.com")).duplicate).toBe(true);
  });

  it("a Message-ID computed without the secret (as they were before, or as anyone can) does not verify, even when the ledger holds it", async () => {
    const unkeyed = messageIdFor(LIST, ISSUES[2], "vera@example.com", "rassylka@prodazhi.example.ru");
    expect(unkeyed).not.toBe(messageId(ISSUES[2], "vera@example.com"));
    // a ledger row written before Message-IDs were keyed
    await sql(store, `UPDATE send_ledger SET message_id = '${unkeyed}' WHERE issue = '${ISSUES[2]}' AND email = 'vera@example.com'`);
    const raw = (await fixture("arf-message-id.eml", ISSUES[2], "vera@example.com"))
      .toString()
      .replace(messageId(ISSUES[2], "vera@example.com"), unkeyed);
    const outcome = await processor.process(Buffer.from(raw), "x");
    expect(outcome.recipients[0]).toMatchObject({ email: "vera@example.com", via: "message-id", unverified: true, suppressed: false });
    expect(await store.suppressions.has("vera@example.com")).toBe(false);
  });

  it("--trust-unverified applies what an earlier import kept as unverified, once", async () => {
    await run("arf-forged.eml", ISSUES[2], "boris@example.com");
    const trusting = new BounceProcessor({ store, listId: LIST, secret: SECRET, softLimit: 3, trustUnverified: true });
    const applied = await run("arf-forged.eml", ISSUES[2], "boris@example.com", trusting);
    expect(applied.duplicate).toBe(false);
    expect(applied.recipients[0]).toMatchObject({ kind: "complaint", email: "boris@example.com", suppressed: true });
    expect(applied.recipients[0].unverified).toBeUndefined();
    expect(await store.suppressions.has("boris@example.com")).toBe(true);
    expect(await store.bounces.counts(ISSUES[2])).toEqual({ bounced: 0, softBounced: 0, complained: 1 });
    expect(await store.bounces.listUnverified()).toEqual([]);
    expect((await run("arf-forged.eml", ISSUES[2], "boris@example.com", trusting)).duplicate).toBe(true);
  });

  it("with bounces.verp off, a bounce naming a reader acts as it did (nothing can be verified without tokens)", async () => {
    const noVerp = new BounceProcessor({ store, listId: LIST, secret: SECRET, softLimit: 3, verp: false });
    const outcome = await run("arf-forged.eml", ISSUES[2], "boris@example.com", noVerp);
    expect(outcome.recipients[0]).toMatchObject({ email: "boris@example.com", suppressed: true });
  });

  it("state copy moves the bounce tables, the unverified ones too", async () => {
    await run("dsn-hard.eml", ISSUES[2], "anna@example.org");
    await run("arf-forged.eml", ISSUES[2], "boris@example.com");
    const kept: unknown[] = [];
    for await (const batch of store.rows("unverified_bounces")) kept.push(...batch);
    expect(kept).toEqual([expect.objectContaining({ issue: ISSUES[2], email: "boris@example.com", kind: "complaint", status: "abuse" })]);
    const rows: unknown[] = [];
    for await (const batch of store.rows("bounces")) rows.push(...batch);
    expect(rows).toEqual([
      expect.objectContaining({ issue: ISSUES[2], email: "anna@example.org", kind: "hard", status: "5.1.1", messages: 1 }),
    ]);
    const keys: unknown[] = [];
    for await (const batch of store.rows("bounce_messages")) keys.push(...batch);
    expect(keys).toEqual([
      expect.objectContaining({ message_key: "mid:<20261201071500.dsn1@mx.example.org>", result: "hard" }),
      expect.objectContaining({ message_key: "mid:<forged-1@attacker.example.net>", result: "unverified" }),
    ]);
  });
});
