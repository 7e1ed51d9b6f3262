import { createHash, createPrivateKey, type KeyObject, sign } from "node:crypto";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { foldLines } from "nodemailer/lib/mime-funcs";

/**
 * DKIM signing (RFC 6376, relaxed/relaxed) with over-signing. nodemailer's signer lists each header name in
 * `h=` once and only when the message has it, so a relay or a forwarder can add a second From, Subject or
 * List-Unsubscribe (or a List-Unsubscribe-Post that turns a mailto into a one-click URL) and the signature
 * still verifies. Here every header the message has when it is signed is signed, and From, Subject,
 * List-Unsubscribe and List-Unsubscribe-Post are named once more than they occur: by RFC 6376 §5.4.2 a
 * name with no instance left signs "nothing", so any such header added later breaks the signature
 * (the practice RFC 8058 §4 and M3AAWG recommend for one-click unsubscribe).
 *
 * RSA keys sign `rsa-sha256`, Ed25519 keys `ed25519-sha256` (RFC 8463: the key signs the SHA-256 of the
 * header data).
 */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** Named once more in `h=` than the message has them. */
export const OVERSIGNED = ["from", "subject", "list-unsubscribe", "list-unsubscribe-post"];

/** Fields never signed: a later hop rewrites or adds them as a matter of course. */
const UNSIGNED = new Set(["return-path", "received", "dkim-signature"]);

interface Field {
  /** Lower-cased name. */
  key: string;
  /** The whole field as written, folding kept, without the final line break. */
  line: string;
}

/** RFC 6376 §3.4.2: name lower-cased, value unfolded, runs of WSP one space, none around the colon or at the end. */
function relaxedHeader(field: Field): string {
  const value = field.line.slice(field.line.indexOf(":") + 1);
  return `${field.key}:${value
    .replace(/\r?\n/g, "")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "")}`;
}

/** RFC 6376 §3.4.4: WSP runs one space, none at line ends, no empty lines at the end, CRLF line ends. */
function relaxedBody(body: string): string {
  const lines = body.split(/\r?\n/).map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.length ? `${lines.join("\r\n")}\r\n` : "";
}

function parseFields(head: string): Field[] {
  const fields: Field[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1].line += `\r\n${line}`;
    else if (line.includes(":")) fields.push({ key: line.slice(0, line.indexOf(":")).trim().toLowerCase(), line });
  }
  return fields;
}

export class DkimSigner {
  private readonly key: KeyObject;
  private readonly algorithm: "rsa-sha256" | "ed25519-sha256";
  constructor(private readonly options: DkimKey) {
    this.key = createPrivateKey(options.privateKey);
    this.algorithm = this.key.asymmetricKeyType === "ed25519" ? "ed25519-sha256" : "rsa-sha256";
  }

  /** The `DKIM-Signature:` field for a whole message (bytes as they go out), folded, ending in CRLF. */
  signature(message: Buffer, time = new Date()): string {
    // latin1 keeps every byte as one character: 8-bit header bytes are hashed as they are
    const text = message.toString("latin1");
    const split = /\r?\n\r?\n/.exec(text);
    const head = split ? text.slice(0, split.index) : text;
    const body = split ? text.slice(split.index + split[0].length) : "";
    const bh = createHash("sha256").update(relaxedBody(body), "latin1").digest("base64");

    const fields = parseFields(head);
    const names: string[] = [];
    const count = new Map<string, number>();
    for (const f of fields) {
      if (UNSIGNED.has(f.key)) continue;
      names.push(f.key);
      count.set(f.key, (count.get(f.key) ?? 0) + 1);
    }
    names.push(...OVERSIGNED);
    // §5.4.2: several instances of a name are signed from the bottom up; a name with none left signs nothing
    const used = new Map<string, number>();
    let data = "";
    for (const name of names) {
      const n = used.get(name) ?? 0;
      used.set(name, n + 1);
      const instances = fields.filter((f) => f.key === name);
      const field = instances[instances.length - 1 - n];
      if (field) data += `${relaxedHeader(field)}\r\n`;
    }
    const tags = [
      "v=1",
      `a=${this.algorithm}`,
      "c=relaxed/relaxed",
      `d=${this.options.domainName}`,
      `s=${this.options.keySelector}`,
      `t=${Math.floor(time.getTime() / 1000)}`,
      `h=${names.join(":")}`,
      `bh=${bh}`,
      "b=",
    ].join("; ");
    const unsigned = foldLines(`DKIM-Signature: ${tags}`, 76);
    data += relaxedHeader({ key: "dkim-signature", line: unsigned });
    const b =
      this.algorithm === "rsa-sha256"
        ? sign("sha256", Buffer.from(data, "latin1"), this.key)
        : sign(null, createHash("sha256").update(data, "latin1").digest(), this.key);
    // the b= value folded at 72 characters; whitespace inside it is ignored by verifiers (§3.5)
    return `${unsigned}${b.toString("base64").replace(/.{1,72}/g, "\r\n $&")}\r\n`;
  }

  /** The message with its signature on top. */
  sign(message: Buffer): Buffer {
    return Buffer.concat([Buffer.from(this.signature(message), "latin1"), message]);
  }

  /** nodemailer's `processFunc` shape: the message in, the signed message out (held whole: it is signed at its end). */
  stream(): Transform {
    const chunks: Buffer[] = [];
    return new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        chunks.push(chunk);
        done();
      },
      flush: (done: TransformCallback) => {
        try {
          done(null, this.sign(Buffer.concat(chunks)));
        } catch (error) {
          done(error as Error);
        }
      },
    });
  }
}

/** What signWith needs of a nodemailer transport: its `stream` plugin step, where the message is built but not yet sent. */
interface PluggableTransport {
  use(
    step: "stream",
    plugin: (mail: { message: { processFunc(fn: (input: Readable) => Readable): void } }, done: () => void) => void,
  ): unknown;
}

/** The transport signs each message with `signer` instead of with nodemailer's own DKIM (which cannot over-sign). */
export function signWith(transport: PluggableTransport, signer: DkimSigner): void {
  transport.use("stream", (mail, done) => {
    mail.message.processFunc((input) => input.pipe(signer.stream()));
    done();
  });
}
