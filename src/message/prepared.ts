import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import { foldLines } from "nodemailer/lib/mime-funcs";
import type MimeNode from "nodemailer/lib/mime-node";
import { oneLine } from "./header-value.js";
import type { OutgoingMessage } from "./message.js";
import { chooseEncoding, encode7bit, encodeBase64, encodeQp, hasLongLines, type TextStats, textStats } from "./mime.js";

/**
 * The message once per issue. nodemailer builds and encodes the whole MIME message for every
 * reader, although two readers' messages differ only in To, Message-ID, Date, the List-Unsubscribe token
 * and the few personalised spots of the HTML. Here the header block (as nodemailer's MimeNode writes it),
 * the boundary and the HTML's static pieces are encoded once; a reader's bytes are those pieces with the
 * reader's header lines and values spliced in. The bytes go to nodemailer as a raw message (its DKIM
 * signer then signs them as they are) or into the outbox.
 *
 * A reader whose message does not have the prepared shape (other static headers, an empty part) gets
 * `undefined` and is built by nodemailer as before: same message, slower.
 */

/** What toMailOptions (src/message/message.ts) gives nodemailer: the fields the sample's header block is built from. */
export interface MailOptionsLike {
  from: { name: string; address: string };
  to: string | { name: string; address: string };
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  date: Date;
  headers: Record<string, { prepared: boolean; foldLines: boolean; value: string }>;
}

/** A reader's message as the send loop has it: what build() reads of an OutgoingMessage (headers before toMailOptions makes them one line). */
export type ReaderMessage = Pick<OutgoingMessage, "from" | "replyTo" | "subject" | "html" | "text" | "messageId" | "headers" | "date">;

/** A part as the personaliser renders it: `statics[0] + values[0] + statics[1] + …` (the HTML; the text when untidied). */
export interface HtmlParts {
  statics: readonly string[];
  values: readonly string[];
}

/** Header fields that differ between readers; every other one is written once per issue. */
const PER_READER = new Set(["to", "message-id", "date", "list-unsubscribe", "x-rassylka-bounce"]);

/** A value's line and what follows it, in the QP-encoded HTML. */
interface QpStep {
  /** Encoded with the value, per reader: the next static piece up to its first line break when that is short. */
  lead: string;
  /** The rest of the static piece, encoded once, starting a line. */
  rest: Buffer;
  /** Characters on the last line of `rest`. */
  restColumn: number;
}

/** Static text this long after a value is encoded with the value; a longer one gets a soft break first. */
const LEAD_MAX = 200;

const crlf = Buffer.from("\r\n", "latin1");
const softBreak = Buffer.from("=\r\n", "latin1");

