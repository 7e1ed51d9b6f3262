import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileOrThrow } from "../../src/compile/compile.js";
import { DkimSigner, signWith } from "../../src/message/dkim.js";
import {
  buildMessage,
  dkimFromEnv,
  type MessageContext,
  mailOptionsFor,
  messageContext,
  messageIdFor,
  type OutgoingMessage,
  subscriberFor,
  toMailOptions,
} from "../../src/message/message.js";
import { encodeQp } from "../../src/message/mime.js";
import { loadProject } from "../../src/project/project.js";
import { createPersonaliser, type Personaliser } from "../../src/render/personalise.js";
import { sendPersonaliser } from "../../src/send/engine.js";
import { ISSUE, makeProject, REPO, SECRET } from "../send/helpers.js";

/**
 * A reader's message spliced from the issue's prepared MIME reads exactly like the one
 * nodemailer builds from toMailOptions for that reader: every header value (but Date and the boundary),
 * both decoded parts, the parts' encodings; lines within the limits; DKIM over the spliced bytes verifies.
 */

// a body that puts subscriber values mid-line, at line ends, and in long lines (soft breaks around them)
const ISSUE_BODY = `---
title: Привет
date: 2026-12-01
subject: Тема письма — «проверка» ${"длинная ".repeat(8)}
preheader: Коротко.
---
{{#if subscriber.name}}Здравствуйте, {{subscriber.name}}!{{else}}Здравствуйте!{{/if}} Город: {{subscriber.city}}.

${"Очень длинная строка без переносов, чтобы значение стояло далеко от начала строки. ".repeat(4)}{{subscriber.city}} и дальше ${"текст ".repeat(30)}

Код: {{subscriber.code}}|{{subscriber.code}}|{{subscriber.code}}

Текст выпуска.
`;

const LONG_CITY = `${"Санкт-Петербург, Васильевский остров, 7-я линия, дом 42 ".repeat(6)}${"x".repeat(300)}`;

const READERS: { label: string; address: string; fields: Record<string, string> }[] = [
  { label: "Cyrillic name", address: "anna@example.ru", fields: { name: "Анна", city: "Краснодар", code: "A1" } },
  {
    label: "long Cyrillic name (To folded, cut at 200)",
    address: "vera@example.ru",
    fields: { name: "Вероника ".repeat(40), city: "Сочи" },
  },
  { label: "ASCII name needing quotes", address: "obrien@example.com", fields: { name: 'O\'Brien, "Jr." <boss>', city: "Dublin" } },
  { label: "Latin name needing RFC 2047", address: "zoe@example.com", fields: { name: "Zoë Ångström-Ødegård", city: "Malmö" } },
  { label: "empty fields", address: "empty@example.ru", fields: { name: "", city: "", code: "" } },
  { label: "no fields at all", address: "bare@example.ru", fields: {} },
  {
    label: "long values forcing soft line breaks",
    address: "long@example.ru",
    fields: { name: "Лев", city: LONG_CITY, code: "=".repeat(90) },
  },
  { label: "plus address", address: "anna+news@example.ru", fields: { name: "Анна Плюс", city: "Тверь" } },
  { label: "IDN domain", address: "ivan@пример.рф", fields: { name: "Иван", city: "Москва" } },
  { label: "IDN address, non-ASCII local part", address: "иван@пример.рф", fields: { name: "Иван", city: "Казань" } },
  {
    label: "line breaks, tabs, trailing spaces, emoji, escapes",
    address: "odd@example.ru",
    fields: { name: "Ева\r\nBcc: victim@example.ru", city: "Город  \nНовый\t ", code: "😀 <b>&amp;</b> = ==" },
  },
  // the To value of a simple address is made once per name: the same name at other addresses, and
  // addresses nodemailer rewrites (an upper-case domain) or brackets (a quoted local part), which are not simple
  { label: "the same name at another address", address: "Anna.K-2@mail.example.ru", fields: { name: "Анна", city: "Псков" } },
  { label: "the same name, an upper-case domain", address: "boss@Example.RU", fields: { name: "Анна", city: "Орёл" } },
  { label: "no name, dots and a plus", address: "a.b+c@sub.example.ru", fields: {} },
  { label: "no name, a quoted local part", address: '"a b"@example.ru', fields: {} },
  { label: "ASCII-only values", address: "plain@example.com", fields: { name: "John Smith", city: "London", code: "x".repeat(120) } },
];

let cleanup: () => Promise<void>;
let ctx: MessageContext;
let personaliser: Personaliser;
let trackedCtx: MessageContext;
let tracked: Personaliser;
const DATE = new Date("2026-12-01T09:30:00Z");

