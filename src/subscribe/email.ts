import { randomUUID } from "node:crypto";
import Handlebars from "handlebars";
import type { NewsletterConfig } from "../config/schema.js";
import { pageStrings } from "../i18n/pages.js";
import type { OutgoingMessage } from "../send/transport.js";

/**
 * The confirmation email: one short message in the newsletter's language with the personal link
 * (src/subscribe/tokens.ts). Plain text and a small HTML part from a template that escapes every value.
 * No List-Unsubscribe (the reader is not on the list yet); `Auto-Submitted` (RFC 3834) keeps
 * autoresponders from answering it.
 */
const HTML = Handlebars.create().compile<{ lang: string; body: string; link: string; linkText: string; footer: string }>(
  `<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;padding:24px;background:#f3f1ec;font:16px/1.5 Arial,Helvetica,sans-serif;color:#22252a">
<div style="max-width:32rem;margin:0 auto;background:#fff;border-radius:6px;padding:24px">
<p>{{body}}</p>
<p><a href="{{link}}" style="display:inline-block;padding:10px 20px;background:#1c3b5a;color:#fff;text-decoration:none;border-radius:4px">{{linkText}}</a></p>
<p style="font-size:14px;color:#4a4f57;overflow-wrap:anywhere">{{link}}</p>
<p style="font-size:14px;color:#4a4f57">{{footer}}</p>
</div></body></html>
`,
  { strict: true },
);

export const CONFIRM_DAYS = 3;

export function confirmationMessage(
  config: Pick<NewsletterConfig, "name" | "language" | "from" | "replyTo" | "returnPath">,
  to: { address: string; fields: Record<string, string> },
  link: string,
  date: Date,
): OutgoingMessage {
  const t = pageStrings(config.language).subscribe;
  const body = t.emailBody(to.address, config.name);
  const footer = t.emailFooter(CONFIRM_DAYS);
  const domain = config.from.email.split("@")[1]?.toLowerCase() || "localhost";
  return {
    to: to.address,
    subscriber: { ...to.fields, email: to.address },
    from: config.from,
    replyTo: config.replyTo,
    returnPath: config.returnPath,
    subject: t.emailSubject(config.name),
    text: `${body}\n\n${link}\n\n${footer}\n`,
    html: HTML({ lang: config.language, body, link, linkText: t.emailLinkText, footer }),
    messageId: `${randomUUID()}.confirm@${domain}`,
    headers: { "Auto-Submitted": "auto-generated" },
    date,
  };
}
