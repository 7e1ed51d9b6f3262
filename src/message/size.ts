import MailComposer from "nodemailer/lib/mail-composer";
import type { NewsletterConfig } from "../config/schema.js";
import { buildMessage, messageContext, subscriberFor, toMailOptions } from "./message.js";

/**
 * Gmail clips a message whose size passes about 102 KB and hides the rest behind "[Message clipped]
 * View entire message" — with the unsubscribe link and the tracking of the footer. The size that counts
 * is the encoded message (quoted-printable or base64 inflate Cyrillic text by 2–3×), not the HTML string,
 * so we measure what nodemailer would put on the wire: headers, text part and HTML part.
 */
export const GMAIL_CLIP_BYTES = 102 * 1024;
/** Above this the message is close enough to the clip that one more section may push it over. */
export const SIZE_WARN_BYTES = 80 * 1024;

export type SizeLevel = "ok" | "warning" | "error";

/** The placeholder key of the size estimate's unsubscribe token: a token is as long whatever the key. */
const ESTIMATE_SECRET = "size-estimate-only-not-a-secret";

export async function encodedMessageSize(
  config: NewsletterConfig,
  message: { subject: string; html: string; text: string; to?: string },
): Promise<number> {
  const to = message.to ?? "reader@example.org";
  // the message a real send builds: List-Id, List-Unsubscribe with a reader's token, the same MIME
  const ctx = messageContext(config, "issue", message.subject, ESTIMATE_SECRET);
  const recipient = { address: to, key: to, fields: {}, messageId: "preview@rassylka.invalid" };
  const built = buildMessage(ctx, recipient, subscriberFor(ctx, recipient), message, new Date(0));
  const raw: Buffer = await new MailComposer(toMailOptions(built)).compile().build();
  return raw.length;
}

export function sizeLevel(bytes: number): SizeLevel {
  return bytes > GMAIL_CLIP_BYTES ? "error" : bytes > SIZE_WARN_BYTES ? "warning" : "ok";
}

/** "41,3 КБ" in the page's language; kilobytes of 1024 bytes, as Gmail counts. */
export function formatKb(bytes: number, language = "ru"): string {
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1, minimumFractionDigits: bytes % 1024 === 0 ? 0 : 1 }).format(bytes / 1024)} ${language.startsWith("ru") ? "КБ" : "KB"}`;
}