function partHeader(boundary: string, type: string, encoding: string): Buffer {
  return Buffer.from(`--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, "latin1");
}

function addStats(a: TextStats, b: TextStats): TextStats {
  return { nonLatin: a.nonLatin + b.nonLatin, latin: a.latin + b.latin, plain: a.plain && b.plain };
}

/**
 * The identity of a message's static headers, from the values toMailOptions makes them of (it changes
 * them the same way every time): two messages with the same one share the header block.
 */
function staticIdentity(message: ReaderMessage): string {
  let id = `${message.from.name}\0${message.from.email}\0${message.replyTo ?? ""}\0${message.subject}`;
  for (const key in message.headers) id += `\0${key}\0${PER_READER.has(key.toLowerCase()) ? "" : message.headers[key]}`;
  return id;
}

/**
 * An address nodemailer writes as it is: a dot-atom local part and a lower-case ASCII domain (its
 * _normalizeAddress leaves those alone, and they need no angle brackets of their own). The To value of
 * such an address is the one nodemailer writes for any other such address, with the address swapped.
 */
const SIMPLE_ADDRESS = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
/** An address nodemailer writes as it is, in a header and in the envelope: a dot-atom and a lower-case ASCII domain. */
export const isSimpleAddress = (address: string): boolean => SIMPLE_ADDRESS.test(address);
const PROBE = "probe@example.com";
/** Display names whose encoded To value is kept (a list's names repeat: «Анна», «Иван», none). */
const MAX_NAMES = 1000;

/** nodemailer's Date value (MimeNode.encodeHeaderValue): the same for a whole second, so written once a second. */
let dateLine = { key: "", second: Number.NaN, line: "" };
function dateHeader(key: string, date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== dateLine.second || key !== dateLine.key)
    dateLine = { key, second, line: `${foldLines(`${key}: ${date.toUTCString().replace(/GMT/, "+0000")}`, 76)}\r\n` };
  return dateLine.line;
}

export class PreparedMime {
  /** The issue's HTML pieces this was prepared for (the same array for every reader). */
  readonly statics: readonly string[];
  private readonly identity: string;
  /** nodemailer's root node of the sample message: encodes the per-reader header values exactly as it would. */
  private readonly node: MimeNode;
  /** The header fields in nodemailer's order: a Buffer (static) or the key of a per-reader one. */
  private readonly fields: (Buffer | { key: string; custom?: string })[] = [];
  private readonly staticLength: number;
  private readonly staticStats: TextStats;
  private readonly qpHead: Buffer;
  private readonly qpHeadColumn: number;
  private readonly qpSteps: QpStep[];
  private readonly parts: { text: Record<string, Buffer>; html: Record<string, Buffer> };
  private readonly closing: Buffer;
  private textStatics?: readonly string[];
  /** A display name → nodemailer's To value for it with PROBE as the address, cut before the address. */
  private readonly toPrefixes = new Map<string, string>();
  private textStaticStats: TextStats = { nonLatin: 0, latin: 0, plain: true };
  private textStaticLength = 0;

  /**
   * `sample`: any reader's message of this issue (their static headers are everyone's), and `options`
   * what toMailOptions makes of it.
   */
  constructor(sample: ReaderMessage, options: MailOptionsLike, statics: readonly string[]) {
    this.statics = statics;
    this.identity = staticIdentity(sample);
    const composer = new MailComposer({ ...options, html: "x", text: "x", baseBoundary: randomBytes(8).toString("hex") });
    this.node = composer.compile();
    const block = this.node.buildHeaders();
    for (const field of block.split(/\r\n(?![ \t])/)) {
      const key = field.slice(0, field.indexOf(":"));
      if (PER_READER.has(key.toLowerCase())) {
        const custom = Object.keys(options.headers).find((k) => k.toLowerCase() === key.toLowerCase());
        this.fields.push({ key, custom });
      } else {
        this.fields.push(Buffer.from(`${field}\r\n`, "utf8"));
      }
    }
    const boundary = /boundary="?([^";\r\n]+)"?/.exec(block)?.[1];
    if (!boundary || !/^Content-Type: multipart\/alternative;/im.test(block))
      throw new Error("unexpected MIME structure of the sample message");
    const types = { text: "text/plain", html: "text/html" } as const;
    const encodings = ["7bit", "quoted-printable", "base64"];
    // each field above ends with CRLF: the CRLF before a boundary is the blank line after the headers
    // (first part), or the end of the part before (RFC 2046 §5.1.1: the CRLF belongs to the boundary)
    const partHeaders = (type: string) =>
      Object.fromEntries(encodings.map((e) => [e, Buffer.concat([crlf, partHeader(boundary, type, e)])]));
    this.parts = { text: partHeaders(types.text), html: partHeaders(types.html) };
    this.closing = Buffer.from(`\r\n--${boundary}--\r\n`, "latin1");

    this.staticLength = statics.reduce((n, s) => n + s.length, 0);
    this.staticStats = statics.map(textStats).reduce(addStats, { nonLatin: 0, latin: 0, plain: true });
    const head = encodeQp(statics[0] ?? "");
    this.qpHead = Buffer.from(head.text, "latin1");
    this.qpHeadColumn = head.column;
    this.qpSteps = statics.slice(1).map((s) => {
      const nl = s.indexOf("\n");
      const lead = nl >= 0 && nl < LEAD_MAX ? s.slice(0, nl + 1) : s.length < LEAD_MAX ? s : "";
      const rest = encodeQp(s.slice(lead.length));
      return { lead, rest: Buffer.from(rest.text, "latin1"), restColumn: rest.column };
    });
  }

  /**
   * The reader's whole message (CRLF line breaks), or undefined when it does not have the prepared shape.
   * `to`: the To value toMailOptions gives for this reader (an address, or a name and an address).
   */
  build(message: ReaderMessage, parts: { html: HtmlParts; text?: HtmlParts }, to: MailOptionsLike["to"]): Buffer | undefined {
    const { html } = parts;
    if (html.statics !== this.statics || !message.text || !message.html) return undefined;
    if (staticIdentity(message) !== this.identity) return undefined;
    let valuesLength = 0;
    for (const v of html.values) valuesLength += v.length;
    // the HTML handed over is the one these values make (a changed message.html would not be)
    if (html.values.length !== this.statics.length - 1 || message.html.length !== this.staticLength + valuesLength) return undefined;

    const chunks: Buffer[] = [];
    for (const field of this.fields) {
      if (Buffer.isBuffer(field)) {
        chunks.push(field);
        continue;
      }
      const line = this.headerLine(field.key, field.custom, message, to);
      if (line === undefined) return undefined;
      if (line) chunks.push(Buffer.from(line, "utf8"));
    }

    const text = message.text;
    const textEncoding = chooseEncoding(this.textStatsOf(text, parts.text), () => hasLongLines(text));
    chunks.push(this.parts.text[textEncoding], this.encodeWhole(text, textEncoding));

    let stats = this.staticStats;
    for (const v of html.values) stats = addStats(stats, textStats(v));
    const htmlEncoding = chooseEncoding(stats, () => hasLongLines(message.html));
    chunks.push(this.parts.html[htmlEncoding]);
    if (htmlEncoding === "quoted-printable") this.encodeHtmlQp(html.values, chunks);
    else chunks.push(this.encodeWhole(message.html, htmlEncoding));
    chunks.push(this.closing);
    return Buffer.concat(chunks);
  }

  /** The text's statistics: its static pieces' counted once per issue, when it comes in pieces. */
  private textStatsOf(text: string, parts: HtmlParts | undefined): TextStats {
    if (!parts) return textStats(text);
    if (parts.statics !== this.textStatics) {
      this.textStatics = parts.statics;
      this.textStaticStats = parts.statics.map(textStats).reduce(addStats, { nonLatin: 0, latin: 0, plain: true });
      this.textStaticLength = parts.statics.reduce((n, s) => n + s.length, 0);
    }
    let length = this.textStaticLength;
    let stats = this.textStaticStats;
    for (const v of parts.values) {
      length += v.length;
      stats = addStats(stats, textStats(v));
    }
    // pieces that are not this text (a message changed after rendering): counted whole
    return length === text.length ? stats : textStats(text);
  }

  /** One per-reader header field, folded as nodemailer folds it; "" when the reader has none; undefined: unknown. */
  private headerLine(key: string, custom: string | undefined, message: ReaderMessage, to: MailOptionsLike["to"]): string | undefined {
    if (custom !== undefined) {
      // as MimeNode.buildHeaders writes a `prepared` value: folded at spaces, never encoded (toMailOptions
      // makes it one line)
      const raw = message.headers[custom];
      const value = raw === undefined ? "" : oneLine(raw);
      if (!value.trim()) return "";
      return `${foldLines(`${key}: ${value}`)}\r\n`;
    }
    const lower = key.toLowerCase();
    if (lower === "date") return dateHeader(key, message.date);
    const value = lower === "to" ? to : lower === "message-id" ? `<${message.messageId}>` : undefined;
    if (value === undefined) return undefined;
    const encoded = (lower === "to" && this.toValue(key, to)) || this.node.encodeHeaderValue(key, value as string);
    return encoded.trim() ? `${foldLines(`${key}: ${encoded}`, 76)}\r\n` : "";
  }

  /**
   * The To value as nodemailer encodes it, for a simple address: its name's encoding (RFC 2047 words,
   * quotes) is the same for every reader of that name, so it is made once per name. Undefined: ask nodemailer.
   */
  private toValue(key: string, to: MailOptionsLike["to"]): string | undefined {
    const address = typeof to === "string" ? to : to.address;
    if (!SIMPLE_ADDRESS.test(address)) return undefined;
    const name = typeof to === "string" ? "" : to.name;
    let prefix = this.toPrefixes.get(name);
    if (prefix === undefined) {
      const probe = this.node.encodeHeaderValue(key, (name ? { name, address: PROBE } : PROBE) as unknown as string);
      const tail = name ? `<${PROBE}>` : PROBE;
      if (!probe.endsWith(tail)) return undefined;
      prefix = probe.slice(0, -PROBE.length - (name ? 1 : 0));
      if (this.toPrefixes.size >= MAX_NAMES) this.toPrefixes.clear();
      this.toPrefixes.set(name, prefix);
    }
    return name ? `${prefix}${address}>` : `${prefix}${address}`;
  }

  private encodeWhole(value: string, encoding: string): Buffer {
    if (encoding === "base64") return encodeBase64(value);
    return Buffer.from(encoding === "7bit" ? encode7bit(value) : encodeQp(value).text, "latin1");
  }

  /** The static pieces as encoded once; each value (and the static text up to its line's end) encoded where it sits. */
  private encodeHtmlQp(values: readonly string[], chunks: Buffer[]): void {
    chunks.push(this.qpHead);
    let column = this.qpHeadColumn;
    for (let i = 0; i < values.length; i++) {
      const step = this.qpSteps[i];
      const piece = encodeQp(values[i] + step.lead, column);
      chunks.push(Buffer.from(piece.text, "latin1"));
      column = piece.column;
      if (!step.rest.length) continue;
      // the rest was encoded from the start of a line
      if (column > 0) chunks.push(softBreak);
      chunks.push(step.rest);
      column = step.restColumn;
    }
  }
}
