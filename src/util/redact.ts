/**
 * The one place secrets are taken out of what rassylka prints. Two passes, both linear in the text:
 *
 * 1. every secret the environment holds, by its value, whatever shape it has: a key or password as it is,
 *    and the password inside a URL (`SMTP_URL`, `RASSYLKA_DATABASE_URL`, `BOUNCES_IMAP_URL`…) with or without
 *    its scheme, percent-encoded and decoded — an error that quotes a malformed URL cannot show it;
 * 2. the password of any `scheme://user:password@host` in the text (a URL typed on the command line).
 *
 * Each pass walks the text once per secret (split/join, indexOf): a 30 MB line costs what reading it does.
 * The regex this replaces backtracked over every run of letters (a 600,000-character CSV cell kept `send`
 * busy for minutes after delivery; a 30 MB line for 26).
 */
export const MASK = "***";

/** Environment variables whose whole value is a secret. */
const SECRET_NAME = /(SECRET|PASS(WORD)?|API_?KEY|APIKEY|TOKEN|PRIVATE_KEY)$/i;
/** Environment variables holding a URL that may carry a password. */
const URL_NAME = /(_URL|_URI|_DSN)$/i;

/** `user:password@host…`, with or without `scheme://`: the password, or undefined. */
export function passwordOf(value: string): string | undefined {
  const start = value.indexOf("://") >= 0 ? value.indexOf("://") + 3 : 0;
  // the authority ends at the first "/" after the last "@" (a password may hold "/" only percent-encoded)
  const at = value.lastIndexOf("@");
  if (at < start) return undefined;
  const colon = value.indexOf(":", start);
  if (colon < 0 || colon > at) return undefined;
  return value.slice(colon + 1, at);
}

function forms(secret: string): string[] {
  const out = [secret];
  try {
    out.push(decodeURIComponent(secret));
  } catch {}
  out.push(encodeURIComponent(secret));
  return out;
}

/** The values to mask, from the environment (and any more the caller was given, e.g. a flag's URL). */
export function secretValues(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) found.push(...forms(value));
    if (URL_NAME.test(name) || SECRET_NAME.test(name)) {
      const password = passwordOf(value);
      if (password) found.push(...forms(password));
    }
  }
  for (const value of extra) {
    if (!value) continue;
    const password = passwordOf(value);
    found.push(...(password ? forms(password) : forms(value)));
  }
  // short values would mask ordinary words; longest first, so a secret is masked whole before its parts
  return [...new Set(found.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** `scheme://user:password@host` → `scheme://user:***@host`, anywhere in the text, in one pass. */
export function maskUrlPasswords(text: string): string {
  let out = "";
  let from = 0;
  let i = text.indexOf("://");
  while (i >= 0) {
    let j = i + 3;
    let colon = -1;
    let at = -1;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x2f || c <= 0x20) break; // "/" or whitespace: the authority ended without a password
      if (c === 0x40) {
        at = j;
        break;
      }
      if (c === 0x3a && colon < 0) colon = j;
    }
    if (at >= 0 && colon >= 0) {
      out += `${text.slice(from, colon + 1)}${MASK}`;
      from = at;
    }
    i = text.indexOf("://", Math.max(j, i + 3));
  }
  return from === 0 ? text : out + text.slice(from);
}

/** A function that masks the given values and URL passwords in a text. */
export function redactor(values: readonly string[]): (text: string) => string {
  return (text) => {
    let out = maskUrlPasswords(text);
    for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
    return out;
  };
}
