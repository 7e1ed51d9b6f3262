import { createHmac } from "node:crypto";
import { addressKey } from "./address.js";

/**
 * A reader's place in an issue's A/B test: HMAC-SHA256(secret, "ab" newsletterId slug address) read as a
 * number in [0, 1). The same reader of the same issue lands in the same place on every run and every
 * worker, so a resumed or shared send puts each reader in the same group; another issue shuffles anew.
 * Keyed with RASSYLKA_SECRET like the Message-IDs and tokens: nobody can tell the groups from the list.
 */
export function abBucket(secret: string, newsletterId: string, slug: string, email: string): number {
  const mac = createHmac("sha256", secret)
    .update(`ab\n${newsletterId}\n${slug}\n${addressKey(email)}`)
    .digest();
  // 48 bits are exact in a double
  return mac.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Which group a place falls in: variant i (0-based) for [i·sample, (i+1)·sample), `held` beyond
 * variants·sample (they wait for the winner).
 */
export function abGroup(bucket: number, variants: number, sample: number): number | "held" {
  const i = Math.floor(bucket / sample);
  return i < variants ? i : "held";
}
