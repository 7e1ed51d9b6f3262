import { ImapFlow } from "imapflow";
import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { maskUrl } from "../util/redact.js";

/**
 * `rassylka bounces fetch`: the bounce mailbox over IMAP (imapflow), from BOUNCES_IMAP_URL
 * (`imaps://user:pass@imap.example.ru/INBOX`; `imap://` is plain or STARTTLS when the server offers it).
 * Every message is read; each one recognised as a bounce or complaint is moved to the processed folder
 * (created when missing); anything else stays where it is. Nothing is deleted. The URL holds a password:
 * only `maskImapUrl` of it is ever shown.
 */
export const IMAP_URL_ENV = "BOUNCES_IMAP_URL";
export const DEFAULT_MOVE_TO = "Processed";

export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
}

/** `imaps://user:***@host:993/INBOX`. */
export function maskImapUrl(url: string): string {
  return maskUrl(url, { defaultPort: /^imaps:/i.test(url.trim()) ? "993" : "143", decodeUser: true, path: true });
}

function badUrl(url: string, why: string): RassylkaError {
  return new RassylkaError(
    error("bounces/imap-url", t("bounces:imap.badUrl", { env: IMAP_URL_ENV, url: maskImapUrl(url), why }), {
      field: IMAP_URL_ENV,
      fix: t("bounces:imap.badUrl.fix"),
    }),
  );
}

export function parseImapUrl(url: string | undefined): ImapTarget {
  if (!url?.trim()) {
    throw new RassylkaError(
      error("bounces/no-imap-url", t("bounces:imap.noUrl", { env: IMAP_URL_ENV }), {
        field: IMAP_URL_ENV,
        fix: t("bounces:imap.noUrl.fix", { env: IMAP_URL_ENV }),
      }),
    );
  }
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw badUrl(url, t("bounces:imap.notUrl"));
  }
  if (u.protocol !== "imap:" && u.protocol !== "imaps:") throw badUrl(url, t("bounces:imap.scheme"));
  if (!u.hostname || !u.username) throw badUrl(url, t("bounces:imap.userHost"));
  const secure = u.protocol === "imaps:";
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, "")) || "INBOX",
  };
}

export interface FetchResult {
  mailbox: string;
  read: number;
  moved: number;
  left: number;
}

/** The handler says whether the message is done with (moved) or left alone; it throws to stop. */
export type MessageHandler = (raw: Buffer, label: string) => Promise<{ move: boolean }>;

function scrub(text: string, pass: string): string {
  return pass.length >= 3 ? text.split(pass).join("***") : text;
}

export async function fetchBounces(
  url: string | undefined,
  options: { moveTo?: string; tlsInsecure?: boolean },
  handle: MessageHandler,
): Promise<FetchResult> {
  const target = parseImapUrl(url);
  const where = maskImapUrl(url ?? "");
  const moveTo = options.moveTo?.trim() || DEFAULT_MOVE_TO;
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: { user: target.user, pass: target.pass },
    logger: false,
    tls: options.tlsInsecure ? { rejectUnauthorized: false } : undefined,
    connectionTimeout: 20_000,
  });
  client.on("error", () => {}); // a dropped connection surfaces as the failing command's error
  const fail = (doing: "connect" | "open" | "read", cause: unknown, fix: string) => {
    const e = cause as { code?: string; message?: string; responseText?: string; authenticationFailed?: boolean };
    const text = scrub(e.responseText ?? e.message ?? String(cause), target.pass);
    return new RassylkaError(
      error(
        "bounces/imap",
        t(`bounces:imap.${doing}`, { where, mailbox: target.mailbox, error: `${e.code ? `${e.code}: ` : ""}${text}` }),
        {
          field: IMAP_URL_ENV,
          fix,
        },
      ),
      {
        cause,
      },
    );
  };
  try {
    await client.connect();
  } catch (cause) {
    const auth = (cause as { authenticationFailed?: boolean }).authenticationFailed;
    throw fail(
      "connect",
      cause,
      auth ? t("bounces:imap.auth.fix", { env: IMAP_URL_ENV }) : t("bounces:imap.connect.fix", { env: IMAP_URL_ENV }),
    );
  }
  const result: FetchResult = { mailbox: target.mailbox, read: 0, moved: 0, left: 0 };
  try {
    let lock: Awaited<ReturnType<ImapFlow["getMailboxLock"]>>;
    try {
      lock = await client.getMailboxLock(target.mailbox);
    } catch (cause) {
      throw fail("open", cause, t("bounces:imap.open.fix", { env: IMAP_URL_ENV }));
    }
    try {
      const exists = (await client.list()).some((m) => m.path === moveTo);
      if (!exists) await client.mailboxCreate(moveTo);
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message === false || !message.source) continue;
        result.read++;
        const { move } = await handle(message.source, `${target.mailbox} uid ${uid}`);
        if (move) {
          await client.messageMove(String(uid), moveTo, { uid: true });
          result.moved++;
        } else result.left++;
      }
    } finally {
      lock.release();
    }
  } catch (cause) {
    if (cause instanceof RassylkaError) throw cause;
    throw fail("read", cause, t("bounces:imap.read.fix", { env: IMAP_URL_ENV, folder: moveTo }));
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}
