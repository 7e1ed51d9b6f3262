import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A throwaway Debian Postfix: its own config_directory, queue_directory and
 * data_directory in a temp folder, started with `postfix -c DIR start`, its smtpd on a free
 * 127.0.0.1 port and nothing else. Two domains:
 *   - `local.test`, delivered by local(8), which has no users of its own: smtpd accepts any recipient
 *     (local_recipient_maps is empty) and local(8) then bounces it as an unknown user (5.1.1) — a bounce
 *     after acceptance, so Postfix's bounce(8) writes a real DSN to the envelope sender;
 *   - `prodazhi.example.ru`, delivered by virtual(8): `bounces@` and `unsubscribe@` (and with
 *     recipient_delimiter `+`, every `bounces+<token>@` and `unsubscribe+u-<token>@`) into the one Maildir
 *     `mail/prodazhi.example.ru/bounces/`; `reader@` and `second@` into mailboxes of their own.
 * Everything else goes to error(8): nothing leaves the machine. No system file is touched; `stop()`
 * stops this instance only and removes the folder. Needs root (Postfix's master) and the `postfix` user.
 */
const run = promisify(execFile);

export const POSTFIX_LOCAL_DOMAIN = "local.test";
export const POSTFIX_BOUNCE_DOMAIN = "prodazhi.example.ru";
/** Owner of the Maildir (and the Dovecot user that serves it): Debian's `nobody`. */
export const MAIL_UID = 65534;
export const MAIL_GID = 65534;

export interface Postfix {
  dir: string;
  port: number;
  /** The Maildir `bounces@prodazhi.example.ru` delivers to. */
  maildir: string;
  /** Resolves when the Maildir (default: the bounce mailbox) holds at least `n` messages (new/ and cur/), or rejects after `ms`. */
  waitForMail(n: number, ms?: number, maildir?: string): Promise<string[]>;
  /** The Maildir of reader@prodazhi.example.ru. */
  readerMaildir: string;
  /** The Maildir of second@prodazhi.example.ru. */
  secondMaildir: string;
  log(): Promise<string>;
  /**
   * Resolves when the queue is empty — every accepted message delivered or bounced, and every DSN that
   * made delivered — or rejects after `ms` naming what is left.
   */
  waitForEmptyQueue(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Postfix's master and Dovecot must start as root (.ci/run runs as root and installs both). */
export function postfixAvailable(): boolean {
  return process.getuid?.() === 0 && existsSync("/usr/sbin/postfix") && existsSync("/usr/sbin/dovecot");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const MASTER = (port: number) => `# service type private unpriv chroot wakeup maxproc command
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
local     unix  - n n -    - local
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

export async function startPostfix(): Promise<Postfix> {
  const dir = await mkdtemp(join(tmpdir(), "rsk-postfix-"));
  // virtual(8) delivers as MAIL_UID, which must reach the Maildir through this folder
  await chmod(dir, 0o755);
  const etc = join(dir, "etc");
  const queue = join(dir, "queue");
  const data = join(dir, "data");
  const mail = join(dir, "mail");
  await mkdir(etc);
  await mkdir(queue, { mode: 0o755 });
  await mkdir(data, { mode: 0o700 });
  await chown(data, ...(await ids("postfix")));
  await mkdir(mail, { mode: 0o755 });
  await chown(mail, MAIL_UID, MAIL_GID);
  const port = await freePort();
  const main = {
    compatibility_level: "3.6",
    config_directory: etc,
    queue_directory: queue,
    data_directory: data,
    mail_owner: "postfix",
    setgid_group: "postdrop",
    inet_interfaces: "127.0.0.1",
    inet_protocols: "ipv4",
    myhostname: `mx.${POSTFIX_LOCAL_DOMAIN}`,
    mydomain: POSTFIX_LOCAL_DOMAIN,
    myorigin: POSTFIX_LOCAL_DOMAIN,
    mydestination: POSTFIX_LOCAL_DOMAIN,
    mynetworks: "127.0.0.0/8",
    // accept every local.test recipient at RCPT, and let local(8) bounce the unknown one afterwards
    local_recipient_maps: "",
    alias_maps: "",
    alias_database: "",
    recipient_delimiter: "+",
    virtual_mailbox_domains: POSTFIX_BOUNCE_DOMAIN,
    virtual_mailbox_maps: `texthash:${join(etc, "vmailbox")}`,
    virtual_mailbox_base: mail,
    virtual_uid_maps: `static:${MAIL_UID}`,
    virtual_gid_maps: `static:${MAIL_GID}`,
    virtual_minimum_uid: "100",
    default_transport: "error:no outside delivery from the test instance",
    relay_transport: "error:no outside delivery from the test instance",
    disable_dns_lookups: "yes",
    smtp_dns_support_level: "disabled",
    biff: "no",
    append_dot_mydomain: "no",
    smtpd_banner: "$myhostname ESMTP",
    maillog_file: join(dir, "maillog"),
    maillog_file_prefixes: dir,
    queue_run_delay: "1s",
    minimal_backoff_time: "1s",
    bounce_queue_lifetime: "1d",
    delay_warning_time: "0",
  };
  await writeFile(
    join(etc, "main.cf"),
    `${Object.entries(main)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n")}\n`,
  );
  await writeFile(join(etc, "master.cf"), MASTER(port));
  // bounces@ is the bounce mailbox, and unsubscribe@ goes there too; reader@ and second@ readers whose mailboxes exist
  await writeFile(
    join(etc, "vmailbox"),
    [
      `bounces@${POSTFIX_BOUNCE_DOMAIN} ${POSTFIX_BOUNCE_DOMAIN}/bounces/`,
      `unsubscribe@${POSTFIX_BOUNCE_DOMAIN} ${POSTFIX_BOUNCE_DOMAIN}/bounces/`,
      `reader@${POSTFIX_BOUNCE_DOMAIN} ${POSTFIX_BOUNCE_DOMAIN}/reader/`,
      `second@${POSTFIX_BOUNCE_DOMAIN} ${POSTFIX_BOUNCE_DOMAIN}/second/`,
      "",
    ].join("\n"),
  );
  await run("postfix", ["-c", etc, "start"], { env: { ...process.env, MAIL_CONFIG: etc } });
  await waitForPort(port, 20_000);
  const maildir = join(mail, POSTFIX_BOUNCE_DOMAIN, "bounces");
  const list = async (box: string) => {
    const files: string[] = [];
    for (const sub of ["new", "cur"]) {
      try {
        files.push(...(await readdir(join(box, sub))).map((f) => join(box, sub, f)));
      } catch {}
    }
    return files;
  };
  const log = () => readFile(join(dir, "maillog"), "utf8").catch(() => "");
  return {
    dir,
    port,
    maildir,
    readerMaildir: join(mail, POSTFIX_BOUNCE_DOMAIN, "reader"),
    secondMaildir: join(mail, POSTFIX_BOUNCE_DOMAIN, "second"),
    async waitForMail(n, ms = 60_000, box = maildir) {
      const until = Date.now() + ms;
      for (;;) {
        const files = await list(box);
        if (files.length >= n) return files;
        if (Date.now() > until) throw new Error(`no ${n} message(s) in ${box} after ${ms} ms; Postfix log:\n${await log()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    log,
    async waitForEmptyQueue(ms = 60_000) {
      const until = Date.now() + ms;
      for (;;) {
        const left: string[] = [];
        for (const sub of ["maildrop", "incoming", "active", "deferred", "hold"]) {
          const entries = await readdir(join(queue, sub), { recursive: true, withFileTypes: true }).catch(() => []);
          left.push(...entries.filter((e) => e.isFile()).map((e) => `${sub}/${e.name}`));
        }
        if (left.length === 0) return;
        if (Date.now() > until) throw new Error(`Postfix's queue still holds ${left.join(", ")} after ${ms} ms; its log:\n${await log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await run("postfix", ["-c", etc, "stop"], { env: { ...process.env, MAIL_CONFIG: etc } }).catch(() =>
        run("postfix", ["-c", etc, "abort"]).catch(() => {}),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function ids(user: string): Promise<[number, number]> {
  const { stdout } = await run("id", ["-u", user]);
  const { stdout: g } = await run("id", ["-g", user]);
  return [Number(stdout.trim()), Number(g.trim())];
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const { connect } = await import("node:net");
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
