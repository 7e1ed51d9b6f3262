import { domainToASCII } from "node:url";

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