beforeAll(async () => {
  const made = await makeProject();
  cleanup = made.cleanup;
  await writeFile(join(made.root, ISSUE), ISSUE_BODY);
  const project = await loadProject(made.root);
  const { compiled } = await compileOrThrow(project, ISSUE);
  ctx = messageContext(project.config.config, compiled.slug, compiled.subject, SECRET);
  personaliser = createPersonaliser(compiled);
  const config = { ...project.config.config, tracking: { clicks: true, opens: false, anonymous: false } };
  trackedCtx = messageContext(config, compiled.slug, compiled.subject, SECRET);
  tracked = sendPersonaliser(compiled, trackedCtx).personaliser;
});
afterAll(async () => cleanup());

function messageFor(reader: (typeof READERS)[number], context = ctx, p = personaliser): OutgoingMessage {
  const key = reader.address.toLowerCase();
  const recipient = {
    address: reader.address,
    key,
    fields: reader.fields,
    messageId: messageIdFor(context.listId, context.slug, key, "x@example.ru"),
  };
  const subscriber = subscriberFor(context, recipient);
  return buildMessage(context, recipient, subscriber, p.render(subscriber), DATE);
}

function spliced(message: OutgoingMessage): Buffer {
  const options = mailOptionsFor(message);
  expect("raw" in options, "the prepared path was taken").toBe(true);
  return (options as { raw: Buffer }).raw;
}

/** nodemailer's message for the reader as it goes out today (CRLF, as the outbox writes it and SMTP carries it). */
const wire = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
const nodemailers = async (message: OutgoingMessage): Promise<Buffer> => (await wire.sendMail(toMailOptions(message))).message as Buffer;

/** Every header as mailparser reads it, the boundary left out (Date is the same: both use DATE). */
function headersOf(mail: ParsedMail): [string, unknown][] {
  return [...mail.headers].map(([k, v]) => {
    if (k === "content-type")
      return [k, { ...(v as { value: string }), params: { ...(v as { params: object }).params, boundary: "(boundary)" } }];
    return [k, v];
  });
}

const encodingsOf = (raw: Buffer) => raw.toString("latin1").match(/^Content-Transfer-Encoding: .*$/gim);

