import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { parse } from "csv-parse";
import iconv from "iconv-lite";
import type { NewsletterConfig } from "../config/schema.js";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";

import { addressKey, emailProblem, stripControls } from "../identity/address.js";
import type { ScheduleAudience } from "../issue/schema.js";
import type { AudienceIdentity } from "../state/ledger.js";
import { sniffUtf16 } from "../util/encoding.js";

/**
 * The recipient list: a CSV file with a header row and an `email` column (any case), streamed through
 * csv-parse so memory does not grow with the list. Delimiter `,` `;` or tab is detected from the header;
 * UTF-8 with or without BOM, or `--encoding windows-1251` for Excel exports. Or `--to a@x.ru,b@y.ru`.
 * Yields every row; the caller (the ledger) finds duplicates, so nothing here holds the whole list.
 */
export interface AudienceRow {
  /** Line of the file where the row starts (1 = header). */
  line: number;
  /** The address as written, trimmed. */
  address: string;
  /** undefined when the address is usable; otherwise why not. */
  invalid?: string;
  /** The other columns, by header name. */
  fields: Record<string, string>;
}

export interface AudienceSource {
  /** For messages: the file path, or "--to". */
  label: string;
  rows(): AsyncIterable<AudienceRow>;
  /**
   * Which list this is, read before any row is imported: a send is tied to the list its run started with
   * (src/state/ledger.ts `beginRun` refuses another list while the run is live). The same file contents
   * (wherever the file lies), the same `--to` addresses in any order, the same subscriber list. Absent:
   * not checked (serve's welcome issue, one reader at a time).
   */
  identity?(): Promise<AudienceIdentity>;
  /**
   * The list for this issue, once it is compiled: the subscriber list narrows itself to the issue's
   * `topic:` and audience (src/send/subscribers.ts). Absent: the same list for every issue.
   */
  forIssue?(issue: { topic?: string; audience?: ScheduleAudience }, config: Pick<NewsletterConfig, "topics">): Promise<AudienceSource>;
}

/** `--to a@x.ru,b@y.ru` (also `;` or spaces between). */
export function addressList(value: string): AudienceSource {
  const parts = value
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    label: "--to",
    async identity() {
      const keys = [...new Set(parts.map((p) => addressKey(p)))].sort();
      return { fingerprint: `to:${createHash("sha256").update(keys.join("\n")).digest("hex")}`, label: `--to (${keys.length})` };
    },
    async *rows() {
      let i = 0;
      for (const address of parts) yield { line: ++i, address, invalid: emailProblem(address), fields: {} };
    },
  };
}

export type CsvEncoding = "utf-8" | "windows-1251" | string;

export function normaliseEncoding(encoding: string | undefined): string {
  const e = (encoding ?? "utf-8").trim().toLowerCase();
  if (e === "utf8" || e === "utf-8") return "utf-8";
  if (e === "cp1251" || e === "win1251" || e === "windows1251") return "windows-1251";
  if (!iconv.encodingExists(e)) {
    throw new RassylkaError({
      ruleId: "send/encoding",
      severity: "error",
      message: t("send-audience:encoding", { encoding }),
      field: "--encoding",
      fix: t("send-audience:encoding.fix"),
    });
  }
  return e;
}

