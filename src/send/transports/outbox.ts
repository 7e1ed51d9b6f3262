import { createHash } from "node:crypto";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { DkimSigner, signWith } from "../../message/dkim.js";
import { type DkimOptions, mailOptionsFor } from "../../message/message.js";
import { removeStaleTempFiles, writeFileAtomic } from "../../util/fs.js";
import type { DeliveryResult, OutgoingMessage, Transport } from "../transport.js";

/**
 * The default transport: one `.eml` file per reader in `outbox/<slug>/`, written atomically, so the
 * example issue can be "sent" with no mail server and the result opened in any mail client. The file
 * is the exact message SMTP would carry (same MIME, same headers, DKIM-signed when configured).
 */
export interface OutboxOptions {
  /** Folder for this files, e.g. `<root>/outbox/<slug>`. */
  dir: string;
  dkim?: DkimOptions;
  /** Shown in the prompt and the summary; default: the folder. */
  description?: string;
}

/**
 * `ivan.petrov@example.ru` → `ivan.petrov@example.ru.eml`. A name that had to change (characters not safe
 * in a file name replaced, or cut to 120 characters) gets a hash of the whole address, so two readers
 * never share a file.
 */
export function outboxFileName(address: string): string {
  const lower = address.toLowerCase();
  const safe = lower.replace(/[^a-z0-9@._+-]/g, "_");
  if (safe === lower && safe.length <= 120) return `${safe}.eml`;
  return `${safe.slice(0, 120)}-${createHash("sha256").update(lower).digest("hex").slice(0, 16)}.eml`;
}

export class OutboxTransport implements Transport {
  readonly name = "outbox";
  readonly description: string;
  /** Files, not delivery: a send to the outbox is a trial (src/send/transport.ts). */
  readonly trial = true;
  private readonly composer;
  constructor(private readonly options: OutboxOptions) {
    this.description = options.description ?? options.dir;
    this.composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
    if (options.dkim) signWith(this.composer, new DkimSigner(options.dkim));
  }
  /** Once per run: a send killed mid-write left temp files in the folder. */
  private swept?: Promise<unknown>;
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    const file = join(this.options.dir, outboxFileName(message.to));
    try {
      this.swept ??= removeStaleTempFiles(this.options.dir);
      await this.swept;
      // the raw message spliced from the prepared MIME (toMailOptions when there is none)
      const info = await this.composer.sendMail(mailOptionsFor(message));
      // what a delivering server writes on top of a message: where its bounces would go
      const body = info.message as Buffer;
      const returnPath = message.returnPath ? Buffer.from(`Return-Path: <${message.returnPath}>\r\n`) : undefined;
      await writeFileAtomic(file, returnPath ? Buffer.concat([returnPath, body]) : body);
      return { status: "sent", response: `written ${file}` };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // a full disk or a permission problem may pass; anything else about the message will not
      const transient = ["ENOSPC", "EMFILE", "EBUSY", "EAGAIN", "EIO"].includes(err.code ?? "");
      return { status: transient ? "transient" : "permanent", response: err.message };
    }
  }
  async close(): Promise<void> {
    this.composer.close();
  }
}
