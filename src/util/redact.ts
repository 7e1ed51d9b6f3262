/**
 * The one place that hides what must not be shown: reader addresses in logs, passwords in URLs, and every
 * secret of the environment by its value wherever it would appear in printed text, whatever shape it has
 * there (as written, percent-encoded or decoded, a URL with or without its scheme, a PEM key line by line).
 * Everything here is linear in the length of the text: no regular expression that can backtrack over it
 * (the one this replaced kept `send` busy for minutes on a 600,000-character CSV cell, 26 on a 30 MB line).
 */
const MASK = "***";

/** `i***@example.ru`: enough to follow a log, not a list of readers. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 0) return MASK;
  return `${email.slice(0, Math.min(1, at))}${MASK}${email.slice(at)}`;
}

const isLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
/** `[A-Za-z0-9+.-]`, what a scheme is made of. */
const isSchemeChar = (c: number) => isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d;
/** Whitespace, `/` or `@`: where the user part of a URL ends. */
const endsUserinfo = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  if (c === 0x2f || c === 0x40 || c <= 0x20) return true;
  return c >= 0x80 && /\s/.test(text[i]);
};

/**
 * `scheme://user:password@host` → `scheme://user:***@host`, anywhere in a text. One pass: each `://` is
 * found with indexOf, its scheme read backwards and its user part forwards up to the first space, `/` or
 * `@`, and both stop at the `:` and `/` of the `://` before and after, so no character is read twice.
 */
export function maskUrlPasswords(text: string): string {
  return maskUserinfo(text, true);
}

/** The scan behind maskUrlPasswords; without `scheme`, any `//user:password@` (a URL the parser refused). */
function maskUserinfo(text: string, scheme: boolean): string {
  const marker = scheme ? "://" : "//";
  let out = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const sep = text.indexOf(marker, from);
    if (sep < 0) break;
    from = sep + marker.length;
    if (scheme) {
      let s = sep;
      while (s > copied && isSchemeChar(text.charCodeAt(s - 1))) s--;
      // a scheme starts with a letter
      while (s < sep && !isLetter(text.charCodeAt(s))) s++;
      if (s === sep) continue;
    }
    let end = from;
    let colon = -1;
    while (end < text.length && !endsUserinfo(text, end)) {
      if (colon < 0 && text.charCodeAt(end) === 0x3a) colon = end;
      end++;
    }
    if (text.charCodeAt(end) !== 0x40 || colon < 0) {
      // the `/` that stopped the scan may end the next `://`: look again from just before it
      from = Math.max(from, end - 1);
      continue;
    }
    out += `${text.slice(copied, colon)}:${MASK}`;
    copied = end;
    from = end + 1;
  }
  return copied ? out + text.slice(copied) : text;
}

/**
 * The password of `user:password@host…`, with or without `scheme://` (a URL the parser refuses, or one
 * written without its scheme), or undefined: whatever stands between the user's `:` and the last `@`.
 */
export function passwordOf(value: string): string | undefined {
  const scheme = value.indexOf("://");
  const start = scheme >= 0 ? scheme + 3 : 0;
  const at = value.lastIndexOf("@");
  if (at < start) return undefined;
  const colon = value.indexOf(":", start);
  if (colon < 0 || colon > at) return undefined;
  return value.slice(colon + 1, at);
}

export interface UrlShape {
  /** The port shown when the URL names none (`5432`, `993`…). */
  defaultPort: string;
  /** Shown when the URL names no host. */
  defaultHost?: string;
  /** The user name percent-decoded (as a person typed it). */
  decodeUser?: boolean;
  /** The path, and the query with any `pass…` parameter masked. */
  path?: boolean;
  query?: boolean;
}

/**
 * A URL with its password (and a `password=` parameter) replaced and the port always shown, so a message
 * names where it connected without the secret: `postgres://user:***@host:5432/db`.
 */
export function maskUrl(url: string, shape: UrlShape): string {
  // `user:password@host` without its scheme parses as a URL whose scheme is the user name and whose path
  // holds the password: only a URL with `scheme://` is taken apart, the rest is masked as text
  if (/^\s*[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
    try {
      const u = new URL(url);
      if (u.password) u.password = MASK;
      const user = shape.decodeUser ? decodeURIComponent(u.username) : u.username;
      const auth = u.username ? `${user}${u.password ? `:${MASK}` : ""}@` : "";
      let rest = "";
      if (shape.path) rest += u.pathname;
      if (shape.query) {
        for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, MASK);
        rest += u.search.replace(/%2A/g, "*");
      }
      return `${u.protocol}//${auth}${u.hostname || shape.defaultHost || ""}:${u.port || shape.defaultPort}${rest}`;
    } catch {}
  }
  // not a URL the WHATWG parser takes: the user part's password and any pass…= parameter cut out
  let masked = maskUserinfo(url, false);
  if (masked === url && !url.includes("//")) {
    const password = passwordOf(url);
    if (password) masked = url.split(password).join(MASK);
  }
  return shape.query ? masked.replace(/(pass\w*=)[^&]*/gi, `$1${MASK}`) : masked;
}

/** Environment variables whose value is a secret by their name. */
const SECRET_NAME = /SECRET|PASS|KEY|TOKEN|PRIVATE|CREDENTIAL|AUTH/i;
/** Environment variables holding a URL that may carry a password, even written without its scheme. */
const URL_NAME = /(_URL|_URI|_DSN)$/i;

/** A secret as written, percent-decoded and percent-encoded: an error may quote any of them. */
function forms(secret: string): string[] {
  const out = [secret, encodeURIComponent(secret)];
  try {
    out.push(decodeURIComponent(secret));
  } catch {}
  return out;
}

/**
 * Every secret of the environment, by value: the variables named as secrets (RASSYLKA_SECRET,
 * SENDSAY_APIKEY, DKIM_PRIVATE_KEY, …), the password of every URL in it (SMTP_URL,
 * RASSYLKA_DATABASE_URL, BOUNCES_IMAP_URL, …, with or without its scheme), each in every form (as
 * written, percent-encoded, decoded), and each line of a multi-line secret (a PEM key printed line by
 * line); plus the password of each of `extra` (a URL given on the command line).
 */
export function secretsIn(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []): string[] {
  const found: string[] = [];
  const add = (v: string | undefined) => {
    if (v) found.push(...forms(v));
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const secret = SECRET_NAME.test(name);
    if (secret) {
      add(value);
      add(value.trim());
      if (value.includes("\n")) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) found.push(line.trim());
    }
    if (secret || URL_NAME.test(name) || value.includes("://")) addUrlPassword(value, add);
  }
  for (const v of extra) if (v) addUrlPassword(v, add);
  return found;
}

function addUrlPassword(url: string, add: (v: string | undefined) => void): void {
  try {
    add(new URL(url.trim()).password);
  } catch {}
  // also when the parser refuses the URL or it has no scheme (then it reads `user:` as the scheme)
  add(passwordOf(url.trim()));
}

/**
 * Text with every secret replaced by `***` (longest first, so a secret that holds another is replaced
 * whole; shorter than 4 characters they would mask ordinary words) and every URL's password masked.
 * Each secret is one includes and at most one split/join pass: linear in the text.
 */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const list = [...new Set(secrets.filter((x): x is string => typeof x === "string" && x.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = maskUrlPasswords(text);
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };
}
