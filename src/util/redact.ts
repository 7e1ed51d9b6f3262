/**
 * The one place that hides what must not be shown: reader addresses in logs, passwords in URLs, and every
 * secret of the environment by its value wherever it would appear in printed text. Everything here is
 * linear in the length of the text (no regular expression that can backtrack over it).
 */

/** `i***@example.ru`: enough to follow a log, not a list of readers. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 0) return "***";
  return `${email.slice(0, Math.min(1, at))}***${email.slice(at)}`;
}

const SCHEME = /[A-Za-z0-9+.-]/;
const USERINFO_END = /[\s/@]/;

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
      while (s > copied && SCHEME.test(text[s - 1])) s--;
      // a scheme starts with a letter
      while (s < sep && !/[A-Za-z]/.test(text[s])) s++;
      if (s === sep) continue;
    }
    let end = from;
    let colon = -1;
    while (end < text.length && !USERINFO_END.test(text[end])) {
      if (text[end] === ":" && colon < 0) colon = end;
      end++;
    }
    if (text[end] !== "@" || colon < 0) {
      // the `/` that stopped the scan may end the next `://`: look again from just before it
      from = Math.max(from, end - 1);
      continue;
    }
    out += `${text.slice(copied, colon)}:***`;
    copied = end;
    from = end + 1;
  }
  return copied ? out + text.slice(copied) : text;
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
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    const user = shape.decodeUser ? decodeURIComponent(u.username) : u.username;
    const auth = u.username ? `${user}${u.password ? ":***" : ""}@` : "";
    let rest = "";
    if (shape.path) rest += u.pathname;
    if (shape.query) {
      for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, "***");
      rest += u.search.replace(/%2A/g, "*");
    }
    return `${u.protocol}//${auth}${u.hostname || shape.defaultHost || ""}:${u.port || shape.defaultPort}${rest}`;
  } catch {
    // not a URL the WHATWG parser takes: the user part's password and any pass…= parameter cut out
    const masked = maskUserinfo(url, false);
    return shape.query ? masked.replace(/(pass\w*=)[^&]*/gi, "$1***") : masked;
  }
}

/** Environment variables whose value is a secret by their name. */
const SECRET_NAME = /SECRET|PASS|KEY|TOKEN|PRIVATE|CREDENTIAL|AUTH/i;

/**
 * Every secret of the environment, by value: the variables named as secrets (RASSYLKA_SECRET,
 * SENDSAY_APIKEY, DKIM_PRIVATE_KEY, …), the password of every URL in it (SMTP_URL,
 * RASSYLKA_DATABASE_URL, BOUNCES_IMAP_URL, …) as written and decoded, and each line of a multi-line
 * secret (a PEM key printed line by line); plus `extra` (a password given on the command line).
 */
export function secretsIn(env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []): string[] {
  const found: string[] = [];
  const add = (v: string | undefined) => {
    if (v) found.push(v);
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) {
      add(value);
      add(value.trim());
      if (value.includes("\n")) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) add(line.trim());
    }
    if (value.includes("://")) addUrlPassword(value, add);
  }
  for (const v of extra) if (v?.includes("://")) addUrlPassword(v, add);
  return found;
}

function addUrlPassword(url: string, add: (v: string) => void): void {
  try {
    const u = new URL(url.trim());
    if (!u.password) return;
    add(u.password);
    try {
      add(decodeURIComponent(u.password));
    } catch {}
  } catch {}
}

/**
 * Text with every secret replaced by `***` (longest first, so a secret that holds another is replaced
 * whole) and every URL's password masked. Each secret is one split/join pass: linear in the text.
 */
export function redactor(secrets: (string | undefined)[]): (text: string) => string {
  const list = [...new Set(secrets.filter((x): x is string => typeof x === "string" && x.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = maskUrlPasswords(text);
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join("***");
    return out;
  };
}
