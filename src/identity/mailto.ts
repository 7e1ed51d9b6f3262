import { addressKey } from "./address.js";
import { signerFor } from "./hmac.js";
import { issueTag } from "./verp.js";

/**
 * Unsubscribe by mail (RFC 2369 `List-Unsubscribe: <mailto:…>`), per reader: the address is
 * `<local>+u-<token>@<domain>` of `unsubscribe.mailto`, so a message to it names the reader without
 * trusting its From (a forwarded address, an alias, a spoofed sender). The token is lower-case hex like
 * the VERP token (src/identity/verp.ts: MTAs may lower-case local parts) — the issue's 8 characters, then
 * 16 naming the reader, keyed with RASSYLKA_SECRET under a label of its own, so a bounce token is never an
 * unsubscribe token. A forged or altered token names nobody: `bounces import|fetch` resolves it against
 * the readers the ledger sent that issue to, and ignores it otherwise.
 */
export const MAILTO_TAG = "u-";
const TOKEN = /[0-9a-f]{24}/;

export function mailtoReaderTag(secret: string, newsletterId: string, issue: string, email: string): string {
  return signerFor(secret)(["rassylka-unsubscribe-reader", newsletterId, issue, addressKey(email)].join("\n")).toString("hex", 0, 8);
}

export function mailtoToken(secret: string, newsletterId: string, issue: string, email: string): string {
  return issueTag(secret, newsletterId, issue) + mailtoReaderTag(secret, newsletterId, issue, email);
}

/** `unsubscribe@example.ru` + token → `unsubscribe+u-<token>@example.ru`. */
export function mailtoAddress(mailto: string, token: string): string {
  const at = mailto.lastIndexOf("@");
  return `${mailto.slice(0, at)}+${MAILTO_TAG}${token}${mailto.slice(at)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The tokens of `<local>+u-<token>@<domain>` addresses of this `unsubscribe.mailto` in a text (a
 * message's own To, Delivered-To… lines), lower-cased, first seen first.
 */
export function mailtoTokensIn(text: string, mailto: string): string[] {
  const at = mailto.lastIndexOf("@");
  const local = escapeRegExp(mailto.slice(0, at));
  const domain = escapeRegExp(mailto.slice(at + 1));
  const pattern = new RegExp(`(?<![\\w.!#$%&'*+/=?^\`{|}~-])${local}\\+${MAILTO_TAG}(${TOKEN.source})@${domain}(?![\\w.-])`, "gi");
  return [...new Set([...text.matchAll(pattern)].map((m) => m[1].toLowerCase()))];
}
