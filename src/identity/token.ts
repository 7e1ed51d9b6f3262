import { timingSafeEqual } from "node:crypto";
import { RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { addressKey } from "./address.js";
import { signerFor } from "./hmac.js";

/**
 * Unsubscribe tokens: `<base64url(address)>.<base64url(HMAC-SHA256(secret, newsletterId \n address))>`.
 * Verifiable without a database lookup, URL-safe, and not guessable from an address without the secret
 * (`RASSYLKA_SECRET`). The newsletter id is inside the MAC, so a token of another newsletter fails.
 */
export const SECRET_ENV = "RASSYLKA_SECRET";

function mac(secret: string, newsletterId: string, email: string): Buffer {
  return signerFor(secret)(`${newsletterId}\n${email}`);
}

export function createUnsubscribeToken(email: string, newsletterId: string, secret: string): string {
  const address = addressKey(email);
  return `${Buffer.from(address).toString("base64url")}.${mac(secret, newsletterId, address).toString("base64url")}`;
}

/** The address a token was made for, or undefined for a forged, altered, foreign or malformed token. */
export function verifyUnsubscribeToken(token: string, newsletterId: string, secret: string): string | undefined {
  const m = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const address = Buffer.from(m[1], "base64url").toString("utf8");
  if (Buffer.from(address).toString("base64url") !== m[1] || !address.includes("@")) return undefined;
  // Compare the encodings, not the decoded bytes: the 43rd character of a 32-byte MAC carries 2 unused
  // bits, so four spellings decode to the same MAC, and only the one we wrote may verify.
  // Both sides are 43 ASCII characters here; the comparison takes the same time for any.
  const given = Buffer.from(m[2], "latin1");
  const expected = Buffer.from(mac(secret, newsletterId, address).toString("base64url"), "latin1");
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
}

/** The secret from the environment, or a clear error naming the variable. Never printed. */
export function requireSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env[SECRET_ENV];
  if (!secret || secret.length < 16) {
    throw new RassylkaError({
      ruleId: "unsubscribe/no-secret",
      severity: "error",
      message: t(secret ? "send:secret.short" : "send:secret.missing", { env: SECRET_ENV }),
      fix: t("send:secret.fix", { env: SECRET_ENV }),
    });
  }
  return secret;
}

/** `unsubscribe.url` with the reader's token appended as `?token=` (or `&token=`). */
export function unsubscribeUrl(base: string, token: string): string {
  return `${base}${base.includes("?") ? "&" : "?"}token=${token}`;
}

/**
 * The preference page's token (docs/audiences.md): the same shape, signed for another purpose, so that a
 * preference link is not an unsubscribe link and an unsubscribe link does not open the preferences.
 */
const PREFERENCES = "\npreferences";

export function createPreferencesToken(email: string, newsletterId: string, secret: string): string {
  return createUnsubscribeToken(email, newsletterId + PREFERENCES, secret);
}

export function verifyPreferencesToken(token: string, newsletterId: string, secret: string): string | undefined {
  return verifyUnsubscribeToken(token, newsletterId + PREFERENCES, secret);
}

/** `<url>/preferences?token=…`. */
export function preferencesUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/preferences?token=${token}`;
}
