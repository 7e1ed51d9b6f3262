import { domainToASCII } from "node:url";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A domain name as the ledger keys it (src/identity/address.ts `addressKey`): lower case, IDN in A-labels
 * (`Почта.РФ` → `xn--80a1acny.xn--p1ai`), no trailing dot. undefined when it is not a host name: an
 * address (`a@mail.ru`), a wildcard (`*.mail.ru`), an empty label (`mail..ru`), an underscore.
 */
export function domainKey(raw: string): string | undefined {
  const lower = raw.trim().toLowerCase().normalize("NFC").replace(/\.$/, "");
  if (!lower || lower.length > 253) return undefined;
  const ascii = /^[\x00-\x7f]*$/.test(lower) ? lower : domainToASCII(lower);
  if (!ascii) return undefined;
  return ascii.split(".").every((label) => LABEL.test(label)) ? ascii : undefined;
}
