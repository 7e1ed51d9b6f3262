import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CANARY_LINK, readerKey, verifyClickToken } from "../../src/identity/click-token.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue } from "../../src/send/send-issue.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import { openStore } from "../../src/state/store.js";
import { CONFIG, ISSUE, makeProject, parse, SECRET, type Sink, startSmtp } from "./helpers.js";

const LIST_ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const BASE = "https://prodazhi.example.ru/rassylka";

const LINKS = (front = "") => `---
title: Ссылки
date: 2026-12-01
${front}---
Здравствуйте, {{subscriber.name}}! Читайте [статью](https://prodazhi.example.ru/stati/debitorka?a=1&b=2) и [ещё раз её же](https://prodazhi.example.ru/stati/debitorka?a=1&b=2).

Не считать: [прайс](https://prodazhi.example.ru/prais){data-no-track}, <a href="https://prodazhi.example.ru/karta" data-no-track>карта</a>,
[почта](mailto:avtor@prodazhi.example.ru), [телефон](tel:+78612000000).
`;

let root: string;
let cleanup: () => Promise<void>;
let sink: Sink | undefined;

beforeEach(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}tracking:\n  clicks: true\n`));
});
afterEach(async () => {
  await sink?.close();
  sink = undefined;
  await cleanup();
});

async function sendTo(addresses: string, issueText: string, state = "state.sqlite") {
  await writeFile(join(root, ISSUE), issueText);
  sink ??= await startSmtp();
  const summary = await sendIssue({
    root,
    issue: ISSUE,
    stateFile: join(root, state),
    audience: addressList(addresses),
    transport: new SmtpTransport({ url: sink.url, maxConnections: 1, thread: false }),
    concurrency: 1,
    env: { RASSYLKA_SECRET: SECRET },
  });
  expect(summary).toMatchObject({ sent: addresses.split(",").length, failed: 0 });
  return sink.received.splice(0);
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
}

const tokenOf = (url: string) => url.slice(`${BASE}/c/`.length);

describe("click tracking at send time", () => {
  it("each reader's links become signed <url>/c/<token>; unsubscribe, mailto:, tel: and data-no-track links stay", async () => {
    const [anna, boris] = (await sendTo("anna@example.ru,boris@example.ru", LINKS())).sort((a, b) => a.to[0].localeCompare(b.to[0]));
    const mail = await parse(anna.raw);
    const links = hrefs(String(mail.html));
    const tracked = links.filter((h) => h.startsWith(`${BASE}/c/`));
    const claims = tracked.map((h) => verifyClickToken(tokenOf(h), LIST_ID, SECRET));
    expect(claims.every((c) => c?.slug === "2026-12-01-hello" && c.reader === readerKey(LIST_ID, "anna@example.ru"))).toBe(true);
    // the canary (invisible) and the two article links, each occurrence its own number
    expect(claims.map((c) => c?.link)).toEqual(expect.arrayContaining([CANARY_LINK, 1, 2]));
    expect(links).not.toContain("https://prodazhi.example.ru/stati/debitorka?a=1&b=2");
    expect(links).toEqual(
      expect.arrayContaining([
        "https://prodazhi.example.ru/prais",
        "https://prodazhi.example.ru/karta",
        "mailto:avtor@prodazhi.example.ru",
        "tel:+78612000000",
      ]),
    );
    expect(links.some((h) => h.startsWith(`${BASE}/unsubscribe?token`))).toBe(true);
    expect(mail.html).not.toContain("{data-no-track}");
    // the text part's links are tracked too, with the HTML's numbers
    const textLinks = [...String(mail.text).matchAll(/https?:\/\/[^\s\])]+/g)].map((m) => m[0]);
    const textClaim = textLinks.filter((u) => u.startsWith(`${BASE}/c/`)).map((u) => verifyClickToken(tokenOf(u), LIST_ID, SECRET));
    expect(textClaim.length).toBeGreaterThan(0);
    expect(textClaim.every((c) => c !== undefined && c.link > 0)).toBe(true);
    expect(String(mail.text)).not.toContain("https://prodazhi.example.ru/stati/debitorka");

    // another reader: other tokens, the same static rest
    const other = hrefs(String((await parse(boris.raw)).html)).filter((h) => h.startsWith(`${BASE}/c/`));
    expect(other).toHaveLength(tracked.length);
    expect(verifyClickToken(tokenOf(other[0]), LIST_ID, SECRET)?.reader).toBe(readerKey(LIST_ID, "boris@example.ru"));
    // the issue's links are in the store: what a token's number may lead to
    const store = await openStore({ kind: "sqlite", file: join(root, "state.sqlite") });
    try {
      const kept = await store.clicks.links("2026-12-01-hello");
      // each occurrence its own number (the click map tells them apart), the layout's links too
      expect(kept.filter((l) => l.url === "https://prodazhi.example.ru/stati/debitorka?a=1&b=2")).toHaveLength(2);
      expect(kept.map((l) => l.link)).toEqual(kept.map((_, i) => i + 1));
      expect(kept.map((l) => l.url)).not.toContain("https://prodazhi.example.ru/prais");
    } finally {
      await store.close();
    }
    // a token signed for another newsletter on the same secret is refused
    expect(verifyClickToken(tokenOf(tracked[0]), "another.example.org", SECRET)).toBeUndefined();
  });

  it("tracking off (in newsletter.yaml, or `tracking: false` in the issue) leaves the message exactly as without tracking", async () => {
    const withoutDate = (raw: Buffer) =>
      raw
        .toString("latin1")
        .replace(/^Date: .*\r\n/m, "")
        .replace(/_NmP-[0-9a-f]+-Part/g, "_NmP-B-Part");
    await writeFile(join(root, "newsletter.yaml"), CONFIG);
    const [plain] = await sendTo("anna@example.ru", LINKS(), "a.sqlite");
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG}tracking:\n  clicks: false\n  opens: false\n`);
    const [off] = await sendTo("anna@example.ru", LINKS(), "b.sqlite");
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG}tracking:\n  clicks: true\n  opens: true\n`);
    const [offInIssue] = await sendTo("anna@example.ru", LINKS("tracking: false\n"), "c.sqlite");
    const [offInIssueKeys] = await sendTo("anna@example.ru", LINKS("tracking:\n  clicks: false\n  opens: false\n"), "d.sqlite");
    expect(withoutDate(plain.raw)).not.toContain("/c/");
    expect(withoutDate(off.raw)).toBe(withoutDate(plain.raw));
    // the front-matter differs, so the content hash does not matter here: the bytes do
    expect(withoutDate(offInIssue.raw)).toBe(withoutDate(plain.raw));
    expect(withoutDate(offInIssueKeys.raw)).toBe(withoutDate(plain.raw));
  });

  it("opens only: each reader's message gets its own 1×1 image before </body>; the links stay as they are, no canary", async () => {
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG}tracking:\n  opens: true\n`);
    const [anna, boris] = (await sendTo("anna@example.ru,boris@example.ru", LINKS())).sort((a, b) => a.to[0].localeCompare(b.to[0]));
    const pixels = await Promise.all(
      [anna, boris].map(async (m) => {
        const html = String((await parse(m.raw)).html);
        expect(hrefs(html).some((h) => h.includes("/c/"))).toBe(false);
        expect(hrefs(html)).toContain("https://prodazhi.example.ru/stati/debitorka?a=1&b=2");
        const img = /<img src="([^"]*)" width="1" height="1" alt=""[^>]*>\s*<\/body>/.exec(html);
        expect(img).not.toBeNull();
        return img?.[1] ?? "";
      }),
    );
    const claims = pixels.map((u) => verifyClickToken(u.slice(`${BASE}/o/`.length, -".gif".length), LIST_ID, SECRET, "open"));
    expect(claims.map((c) => c?.reader)).toEqual([readerKey(LIST_ID, "anna@example.ru"), readerKey(LIST_ID, "boris@example.ru")]);
    expect(claims.every((c) => c?.slug === "2026-12-01-hello" && c.trial === false)).toBe(true);
  });

  it("tracking on without the newsletter's url is refused before anything is sent", async () => {
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG.replace(/^url: .*\n/m, "")}tracking:\n  clicks: true\n`);
    await writeFile(join(root, ISSUE), LINKS());
    sink = await startSmtp();
    await expect(
      sendIssue({
        root,
        issue: ISSUE,
        stateFile: join(root, "state.sqlite"),
        audience: addressList("anna@example.ru"),
        transport: new SmtpTransport({ url: sink.url, maxConnections: 1, thread: false }),
        env: { RASSYLKA_SECRET: SECRET },
      }),
    ).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ ruleId: "tracking/no-url", field: "url" })] });
    expect(sink.received).toHaveLength(0);
  });
});
