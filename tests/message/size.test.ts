import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { buildMessage, messageContext, subscriberFor, toMailOptions } from "../../src/message/message.js";
import { encodedMessageSize, formatKb, sizeLevel } from "../../src/message/size.js";

const base = `name: Как увеличить объёмы продаж
from:
  name: Редакция
  email: news@prodazhi.example.ru
`;
const withUnsubscribe = `${base}unsubscribe:
  url: https://prodazhi.example.ru/unsubscribe
  mailto: unsubscribe@prodazhi.example.ru
`;
const config = (text: string) => parseConfig(text).config!;
const body = { subject: "Тема выпуска", html: `<p>${"Привет, ".repeat(200)}</p>`, text: "Привет, ".repeat(200) };

describe("encodedMessageSize", () => {
  it("counts the List-* headers a real send adds (List-Id, List-Unsubscribe with a token, one-click)", async () => {
    const without = await encodedMessageSize(config(base), body);
    const withHeaders = await encodedMessageSize(config(withUnsubscribe), body);
    // a token is ~70 characters, the mailto and the one-click header more than that again
    expect(withHeaders - without).toBeGreaterThan(200);
  });

  it("matches the size of the message the send step builds, within the Message-ID and Date", async () => {
    const cfg = config(withUnsubscribe);
    const ctx = messageContext(cfg, "issue", body.subject, "a-real-secret-of-some-length-123456");
    const recipient = { address: "reader@example.org", key: "reader@example.org", fields: {}, messageId: "x@prodazhi.example.ru" };
    const message = buildMessage(ctx, recipient, subscriberFor(ctx, recipient), { html: body.html, text: body.text });
    const MailComposer = (await import("nodemailer/lib/mail-composer")).default;
    const sent: Buffer = await new MailComposer(toMailOptions(message)).compile().build();
    const estimate = await encodedMessageSize(cfg, body);
    expect(Math.abs(sent.length - estimate)).toBeLessThan(120);
  });

  it("measures the encoding, not the string: Cyrillic is inflated on the wire", async () => {
    const cyrillic = "Ж".repeat(10_000);
    const bytes = await encodedMessageSize(config(base), { subject: "s", html: `<p>${cyrillic}</p>`, text: cyrillic });
    expect(bytes).toBeGreaterThan(2 * Buffer.byteLength(cyrillic));
  });

  it("levels and labels", () => {
    expect(sizeLevel(50 * 1024)).toBe("ok");
    expect(sizeLevel(90 * 1024)).toBe("warning");
    expect(sizeLevel(103 * 1024)).toBe("error");
    expect(formatKb(41 * 1024 + 307)).toBe("41,3 КБ");
  });
});
