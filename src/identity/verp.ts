import { addressKey } from "./address.js";
import { signerFor } from "./hmac.js";

/**
 * VERP (variable envelope return path, D. J. Bernstein): every reader's message goes out with its own
 * envelope sender, `bounces+<token>@example.ru` for `returnPath: bounces@example.ru`, so a bounce names
 * the message it is about even when the remote server quotes nothing of it. The same token rides in the
 * `X-Rassylka-Bounce` header, for the bounces and complaint reports that quote only the headers.
 *
 * The token is lower-case hex (some MTAs lower-case local parts; hex survives that, and `+` addressing)
 * of two HMAC-SHA256 values keyed with RASSYLKA_SECRET: 4 bytes naming the issue, 8 naming the reader
 * within it. Nothing in it can be read or forged without the secret; it is resolved by computing the same
 * values for the issues and readers the ledger knows (src/bounces/attribute.ts). 24 characters keep
 * `bounces+<token>` far below the 64 octets RFC 5321 §4.5.3.1.1 allows a local part.
 */
export const BOUNCE_HEADER = "X-Rassylka-Bounce";
export const TOKEN_LENGTH = 24;
const ISSUE_HEX = 8;

function mac(secret: string, ...parts: string[]): string {
  return signerFor(secret)(parts.join("\n")).toString("hex");
}

/** The issue half of a token (8 hex characters). */
export function issueTag(secret: string, newsletterId: string, issue: string): string {
  return mac(secret, "rassylka-bounce-issue", newsletterId, issue).slice(0, ISSUE_HEX);
}

/** The reader half of a token (16 hex characters). */
export function readerTag(secret: string, newsletterId: string, issue: string, email: string): string {
  return mac(secret, "rassylka-bounce-reader", newsletterId, issue, addressKey(email)).slice(0, TOKEN_LENGTH - ISSUE_HEX);
}

/**
 * The per-reader part of our Message-IDs when the secret is set: HMAC-SHA256 of the newsletter, the issue
 * and the reader, 32 hex characters. A report quoting a Message-ID whose part is this for the reader the
 * ledger sent it to proves it saw our message (Mail.ru's feedback loop and most ARF reports quote the
 * original's headers); without the secret nobody can make one up for a reader they name.
 */
export function messageIdTag(secret: string, newsletterId: string, issue: string, email: string): string {
  return mac(secret, "rassylka-message-id", newsletterId, issue, addressKey(email)).slice(0, 32);
}

export function bounceToken(secret: string, newsletterId: string, issue: string, email: string): string {
  return issueTag(secret, newsletterId, issue) + readerTag(secret, newsletterId, issue, email);
}

export function splitToken(token: string): { issue: string; reader: string } {
  const t = token.toLowerCase();
  return { issue: t.slice(0, ISSUE_HEX), reader: t.slice(ISSUE_HEX) };
}

/** `bounces@example.ru` + token → `bounces+<token>@example.ru`. */
export function verpAddress(returnPath: string, token: string): string {
  const at = returnPath.lastIndexOf("@");
  return `${returnPath.slice(0, at)}+${token}${returnPath.slice(at)}`;
}

const TOKEN_IN_ADDRESS = new RegExp(`\\+([0-9a-f]{${TOKEN_LENGTH}})@`, "gi");
const TOKEN_ALONE = new RegExp(`^\\s*([0-9a-f]{${TOKEN_LENGTH}})\\s*$`, "i");

/** Tokens in addresses (`…+<token>@…`) anywhere in the text, lower-cased, first seen first. */
export function tokensInText(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN_IN_ADDRESS)].map((m) => m[1].toLowerCase()))];
}

/** The token of an `X-Rassylka-Bounce` header value, or undefined. */
export function tokenOfHeader(value: string | undefined): string | undefined {
  return value ? TOKEN_ALONE.exec(value)?.[1].toLowerCase() : undefined;
}
