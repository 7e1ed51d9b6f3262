import type { Diagnostic } from "../diagnostics.js";
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

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** The verdict for a message of `bytes` encoded bytes (`htmlBytes` of them HTML before encoding). */
export function sizeFindings(bytes: number, htmlBytes: number, file: string): Diagnostic[] {
  const what = `the encoded message is ${kb(bytes)} (HTML ${kb(htmlBytes)} before encoding)`;
  const fix = "shorten the issue or split it in two; trim inline styles and long link URLs in the templates; link images, never embed them";
  if (bytes > GMAIL_CLIP_BYTES)
    return [
      finding("message-size", "error", `${what}: Gmail clips messages over ${kb(GMAIL_CLIP_BYTES)} and hides the rest`, fix, { file }),
    ];
  if (bytes > SIZE_WARN_BYTES)
    return [finding("message-size", "warning", `${what}: close to Gmail's ${kb(GMAIL_CLIP_BYTES)} clipping limit`, fix, { file })];
  return [];
}
