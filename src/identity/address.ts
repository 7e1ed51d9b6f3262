import { domainToASCII } from "node:url";
import { error, RassylkaError } from "../diagnostics.js";

/**
 * A reader's identity: the one key under which an address is listed in the ledger, suppressed, put in an
 * unsubscribe token and checked for duplicates. The message still goes to the address as written.
 *
 * - The domain is case-insensitive and has two spellings (RFC 5890): `пример.рф` and its A-labels
 *   `xn--e1afmkfd.xn--p1ai` are one domain. The key holds the lower-case A-labels (UTS #46, what
 *   `url.domainToASCII` does), so `user@пример.рф`, `user@ПРИМЕР.РФ` and `user@xn--e1afmkfd.xn--p1ai`
 *   are one reader.
 * - The local part is, by RFC 5321, the receiving server's to interpret; in practice every mailbox
 *   provider treats it case-insensitively, and readers type it in any case. The key lower-cases it
 *   (Unicode-aware, after NFC normalisation, so a composed and a decomposed `й` are one reader) and keeps
 *   everything else (dots, `+tags`) as written: those do name different mailboxes at some providers.
 */
export function addressKey(address: string): string {
  const trimmed = address.trim().normalize("NFC");
  const at = trimmed.lastIndexOf("@");
  if (at < 0) return trimmed.toLowerCase();
  const local = trimmed.slice(0, at).toLowerCase();
  const domain = trimmed.slice(at + 1).toLowerCase();
  // domainToASCII returns "" for a domain it cannot convert: keep it as written (lower-case) then
  const ascii = /^[\x00-\x7f]*$/.test(domain) ? domain : domainToASCII(domain) || domain;
  return `${local}@${ascii}`;
}

const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\p{L}\p{N}-]+$/u;
const DOMAIN_LABEL = /^[A-Za-z0-9\p{L}\p{N}](?:[A-Za-z0-9\p{L}\p{N}-]*[A-Za-z0-9\p{L}\p{N}])?$/u;

/**
 * NUL and the other C0 controls (but tab and line break, which a quoted field may hold), DEL and the C1
 * controls: left over by exports, invisible in a spreadsheet, never meant for a reader's letter.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
export function stripControls(value: string): string {
  return value.replace(CONTROL, "");
}

/** A practical address check (what mail servers accept), not the full RFC 5322 grammar. */
export function emailProblem(address: string): string | undefined {
  if (!address) return "empty address";
  if (address.length > 254) return "address longer than 254 characters";
  if (/[\s<>()[\]\\,;:"]/.test(address)) return "address contains spaces or characters not allowed in an address";
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1 || address.indexOf("@") !== at) return "expected one @ between a name and a domain";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !EMAIL_LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return "the part before @ is not a valid mailbox name";
  }
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((l) => !DOMAIN_LABEL.test(l) || l.length > 63)) return `"${domain}" is not a valid domain`;
  return undefined;
}

/** Addresses given on a command line: every one that is not an address named, as one error (`ruleId` says whose). */
export function requireAddresses(addresses: readonly string[], ruleId: string): void {
  const bad = addresses.filter((a) => emailProblem(a.trim()));
  if (bad.length)
    throw new RassylkaError(
      bad.map((a) =>
        error(ruleId, `"${a}" is not an email address: ${emailProblem(a.trim())}`, { fix: "give addresses like reader@example.ru" }),
      ),
    );
}