describe("the message prepared once per issue", () => {
  it.each(READERS.map((r) => [r.label, r] as const))("%s: reads exactly like nodemailer's message", async (_label, reader) => {
    const message = messageFor(reader);
    const ours = spliced(message);
    const theirs = await nodemailers(message);
    const [a, b] = await Promise.all([simpleParser(ours), simpleParser(theirs)]);
    expect(headersOf(a)).toEqual(headersOf(b));
    expect(a.html).toBe(b.html);
    expect(a.text).toBe(b.text);
    expect(a.html).toBe(message.html.replace(/\r\n/g, "\n")); // a CRLF in a value is a line break on the wire, as nodemailer's
    expect(encodingsOf(ours)).toEqual(encodingsOf(theirs));
    // the header block is nodemailer's, field for field, in its order (the boundary aside)
    const head = (raw: Buffer) =>
      raw
        .toString("latin1")
        .split("\r\n\r\n")[0]
        .replace(/boundary="[^"]+"/, "");
    expect(head(ours)).toBe(head(theirs));
  });

  it("keeps every line within the limits and never splits an escape or a character across a soft break", () => {
    for (const reader of READERS) {
      const raw = spliced(messageFor(reader)).toString("latin1");
      expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // CRLF only
      const lines = raw.split("\r\n");
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(998);
      const body = raw.slice(raw.indexOf("\r\n\r\n") + 4).split("\r\n");
      for (const line of body) expect(line.length, line).toBeLessThanOrEqual(76);
      const qp = raw.split(/Content-Transfer-Encoding: quoted-printable\r\n\r\n/)[1]?.split("\r\n--")[0];
      if (!qp) continue;
      for (const line of qp.split("\r\n")) {
        const content = line.endsWith("=") ? line.slice(0, -1) : line;
        expect(content, line).not.toMatch(/=(?![0-9A-F]{2})/); // every = starts a whole escape
        if (!line.endsWith("=")) expect(line).not.toMatch(/[ \t]$/); // trailing whitespace is encoded
        const bytes = Buffer.from(
          content.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))),
          "latin1",
        );
        expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes), line).not.toThrow();
      }
    }
  });

  it("the repository's real issue too (MJML layout, unsubscribe and web links in the footer)", async () => {
    const project = await loadProject(REPO);
    const { compiled } = await compileOrThrow(project, "issues/2026-11-10-tekushchaya-debitorka.md");
    const c = messageContext(project.config.config, compiled.slug, compiled.subject, SECRET);
    const p = createPersonaliser(compiled);
    for (const reader of READERS.slice(0, 7)) {
      const message = messageFor(reader, c, p);
      const [a, b] = await Promise.all([simpleParser(spliced(message)), simpleParser(await nodemailers(message))]);
      expect(headersOf(a)).toEqual(headersOf(b));
      expect(a.html).toBe(b.html);
      expect(a.text).toBe(b.text);
    }
  });

  it("DKIM over the spliced bytes (our signer in nodemailer's stream step, as the transports use it) verifies with mailauth", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const dkim = dkimFromEnv({ DKIM_DOMAIN: "prodazhi.example.ru", DKIM_SELECTOR: "mail", DKIM_PRIVATE_KEY: pem })!;
    const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const resolver = async (name: string, type: string) => {
      if (name === "mail._domainkey.prodazhi.example.ru" && type === "TXT") return [[`v=DKIM1; k=rsa; p=${spki}`]];
      throw Object.assign(new Error(`no ${type} for ${name}`), { code: "ENOTFOUND" });
    };
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
    signWith(transport, new DkimSigner(dkim));
    for (const reader of [READERS[0], READERS[6], READERS[10]]) {
      const info = await transport.sendMail(mailOptionsFor(messageFor(reader)));
      const signed = info.message as Buffer;
      const result = await dkimVerify(signed, { resolver });
      expect(result.results[0].status.result).toBe("pass");
      const h = /\bh=([^;]+)/.exec(signed.toString().replace(/\s+/g, ""))![1].toLowerCase().split(":");
      expect(h).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "subject", "message-id"]));
    }
  });

  it("with returnPath: each reader's VERP envelope and X-Rassylka-Bounce, spliced as nodemailer writes them", async () => {
    const verp = { ...ctx, config: { ...ctx.config, returnPath: "bounces@prodazhi.example.ru" } };
    const tokens = new Set<string>();
    for (const reader of READERS) {
      const message = messageFor(reader, verp);
      const options = mailOptionsFor(message) as { raw: Buffer; envelope: { from: string; to: string[] } };
      expect("raw" in options).toBe(true);
      const token = /^bounces\+([0-9a-f]{24})@prodazhi\.example\.ru$/.exec(options.envelope.from)?.[1];
      expect(token, options.envelope.from).toBeDefined();
      tokens.add(token!);
      const [a, b] = await Promise.all([simpleParser(options.raw), simpleParser(await nodemailers(message))]);
      expect(headersOf(a)).toEqual(headersOf(b));
      expect(a.headers.get("x-rassylka-bounce")).toBe(token);
      expect(a.html).toBe(b.html);
    }
    expect(tokens.size).toBe(READERS.length);
  });

  it("falls back to nodemailer when a message no longer has the prepared shape", () => {
    const message = messageFor(READERS[0]);
    expect("raw" in mailOptionsFor({ ...message, subject: "другая тема" })).toBe(false);
    expect("raw" in mailOptionsFor({ ...message, html: `${message.html} ` })).toBe(false);
    expect("raw" in mailOptionsFor({ ...message, headers: { ...message.headers, "X-Extra": "1" } })).toBe(false);
    expect("raw" in mailOptionsFor({ ...message, text: "" })).toBe(false);
    expect("raw" in mailOptionsFor({ ...message, mime: undefined })).toBe(false);
  });
});

describe("the message prepared once per issue, with tracked links", () => {
  it.each(READERS.map((r) => [r.label, r] as const))("%s: spliced, and reads exactly like nodemailer's message", async (_label, reader) => {
    const message = messageFor(reader, trackedCtx, tracked);
    expect(message.html).toContain("/c/");
    const [a, b] = await Promise.all([simpleParser(spliced(message)), simpleParser(await nodemailers(message))]);
    expect(headersOf(a)).toEqual(headersOf(b));
    expect(a.html).toBe(b.html);
    expect(a.text).toBe(b.text);
  });

  it("every reader's message shares the issue's static pieces", () => {
    const [x, y] = READERS.slice(0, 2).map((r) =>
      tracked.render(subscriberFor(trackedCtx, { address: r.address, key: r.address, fields: r.fields, messageId: "m@x" })),
    );
    expect(x.htmlParts.statics).toBe(y.htmlParts.statics);
    expect(x.htmlParts.values).not.toEqual(y.htmlParts.values);
    let joined = x.htmlParts.statics[0];
    x.htmlParts.values.forEach((v, i) => {
      joined += v + x.htmlParts.statics[i + 1];
    });
    expect(joined).toBe(x.html);
  });
});

describe("encodeQp", () => {
  it("continues a line at the column given and breaks before column 76", () => {
    const { text, column } = encodeQp("абв", 60);
    expect(text).toBe("=D0=B0=D0=B1=\r\n=D0=B2");
    expect(column).toBe(6);
    expect(encodeQp("a \nb ").text).toBe("a=20\r\nb=20");
    expect(encodeQp("x=y\r\nz").text).toBe("x=3Dy\r\nz");
  });
});
