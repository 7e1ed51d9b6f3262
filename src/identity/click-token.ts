import { createHmac, timingSafeEqual } from "node:crypto";
import { addressKey } from "./address.js";
import { hmacSha256, signerFor } from "./hmac.js";

/**
 * Tracking tokens: `<slug>.<link>.<reader>.<sent>[-t].<base64url(HMAC-SHA256(secret, purpose newsletterId
 * slug link reader sent trial))>` (the MAC cut to 16 bytes). The newsletter id is inside the MAC, so a
 * token of another newsletter on the same secret fails; so is the purpose (`click` or `open`), so a
 * pixel's token never passes as a link's. The link number can only name a link of the stored
 * list (never an open redirect). Link 0 is the message's invisible canary: only scanners follow it.
 * `reader` is a hash of the reader's address under the newsletter (readerKey), never the address
 * itself. `sent` is when the message was made (seconds since 1970, base 36): a burst of clicks within
 * seconds of it is a scanner's (src/tracking/classify.ts). `-t` marks a trial's message (an outbox run
 * or a test send): its events are kept apart and count in no figure.
 */
export interface ClickClaim {
  slug: string;
  link: number;
  reader: string;
  /** When the message was made, seconds since 1970. */
  sent: number;
  trial: boolean;
}

export type TokenPurpose = "click" | "open";

/** The link number of the invisible canary link every tracked message carries. */
export const CANARY_LINK = 0;

function mac(secret: string, purpose: TokenPurpose, newsletterId: string, c: ClickClaim): string {
  return signerFor(secret)(`${purpose}\n${newsletterId}\n${c.slug}\n${c.link}\n${c.reader}\n${c.sent}\n${c.trial ? "trial" : ""}`)
    .subarray(0, 16)
    .toString("base64url");
}

/** A reader's key in click events: 16 hex digits of a hash of the address under the newsletter's id. */
export function readerKey(newsletterId: string, email: string): string {
  return createHmac("sha256", newsletterId).update(addressKey(email)).digest("hex").slice(0, 16);
}

/**
 * `readerKey` for many addresses under one newsletter (a send or a report hashes every reader of an
 * issue), through `hmacSha256`: the same keys as readerKey.
 */
export function readerKeyer(newsletterId: string): (email: string) => string {
  const sign = hmacSha256(newsletterId);
  return (email) => sign(addressKey(email)).toString("hex", 0, 8);
}

export function clickToken(claim: ClickClaim, newsletterId: string, secret: string, purpose: TokenPurpose = "click"): string {
  const sent = `${claim.sent.toString(36)}${claim.trial ? "-t" : ""}`;
  return `${claim.slug}.${claim.link}.${claim.reader}.${sent}.${mac(secret, purpose, newsletterId, claim)}`;
}

/** The open pixel's token: the reader's message, link 0, signed for `open`. */
export function openToken(claim: Omit<ClickClaim, "link">, newsletterId: string, secret: string): string {
  return clickToken({ ...claim, link: 0 }, newsletterId, secret, "open");
}

const TOKEN = /^([a-z0-9][a-z0-9-]{0,200})\.(0|[1-9]\d{0,5})\.([0-9a-f]{16})\.([0-9a-z]{1,8})(-t)?\.([A-Za-z0-9_-]{22})$/;

/** What a token claims, or undefined for a forged, truncated, altered or foreign one. */
export function verifyClickToken(
  token: string,
  newsletterId: string,
  secret: string,
  purpose: TokenPurpose = "click",
): ClickClaim | undefined {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const claim = { slug: m[1], link: Number(m[2]), reader: m[3], sent: Number.parseInt(m[4], 36), trial: m[5] === "-t" };
  // one spelling per claim: `01` for `1` is refused like any other alteration
  if ((purpose === "open" && claim.link !== 0) || claim.sent.toString(36) !== m[4]) return undefined;
  const given = Buffer.from(m[6], "latin1");
  const expected = Buffer.from(mac(secret, purpose, newsletterId, claim), "latin1");
  return given.length === expected.length && timingSafeEqual(given, expected) ? claim : undefined;
}
