// Our DKIM signer (src/message/dkim.ts) checked by another implementation: mailauth's verifier.
import { generateKeyPairSync } from "node:crypto";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { DkimSigner, signWith } from "../../src/message/dkim.js";

const RSA = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ED = generateKeyPairSync("ed25519");
const pem = (k: typeof RSA.privateKey) => k.export({ type: "pkcs8", format: "pem" }).toString();

function resolverFor(records: Record<string, string>) {
  return async (name: string, type: string) => {
    if (type === "TXT" && records[name]) return [[records[name]]];
    throw Object.assign(new Error(`no ${type} for ${name}`), { code: "ENOTFOUND" });
  };
}
const resolver = resolverFor({
  "rsa._domainkey.prodazhi.example.ru": `v=DKIM1; k=rsa; p=${RSA.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
  // RFC 8463: the raw 32-byte public key (the last 32 bytes of its SPKI)
  "ed._domainkey.prodazhi.example.ru": `v=DKIM1; k=ed25519; p=${ED.publicKey.export({ type: "spki", format: "der" }).subarray(-32).toString("base64")}`,
});

const rsa = new DkimSigner({ domainName: "prodazhi.example.ru", keySelector: "rsa", privateKey: pem(RSA.privateKey) });

const MESSAGE = [
  "From: =?UTF-8?B?0J/RgNCw0LrRgtC40LrQsA==?= <rassylka@prodazhi.example.ru>",
  "To: anna@example.ru",
  "Subject: =?UTF-8?B?0KLQtdC80LA=?=",
  "Date: Tue, 01 Dec 2026 09:00:00 +0000",
  "Message-ID: <abc.2026-12-01-hello@prodazhi.example.ru>",
  "List-Id: Practice <kak.prodazhi.example.ru>",
  "List-Unsubscribe: <https://prodazhi.example.ru/u?token=t1>,",
  "  <mailto:unsubscribe+u-0123456789abcdef01234567@prodazhi.example.ru?subject=unsubscribe>",
  "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
  "X-Campaign:   spring\t sale ",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "Текст выпуска.  ",
  "",
  "Вторая строка",
  "",
  "",
].join("\r\n");

async function verdict(raw: Buffer): Promise<string> {
  const result = await dkimVerify(raw, { resolver });
  return result.results[0].status.result;
}

/** `name: value` put on top of a signed message, after the signature: what a relay or forwarder could do. */
function addHeader(signed: Buffer, line: string): Buffer {
  return Buffer.concat([Buffer.from(`${line}\r\n`), signed]);
}

describe("DKIM signing with over-signing", () => {
  it("mailauth verifies the signature; h= has every header and From, Subject and the List-Unsubscribe pair once more", async () => {
    const signed = rsa.sign(Buffer.from(MESSAGE));
    expect(await verdict(signed)).toBe("pass");
    const h = /\bh=([^;]+)/.exec(signed.toString().replace(/\s+/g, ""))![1].split(":");
    const times = (name: string) => h.filter((x) => x === name).length;
    for (const name of ["from", "subject", "list-unsubscribe", "list-unsubscribe-post"]) expect(times(name), name).toBe(2);
    for (const name of ["to", "date", "message-id", "list-id", "x-campaign", "mime-version", "content-type"])
      expect(times(name), name).toBe(1);
  });

  it.each([
    ["a second From", "From: someone@evil.example"],
    ["a second Subject", "Subject: win a prize"],
    ["another List-Unsubscribe", "List-Unsubscribe: <https://evil.example/u>"],
    ["another List-Unsubscribe-Post", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"],
  ])("%s added after signing breaks the signature", async (_name, line) => {
    const signed = rsa.sign(Buffer.from(MESSAGE));
    expect(await verdict(addHeader(signed, line))).not.toBe("pass");
  });

  it("List-Unsubscribe-Post added to a mailto-only message breaks it too (it is over-signed when absent)", async () => {
    const mailtoOnly = MESSAGE.replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", "");
    const signed = rsa.sign(Buffer.from(mailtoOnly));
    expect(await verdict(signed)).toBe("pass");
    expect(await verdict(addHeader(signed, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"))).not.toBe("pass");
  });

  it("a header no one signs (a relay's Received) added later leaves it valid; a changed body or signed value does not", async () => {
    const signed = rsa.sign(Buffer.from(MESSAGE));
    expect(await verdict(addHeader(signed, "Received: from relay.example by mx.example; Tue, 01 Dec 2026 09:00:01 +0000"))).toBe("pass");
    expect(await verdict(Buffer.from(signed.toString("latin1").replace("spring", "autumn"), "latin1"))).not.toBe("pass");
    expect(await verdict(Buffer.from(signed.toString("utf8").replace("Вторая", "Третья"), "utf8"))).not.toBe("pass");
  });

  it("relaxed canonicalisation: refolded headers and LF line ends still verify", async () => {
    const signed = rsa.sign(Buffer.from(MESSAGE)).toString("latin1");
    const refolded = signed.replace("X-Campaign:   spring\t sale ", "X-Campaign: spring\r\n sale");
    expect(await verdict(Buffer.from(refolded, "latin1"))).toBe("pass");
    const lf = rsa.sign(Buffer.from(MESSAGE.replace(/\r\n/g, "\n")));
    expect(await verdict(lf)).toBe("pass");
  });

  it("an Ed25519 key signs ed25519-sha256 (RFC 8463), verified by mailauth", async () => {
    const ed = new DkimSigner({ domainName: "prodazhi.example.ru", keySelector: "ed", privateKey: pem(ED.privateKey) });
    const signed = ed.sign(Buffer.from(MESSAGE));
    expect(signed.toString()).toMatch(/a=ed25519-sha256/);
    expect(await verdict(signed)).toBe("pass");
    expect(await verdict(addHeader(signed, "From: someone@evil.example"))).not.toBe("pass");
  });

  it("in nodemailer's stream step (as the transports use it): a composed message verifies", async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
    signWith(transport, rsa);
    const info = await transport.sendMail({
      from: "rassylka@prodazhi.example.ru",
      to: "anna@example.ru",
      subject: "Тема",
      text: "Текст выпуска.",
      html: "<p>Текст выпуска.</p>",
    });
    const raw = info.message as Buffer;
    expect(raw.toString()).toMatch(/^DKIM-Signature: /);
    expect(await verdict(raw)).toBe("pass");
  });
});
