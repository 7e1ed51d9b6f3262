import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { bounceToken } from "../../src/identity/verp.js";
import { oneLine } from "../../src/message/header-value.js";
import { dkimFromEnv, listHeaders, messageContext, messageIdFor } from "../../src/message/message.js";
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

  it("with the secret, the mailto is the reader's own: <local>+u-<issue tag><reader tag>@<domain>, fixed per (issue, reader)", () => {
    const ctx = messageContext(config, "2026-12-01-hello", "subj", SECRET);
    const mailtoOf = (email: string, c = ctx) =>
      /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(listHeaders(c, email)["List-Unsubscribe"])![1];
    const anna = mailtoOf("anna@example.ru");
    expect(anna).toMatch(/^unsubscribe\+u-[0-9a-f]{24}@prodazhi\.example\.ru$/);
    expect(mailtoOf("Anna@Example.RU")).toBe(anna);
    expect(mailtoOf("boris@example.ru")).not.toBe(anna);
    const next = mailtoOf("anna@example.ru", messageContext(config, "2026-12-08-next", "subj", SECRET));
    expect(next).not.toBe(anna);
    // the 8 characters are the VERP token's; the reader's 16 are not (a label of their own)
    expect(next.slice(14, 22)).not.toBe(anna.slice(14, 22));
    expect(anna).not.toContain(bounceToken(SECRET, ctx.listId, "2026-12-01-hello", "anna@example.ru"));
    expect(mailtoOf("anna@example.ru", messageContext(config, "2026-12-01-hello", "subj", "another-secret-0123456789"))).not.toBe(anna);
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

  it("a DKIM key that cannot sign stops the send, naming the variable, never the key", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const good = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(dkimFromEnv({ DKIM_DOMAIN: "example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY: good })).toMatchObject({
      keySelector: "mail",
    });
    // PEM armour around a damaged body: it looks like a key, nodemailer would send unsigned
    const lines = good.trim().split("\n");
    const damaged = [lines[0], "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAs3cr3tD4m4g3d", lines.at(-1)].join("\n");
    let error: { message: string; diagnostics?: { message: string; fix?: string }[] } | undefined;
    try {
      dkimFromEnv({ DKIM_DOMAIN: "example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY: damaged });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.diagnostics?.[0]).toMatchObject({
      message: expect.stringMatching(/^DKIM_PRIVATE_KEY: the DKIM private key cannot sign/),
    });
    expect(error?.message).not.toContain("s3cr3t");
    expect(error?.diagnostics?.[0].fix).toContain("mail._domainkey.example.ru");
  });

  it("sender-side SMTP errors are the sender's, not the reader's", () => {
    expect(classifySmtpError({ code: "EAUTH", responseCode: 535, response: "535 5.7.8 bad" }).status).toBe("sender");
    expect(
      classifySmtpError({ code: "EENVELOPE", responseCode: 530, response: "530 5.7.0 Authentication required", command: "MAIL FROM" })
        .status,
    ).toBe("sender");
    expect(classifySmtpError({ code: "EPROTOCOL", responseCode: 554, response: "554 go away", command: "CONN" }).status).toBe("sender");
    expect(classifySmtpError({ code: "EPROTOCOL", responseCode: 421, response: "421 busy", command: "CONN" }).status).toBe("transient");
    expect(classifySmtpError({ code: "ESOCKET", originalCode: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:25" }).status).toBe(
      "sender",
    );
    expect(
      classifySmtpError({ code: "ETLS", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed certificate" }).status,
    ).toBe("sender");
    // a 4xx to RCPT TO is about that reader (greylisting): it does not count towards a pause
    expect(classifySmtpError({ code: "EENVELOPE", responseCode: 451, response: "451 4.7.1 Greylisted", command: "RCPT TO" })).toMatchObject(
      {
        status: "transient",
        recipient: true,
      },
    );
  });

  it("the masked URL for hints", () => {
    expect(parseSmtpUrl("smtp://news:p%40ss@mail.example.ru:587").masked).toBe("smtp://news:***@mail.example.ru:587");
    expect(parseSmtpUrl("smtp://mail.example.ru").masked).toBe("smtp://mail.example.ru:587");
  });
});
