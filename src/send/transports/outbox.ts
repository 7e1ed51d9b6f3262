import { createHash } from "node:crypto";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { type DkimOptions, toMailOptions } from "../../message/message.js";
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

/** `ivan.petrov@example.ru` → `ivan.petrov@example.ru.eml`; anything unusual in a file name is replaced, with a hash against collisions. */
export function outboxFileName(address: string): string {
  const safe = address.toLowerCase().replace(/[^a-z0-9@._+-]/g, "_");
  const suffix = safe === address.toLowerCase() ? "" : `-${createHash("sha256").update(address.toLowerCase()).digest("hex").slice(0, 8)}`;
  return `${safe.slice(0, 120)}${suffix}.eml`;
}

export class OutboxTransport implements Transport {
  readonly name = "outbox";
  readonly description: string;
  private readonly composer;
  constructor(private readonly options: OutboxOptions) {
    this.description = options.description ?? options.dir;
    this.composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows", dkim: options.dkim });
  }
  /** Once per run: a send killed mid-write left temp files in the folder (issue 11, item 8). */
  private swept?: Promise<unknown>;
  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    const file = join(this.options.dir, outboxFileName(message.to));
    try {
      this.swept ??= removeStaleTempFiles(this.options.dir);
      await this.swept;
      const info = await this.composer.sendMail(toMailOptions(message));
      await writeFileAtomic(file, info.message as Buffer);
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
