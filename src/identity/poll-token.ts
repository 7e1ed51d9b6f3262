import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Poll answer tokens (docs/polls.md): `<poll>.<answer>.<reader>.<base64url(HMAC-SHA256(secret, "poll"
 * newsletterId poll answer reader))>`, the MAC cut to 16 bytes. The newsletter id is inside the MAC, so a
 * token of another newsletter on the same secret fails; `reader` is the reader's key (click-token.ts
 * readerKey: a hash of the address, never the address). The answer is only what the vote page shows
 * chosen: the reader may pick another before the button.
 */
export interface PollClaim {
  poll: string;
  /** 1-based answer number. */
  answer: number;
  reader: string;
}

/** A poll id: lower-case Latin letters, digits and hyphens (it stands in URLs and tokens). */
export const POLL_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

function mac(secret: string, newsletterId: string, c: PollClaim): string {
  return createHmac("sha256", secret)
    .update(`poll\n${newsletterId}\n${c.poll}\n${c.answer}\n${c.reader}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

export function pollToken(claim: PollClaim, newsletterId: string, secret: string): string {
  return `${claim.poll}.${claim.answer}.${claim.reader}.${mac(secret, newsletterId, claim)}`;
}

/** What a token claims, or undefined for a forged, truncated, altered or foreign one. */
export function verifyPollToken(token: string, newsletterId: string, secret: string): PollClaim | undefined {
  const m = /^([a-z0-9][a-z0-9-]{0,63})\.([1-9]\d?)\.([0-9a-f]{16})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m || !POLL_ID.test(m[1])) return undefined;
  const claim = { poll: m[1], answer: Number(m[2]), reader: m[3] };
  const given = Buffer.from(m[4], "latin1");
  const expected = Buffer.from(mac(secret, newsletterId, claim), "latin1");
  return given.length === expected.length && timingSafeEqual(given, expected) ? claim : undefined;
}

/**
 * Who voted, as the votes table keeps it: with `tracking.anonymous` a key of this poll alone (HMAC under the
 * secret: one vote per reader still holds, but it joins no click, no other poll and no address); otherwise
 * the reader's key, which the report can join with the same reader's clicks.
 */
export function voterKey(claim: PollClaim, anonymous: boolean, secret: string): string {
  if (!anonymous) return claim.reader;
  return createHmac("sha256", secret).update(`voter\n${claim.poll}\n${claim.reader}`).digest("hex").slice(0, 16);
}
