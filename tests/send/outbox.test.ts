import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addressList } from "../../src/send/audience.js";
import { sendIssue as runSend, type SendOptions } from "../../src/send/send-issue.js";
import { OutboxTransport, outboxFileName } from "../../src/send/transports/outbox.js";
import { CONFIG, header, ISSUE, parse, SECRET, type SendProject, sendTest } from "./helpers.js";

const outbox = (project: SendProject, slug = "2026-12-01-hello") => join(project.root, "outbox", slug);
/** The hello issue to `to` through the outbox, the state in its default place (.rassylka/state.sqlite). */
const sendTo = (project: SendProject, to: string, extra: Partial<SendOptions> = {}) =>
  runSend({
    root: project.root,
    issue: ISSUE,
    audience: addressList(to),
    transport: ({ slug }) => new OutboxTransport({ dir: outbox(project, slug) }),
    env: { RASSYLKA_SECRET: SECRET },
    ...extra,
  });

describe("outbox transport", () => {
  sendTest("writes one complete .eml per reader into outbox/<slug>/, nothing half-written", async ({ project }) => {
    const summary = await sendTo(project, "anna@example.ru,Boris@Example.ru");
    expect(summary).toMatchObject({ sent: 2, failed: 0, pending: 0, transport: join(project.root, "outbox", "2026-12-01-hello") });
    const files = (await readdir(outbox(project))).sort();
    expect(files).toEqual(["anna@example.ru.eml", "boris@example.ru.eml"]);
    const raw = await readFile(join(outbox(project), "anna@example.ru.eml"));
    expect(raw.toString()).toContain("\r\n"); // CRLF, as on the wire
    expect(header(raw, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
    expect(header(raw, "List-Unsubscribe")[0]).toMatch(/^<https:\/\/prodazhi\.example\.ru\/rassylka\/unsubscribe\?token=[^>]+>, <mailto:/);
    const mail = await parse(raw);
    expect(mail.subject).toBe("Тема письма");
    expect(mail.html).toContain("Здравствуйте!");
    expect(mail.text).toContain("Текст выпуска.");
    // the default state file sits under the root
    expect(await readdir(join(project.root, ".rassylka"))).toContain("state.sqlite");
  });

  sendTest("a send to the outbox is a trial: a second run writes every reader again, none counted as already sent", async ({ project }) => {
    expect(await sendTo(project, "anna@example.ru")).toMatchObject({ trial: true, sent: 1 });
    const again = await sendTo(project, "anna@example.ru,vera@example.ru");
    expect(again).toMatchObject({ trial: true, sent: 2, alreadySent: 0 });
    expect((await readdir(outbox(project))).sort()).toEqual(["anna@example.ru.eml", "vera@example.ru.eml"]);
  });

  sendTest("without unsubscribe.url no RASSYLKA_SECRET is needed: mailto only, no one-click header", async ({ project }) => {
    await project.write("newsletter.yaml", CONFIG.replace("  url: https://prodazhi.example.ru/rassylka/unsubscribe\n", ""));
    // mailto only is refused for bulk mail unless the send says so (--allow-no-one-click)
    const summary = await sendTo(project, "anna@example.ru", { allow: { noOneClick: true }, env: {} });
    expect(summary.sent).toBe(1);
    const raw = await readFile(join(outbox(project), "anna@example.ru.eml"));
    expect(header(raw, "List-Unsubscribe")).toEqual(["<mailto:unsubscribe@prodazhi.example.ru?subject=unsubscribe>"]);
    expect(header(raw, "List-Unsubscribe-Post")).toEqual([]);
  });

  it("file names are safe for any address", () => {
    expect(outboxFileName("Anna@Example.ru")).toBe("anna@example.ru.eml");
    expect(outboxFileName("o'brien/..@example.ru")).toMatch(/^o_brien_\.\.@example\.ru-[0-9a-f]{16}\.eml$/);
    expect(outboxFileName("почта@пример.рф")).not.toContain("/");
  });

  it("two addresses sharing their first 120 characters get two files", () => {
    const long = `${"a".repeat(120)}`;
    const one = outboxFileName(`${long}x@example.ru`);
    const two = outboxFileName(`${long}y@example.ru`);
    expect(one).not.toBe(two);
    expect(one.length).toBeLessThan(160);
  });
});

describe("returnPath in the outbox", () => {
  sendTest("is the Return-Path of every .eml", async ({ project }) => {
    await project.write("newsletter.yaml", `${CONFIG}returnPath: bounces@prodazhi.example.ru\n`);
    await sendTo(project, "anna@example.ru");
    const raw = await readFile(join(outbox(project), "anna@example.ru.eml"));
    // the reader's own bounce address (VERP), the same token in X-Rassylka-Bounce
    const [returnPath] = header(raw, "Return-Path");
    expect(returnPath).toMatch(/^<bounces\+[0-9a-f]{24}@prodazhi\.example\.ru>$/);
    expect(header(raw, "X-Rassylka-Bounce")).toEqual([/\+([0-9a-f]{24})@/.exec(returnPath)![1]]);
    expect((await parse(raw)).from?.value[0].address).toBe("rassylka@prodazhi.example.ru");
  });
});
