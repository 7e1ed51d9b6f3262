import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { dkimFromEnv, listHeaders, messageContext, messageIdFor, oneLine } from "../../src/message/message.js";
import { classifySmtpError, parseSmtpUrl } from "../../src/send/transports/smtp.js";
import { CONFIG, SECRET } from "../send/helpers.js";

const config = parseConfig(CONFIG).config!;

describe("message headers", () => {
  it("Message-ID depends on issue and reader only", () => {
    const a = messageIdFor("list", "issue-1", "a@x.ru", "news@example.ru");
    expect(a).toBe(messageIdFor("list", "issue-1", "a@x.ru", "news@example.ru"));
    expect(a).not.toBe(messageIdFor("list", "issue-2", "a@x.ru", "news@example.ru"));
    expect(a).not.toBe(messageIdFor("list", "issue-1", "b@x.ru", "news@example.ru"));
    expect(a).toMatch(/^[0-9a-f]{32}\.issue-1@example\.ru$/);
  });

  it("mailto only: List-Unsubscribe without List-Unsubscribe-Post (one-click needs an https URL)", () => {
    const cfg = parseConfig(CONFIG.replace("  url: https://prodazhi.example.ru/rassylka/unsubscribe\n", "")).config!;
    const h = listHeaders(messageContext(cfg, "s", "subj"), "a@x.ru");
    expect(h["List-Unsubscribe"]).toBe("<mailto:unsubscribe@prodazhi.example.ru?subject=unsubscribe>");
    expect(h["List-Unsubscribe-Post"]).toBeUndefined();
  });

  it("URL and mailto: both, with the one-click header; all values ASCII", () => {
    const h = listHeaders(messageContext(config, "s", "subj", SECRET), "A@X.ru");
    expect(h["List-Unsubscribe"]).toMatch(
      /^<https:\/\/prodazhi\.example\.ru\/rassylka\/unsubscribe\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}>, <mailto:/,
    );
    expect(h["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    for (const v of Object.values(h)) expect(v).toMatch(/^[\x20-\x7e]+$/);
  });

  it("oneLine removes CR, LF and other control characters", () => {
    expect(oneLine("a\r\nBcc: x@y.ru\u0000\u2028b")).toBe("a Bcc: x@y.ru b");
  });
});

describe("DKIM and SMTP settings from the environment", () => {
  it("all or nothing, and the key never appears in an error", () => {
    expect(dkimFromEnv({})).toBeUndefined();
    expect(() => dkimFromEnv({ DKIM_DOMAIN: "example.ru" })).toThrow(/half configured/);
    const secretish = "-----BEGIN NOT A KEY----- s3cr3t";
    let message = "";
    try {
      dkimFromEnv({ DKIM_DOMAIN: "example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY: secretish });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/not a PEM private key/);
    expect(message).not.toContain("s3cr3t");
    expect(() => dkimFromEnv({ DKIM_DOMAIN: "example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY_FILE: "/nonexistent/key.pem" })).toThrow(
      /cannot read DKIM_PRIVATE_KEY_FILE/,
    );
  });

  it("parses SMTP URLs and describes them without the password", () => {
    const p = parseSmtpUrl("smtps://user%40x:p%40ss@mail.example.ru");
    expect(p).toMatchObject({ host: "mail.example.ru", port: 465, secure: true, auth: { user: "user@x", pass: "p@ss" } });
    expect(p.description).toBe("smtps://mail.example.ru:465");
    expect(parseSmtpUrl("smtp://mail.example.ru").port).toBe(587);
    expect(() => parseSmtpUrl("http://x")).toThrow(/smtp:\/\/ or smtps:\/\//);
  });

  it("classifies SMTP errors: 4xx and network errors retry, 5xx never", () => {
    expect(classifySmtpError({ responseCode: 451, response: "451 later" }).status).toBe("transient");
    expect(classifySmtpError({ responseCode: 550, response: "550 no" }).status).toBe("permanent");
    expect(classifySmtpError({ code: "ECONNECTION", message: "Connection closed" }).status).toBe("transient");
    expect(classifySmtpError({ code: "ETIMEDOUT", message: "Timeout" }).status).toBe("transient");
  });
});
