/**
 * A reader's identity: the one key under which an address is listed in the ledger, suppressed, put in an
 * unsubscribe token and checked for duplicates. The message still goes to the address as written.
 */
export function addressKey(address: string): string {
  return address.trim().toLowerCase();
}
