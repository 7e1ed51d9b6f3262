import { createHmac, timingSafeEqual } from "node:crypto";
import { addressKey } from "./address.js";

/**
 * Click tokens: `<slug>.<link>.<reader>.<base64url(HMAC-SHA256(secret, "click" newsletterId slug link reader))>`
 * (the MAC cut to 16 bytes). The newsletter id is inside the MAC, so a token of another newsletter on the
 * same secret fails; the link number can only name a link of the stored list (never an open
 * redirect). Link 0 is the message's invisible canary: only scanners follow it. `reader` is a hash of the
 * reader's address under the newsletter (readerKey), never the address itself.
 */
export interface ClickClaim {
  slug: string;
  link: number;
  reader: string;
}

/** The link number of the invisible canary link every tracked message carries. */
export const CANARY_LINK = 0;

function mac(secret: string, newsletterId: string, c: ClickClaim): string {
  return createHmac("sha256", secret)
    .update(`click\n${newsletterId}\n${c.slug}\n${c.link}\n${c.reader}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/** A reader's key in click events: 16 hex digits of a hash of the address under the newsletter's id. */
export function readerKey(newsletterId: string, email: string): string {
  return createHmac("sha256", newsletterId).update(addressKey(email)).digest("hex").slice(0, 16);
}

export function clickToken(claim: ClickClaim, newsletterId: string, secret: string): string {
  return `${claim.slug}.${claim.link}.${claim.reader}.${mac(secret, newsletterId, claim)}`;
}

/** What a token claims, or undefined for a forged, truncated, altered or foreign one. */
export function verifyClickToken(token: string, newsletterId: string, secret: string): ClickClaim | undefined {
  const m = /^([a-z0-9][a-z0-9-]{0,200})\.(0|[1-9]\d{0,5})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const claim = { slug: m[1], link: Number(m[2]), reader: m[3] };
  const given = Buffer.from(m[4], "latin1");
  const expected = Buffer.from(mac(secret, newsletterId, claim), "latin1");
  return given.length === expected.length && timingSafeEqual(given, expected) ? claim : undefined;
}
