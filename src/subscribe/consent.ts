import { createHash } from "node:crypto";

/**
 * The hash of the consent text a form showed, recorded with each request. Its own module: the site
 * `build` writes puts it in every subscribe form, and a build must not load the subscribe machinery
 * (the address rules and the CSV reader behind them).
 */
export function consentTextHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
