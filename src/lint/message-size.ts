import type { Diagnostic } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { encodedMessageSize, GMAIL_CLIP_BYTES, SIZE_WARN_BYTES } from "../message/size.js";
import { finding, type LintRule } from "./context.js";

/**
 * Gmail clips a message over about 102 KB ("[Message clipped] View entire message"), hiding the end —
 * the footer, the unsubscribe link. What counts is the encoded message as sent (quoted-printable and
 * base64 inflate Cyrillic 2–3×), so we measure what nodemailer's MailComposer builds from the HTML, the
 * text and the headers, for every sample reader, and report the largest.
 */
export const messageSize: LintRule = {
  id: "lint/message-size",
  async check(ctx) {
    let largest = 0;
    let html = 0;
    for (const r of ctx.readers) {
      const bytes = await encodedMessageSize(ctx.config, {
        subject: ctx.compiled.subject,
        html: r.html,
        text: r.text,
        to: r.subscriber.email,
      });
      if (bytes > largest) {
        largest = bytes;
        html = Buffer.byteLength(r.html);
      }
    }
    return sizeFindings(largest, html, ctx.file);
  },
};

const kb = (n: number) =>
  t("lint:kb", { n: new Intl.NumberFormat(language(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n / 1024) });

/** The verdict for a message of `bytes` encoded bytes (`htmlBytes` of them HTML before encoding). */
export function sizeFindings(bytes: number, htmlBytes: number, file: string): Diagnostic[] {
  const what = t("lint:messageSize.what", { size: kb(bytes), html: kb(htmlBytes) });
  const fix = t("lint:messageSize.fix");
  const limit = kb(GMAIL_CLIP_BYTES);
  if (bytes > GMAIL_CLIP_BYTES) return [finding("message-size", "error", t("lint:messageSize.clipped", { what, limit }), fix, { file })];
  if (bytes > SIZE_WARN_BYTES) return [finding("message-size", "warning", t("lint:messageSize.close", { what, limit }), fix, { file })];
  return [];
}
