/**
 * The body encodings of a message, written for splicing: each function encodes one piece and says where
 * the line it leaves open ends, so a piece encoded once per issue and a reader's piece encoded per
 * message join into one valid body (src/message/prepared.ts). Decisions follow nodemailer's MimeNode,
 * which builds the same message when there is nothing to splice (toMailOptions).
 */

/** RFC 2045 §6.7: every line at most 76 characters; a soft break is `=` at the end of a line. */
const QP_LINE = 76;
/** The content of a line before its soft break: one character is kept for the `=`. */
const QP_CONTENT = QP_LINE - 1;
const HEX = "0123456789ABCDEF";

/** Bytes written as themselves in quoted-printable (RFC 2045 §6.7 rules 2 and 3): `!`…`~` but `=`, and space/tab mid-line. */
const LITERAL = new Uint8Array(256);
for (let b = 0x21; b <= 0x7e; b++) LITERAL[b] = 1;
LITERAL[0x3d] = 0;
LITERAL[0x20] = 1;
LITERAL[0x09] = 1;

export interface Encoded {
  /** The encoded text, CRLF line breaks, without a line break at the end unless the input had one. */
  text: string;
  /** Characters on the last line of `text` (after `startColumn` when nothing broke the line). */
  column: number;
}

/**
 * Quoted-printable of `value`, continuing a line that already holds `startColumn` characters. Hard line
 * breaks (LF or CRLF) become CRLF; a soft break is put before any character that would pass column 75, so
 * every line, soft break included, is at most 76 characters. A character's bytes are never split across
 * lines (a UTF-8 sequence stays on one line, as some decoders need), and an `=XX` escape never is.
 * Whitespace before a line break or at the end of the piece is encoded (RFC 2045 rule 3: transports may
 * strip trailing whitespace), which keeps a piece correct whatever follows it.
 */
export function encodeQp(value: string, startColumn = 0): Encoded {
  const bytes = Buffer.from(value, "utf8");
  const len = bytes.length;
  // each byte takes at most 3 characters, and each line of ≥ 24 of them one soft break of 3
  const out = Buffer.allocUnsafe(len * 3 + Math.ceil(len / 24) * 3 + 3);
  let pos = 0;
  let column = startColumn;
  const softBreak = () => {
    out[pos++] = 0x3d;
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
    column = 0;
  };
  let i = 0;
  while (i < len) {
    const b = bytes[i];
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] === 0x0a)) {
      // a hard line break: CRLF on the wire whatever the input used
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
      column = 0;
      i += b === 0x0d ? 2 : 1;
      continue;
    }
    // one character: a byte below 0x80, or a UTF-8 lead byte and its continuation bytes
    let n = 1;
    if (b >= 0xc0) {
      n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      while (n > 1 && i + n > len) n--;
    }
    let literal = n === 1 && LITERAL[b] === 1;
    if (literal && (b === 0x20 || b === 0x09)) {
      const next = bytes[i + 1];
      literal = next !== undefined && next !== 0x0a && next !== 0x0d;
    }
    const width = literal ? 1 : 3 * n;
    if (column + width > QP_CONTENT) softBreak();
    if (literal) {
      out[pos++] = b;
    } else {
      for (let k = 0; k < n; k++) {
        const c = bytes[i + k];
        out[pos++] = 0x3d;
        out[pos++] = HEX.charCodeAt(c >> 4);
        out[pos++] = HEX.charCodeAt(c & 15);
      }
    }
    column += width;
    i += n;
  }
  return { text: out.toString("latin1", 0, pos), column };
}

/** Base64 in lines of 76 characters joined by CRLF, no line break at the end: what nodemailer writes. */
export function encodeBase64(value: string): Buffer {
  const b64 = Buffer.from(Buffer.from(value, "utf8").toString("base64"), "latin1");
  if (b64.length <= QP_LINE) return b64;
  const lines = Math.ceil(b64.length / QP_LINE);
  const out = Buffer.allocUnsafe(b64.length + (lines - 1) * 2);
  let pos = 0;
  for (let at = 0; at < b64.length; at += QP_LINE) {
    if (at) {
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
    }
    pos += b64.copy(out, pos, at, Math.min(at + QP_LINE, b64.length));
  }
  return out;
}

/** 7bit: the text as it is, with CRLF line breaks. */
export function encode7bit(value: string): string {
  return value.replace(/\r?\n/g, "\r\n");
}

export type TransferEncoding = "7bit" | "quoted-printable" | "base64";

/** What nodemailer's MimeNode weighs to pick an encoding for a text part, counted over one piece. */
export interface TextStats {
  /** Control characters (but TAB, CR, LF) and everything ≥ U+0080. */
  nonLatin: number;
  /** A–Z, a–z. */
  latin: number;
  /** Nothing but ASCII and TAB/CR/LF (mime-funcs isPlainText). */
  plain: boolean;
}

/** Per code unit below 0x80: 1 counts as non-Latin (a control character), 2 as a Latin letter. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f)) CLASS[c] = 1;
  else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) CLASS[c] = 2;
}

export function textStats(value: string): TextStats {
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) nonLatin++;
    else {
      const k = CLASS[c];
      if (k === 1) nonLatin++;
      else if (k === 2) latin++;
    }
  }
  return { nonLatin, latin, plain: nonLatin === 0 };
}

/**
 * nodemailer's choice (MimeNode.getTransferEncoding for a string): 7bit for plain ASCII without lines
 * over 76 characters, else quoted-printable when Latin letters outnumber the rest, else base64.
 * `hasLongLines` is asked only for plain text.
 */
export function chooseEncoding(stats: TextStats, hasLongLines: () => boolean): TransferEncoding {
  if (stats.plain && !hasLongLines()) return "7bit";
  return stats.nonLatin < stats.latin ? "quoted-printable" : "base64";
}

/** mime-funcs hasLongerLines(str, 76): a line of 77 characters or more (anything over 128 KiB counts as having one). */
export function hasLongLines(value: string): boolean {
  return value.length > 128 * 1024 || /^.{77,}/m.test(value);
}
