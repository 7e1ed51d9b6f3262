import { createHmac, timingSafeEqual } from "node:crypto";
import { addressKey } from "../identity/address.js";

/**
 * The two signed values of the subscribe flow, both HMAC-SHA256 with `RASSYLKA_SECRET` over the
 * newsletter id (a value of another newsletter fails) and a purpose (one is never taken for the other):
 *
 * - the confirmation link's token `<base64url(address \n nonce \n expiry)>.<mac>`: the address it
 *   confirms, the nonce stored with the pending subscriber (single use: confirming clears it, a newer
 *   request replaces it) and when it expires (3 days: the issue asks for "a few days");
 * - the form's stamp `<ms>.<mac>`: when the page with the form was served, so `serve` can tell a form
 *   sent faster than a person types (the minimum fill time) without keeping any state per visitor.
 */
export const CONFIRM_TTL_MS = 3 * 86_400_000;
/** A form older than this is stale (the page was left open for days): shown again with a fresh stamp. */
export const FORM_MAX_AGE_MS = 2 * 86_400_000;

function mac(secret: string, purpose: string, listId: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`${purpose}\n${listId}\n${payload}`).digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createConfirmToken(email: string, nonce: string, expiresAt: number, listId: string, secret: string): string {
  const payload = `${addressKey(email)}\n${nonce}\n${expiresAt}`;
  return `${Buffer.from(payload).toString("base64url")}.${mac(secret, "confirm", listId, payload).toString("base64url")}`;
}

export type ConfirmToken = { ok: true; email: string; nonce: string; expiresAt: number } | { ok: false; reason: "invalid" | "expired" };

export function verifyConfirmToken(token: string | undefined, listId: string, secret: string, now: number): ConfirmToken {
  const m = /^([A-Za-z0-9_-]{1,600})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!m) return { ok: false, reason: "invalid" };
  const payload = Buffer.from(m[1], "base64url").toString("utf8");
  if (Buffer.from(payload).toString("base64url") !== m[1]) return { ok: false, reason: "invalid" };
  if (!same(Buffer.from(m[2], "base64url"), mac(secret, "confirm", listId, payload))) return { ok: false, reason: "invalid" };
  const [email, nonce, expires] = payload.split("\n");
  const expiresAt = Number(expires);
  if (!email || !nonce || !Number.isFinite(expiresAt)) return { ok: false, reason: "invalid" };
  if (now > expiresAt) return { ok: false, reason: "expired" };
  return { ok: true, email, nonce, expiresAt };
}

export function createFormStamp(now: number, listId: string, secret: string): string {
  return `${now}.${mac(secret, "form", listId, String(now)).toString("base64url")}`;
}

export type StampCheck = "ok" | "missing" | "invalid" | "too-fast" | "stale";

export function checkFormStamp(stamp: string | undefined, listId: string, secret: string, now: number, minFillMs: number): StampCheck {
  if (!stamp) return "missing";
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(stamp);
  if (!m || !same(Buffer.from(m[2], "base64url"), mac(secret, "form", listId, m[1]))) return "invalid";
  const age = now - Number(m[1]);
  if (age < minFillMs) return "too-fast";
  if (age > FORM_MAX_AGE_MS) return "stale";
  return "ok";
}