/** The delimiter that splits the header line most often (outside quotes). */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [",", 0],
    [";", 0],
    ["\t", 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * Bytes → text, with CRLF and lone CR turned into LF (csv-parse counts CRLF inside quoted fields as two
 * lines, and we report line numbers). UTF-8 is decoded strictly: the first invalid byte is an error
 * that names its line and suggests --encoding.
 */
class Decode extends Transform {
  private line = 1;
  private pendingCr = false;
  private readonly utf8?: TextDecoder;
  private readonly iconv?: ReturnType<typeof iconv.getDecoder>;
  constructor(
    encoding: string,
    private readonly file: string,
  ) {
    super({ readableObjectMode: false, decodeStrings: true });
    if (encoding === "utf-8") this.utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
    else this.iconv = iconv.getDecoder(encoding);
  }
  private decode(chunk: Buffer | undefined): string {
    if (this.iconv) return chunk ? this.iconv.write(chunk) : (this.iconv.end() ?? "");
    try {
      return chunk ? this.utf8!.decode(chunk, { stream: true }) : this.utf8!.decode();
    } catch (cause) {
      const lossy = chunk ? new TextDecoder("utf-8").decode(chunk) : "";
      const at = lossy.indexOf("\uFFFD");
      const line = this.line + (at > 0 ? (lossy.slice(0, at).match(/\r\n|\r|\n/g)?.length ?? 0) : 0);
      throw new RassylkaError(
        {
          ruleId: "send/csv-encoding",
          severity: "error",
          message: "the recipient list is not valid UTF-8",
          file: this.file,
          line,
          fix: "if it was saved by Excel with Cyrillic text, add --encoding windows-1251; or save it as “CSV UTF-8”",
        },
        { cause },
      );
    }
  }
  private put(text: string): void {
    let s = text;
    if (this.pendingCr) {
      s = `\r${s}`;
      this.pendingCr = false;
    }
    if (s.endsWith("\r")) {
      this.pendingCr = true;
      s = s.slice(0, -1);
    }
    const out = s.replace(/\r\n?/g, "\n");
    this.line += out.match(/\n/g)?.length ?? 0;
    if (out) this.push(out);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.put(this.decode(chunk));
      done();
    } catch (e) {
      done(e as Error);
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      this.put(this.decode(undefined));
      if (this.pendingCr) this.push("\n");
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

async function readHead(path: string, bytes = 65536): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A CSV recipient list. `label` is how messages name the file. */
export function csvFile(path: string, options: { encoding?: string; label?: string } = {}): AudienceSource {
  const given = normaliseEncoding(options.encoding);
  const label = options.label ?? path;
  const fail = (message: string, fix: string, line?: number, cause?: unknown) =>
    new RassylkaError({ ruleId: "send/csv", severity: "error", message, file: label, line, fix }, { cause });
  const unreadable = (cause: unknown) =>
    fail(
      t("send-audience:unreadable", { reason: String((cause as NodeJS.ErrnoException).code ?? cause) }),
      t("send-audience:unreadable.fix"),
      undefined,
      cause,
    );
  return {
    label,
    async identity() {
      // the bytes, streamed: hashing them costs a small part of reading the list, and nothing is held
      const hash = createHash("sha256").update(`${given}\n`);
      try {
        for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      } catch (cause) {
        throw unreadable(cause);
      }
      return { fingerprint: `csv:${hash.digest("hex")}`, label };
    },
    async *rows() {
      let head: Buffer;
      try {
        head = await readHead(path);
      } catch (cause) {
        throw unreadable(cause);
      }
      // a UTF-16 file read as UTF-8 (or windows-1251) is a NUL between every letter: read it as what its mark says
      const utf16 = given === "utf-8" || given === "windows-1251" ? sniffUtf16(head) : undefined;
      if (utf16 === "utf-16-nobom") {
        throw fail(
          "the recipient list looks like UTF-16 text without a byte-order mark",
          "save it as “CSV UTF-8” (Excel: File → Save As → CSV UTF-8), or add --encoding utf-16le",
          1,
        );
      }
      const encoding = utf16 ?? given;
      const headText = (encoding === "utf-8" ? head.toString("utf8") : iconv.decode(head, encoding)).replace(/^\uFEFF/, "");
      const headerLine = headText.split(/\r\n|\r|\n/)[0] ?? "";
      const delimiter = detectDelimiter(headerLine);
      let emailColumn: string | undefined;
      const parser = parse({
        delimiter,
        bom: true,
        info: true,
        raw: true,
        skip_empty_lines: true,
        relax_column_count: true,
        trim: false,
        columns: (header: string[]) => {
          const names = header.map((h) => h.replace(/^\uFEFF/, "").trim());
          emailColumn = names.find((h) => h.toLowerCase() === "email" || h.toLowerCase() === "e-mail");
          if (!emailColumn) {
            throw fail(
              t("send-audience:noEmail", {
                header: names.map((n) => JSON.stringify(n)).join(delimiter === "\t" ? " ⇥ " : ` ${delimiter} `),
              }),
              t("send-audience:noEmail.fix"),
              1,
            );
          }
          return names;
        },
      });
      const input = createReadStream(path);
      const decode = new Decode(encoding, label);
      input.on("error", (e) => decode.destroy(e));
      decode.on("error", (e) => parser.destroy(e));
      input.pipe(decode).pipe(parser);
      try {
        for await (const item of parser as AsyncIterable<{
          record: Record<string, string | undefined>;
          info: { lines: number };
          raw: string;
        }>) {
          const raw = item.raw.replace(/^\n+/, "").replace(/\n$/, "");
          const line = item.info.lines - (raw.match(/\n/g)?.length ?? 0);
          const fields: Record<string, string> = {};
          for (const [k, v] of Object.entries(item.record)) if (k && k !== emailColumn && v !== undefined) fields[k] = stripControls(v);
          const address = stripControls(item.record[emailColumn!] ?? "").trim();
          yield { line, address, invalid: emailProblem(address), fields };
        }
      } catch (e) {
        if (e instanceof RassylkaError) throw e;
        const err = e as Error & { code?: string; lines?: number };
        throw fail(t("send-audience:badCsv", { detail: err.message }), t("send-audience:badCsv.fix"), err.lines, e);
      } finally {
        input.destroy();
      }
    },
  };
}
