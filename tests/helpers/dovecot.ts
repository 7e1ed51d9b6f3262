import { execFile, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, MAIL_GID, MAIL_UID } from "./postfix.js";

/**
 * A throwaway Debian Dovecot serving one existing Maildir over IMAP: its own
 * configuration, base_dir and log in a temp folder (`dovecot -c FILE`), IMAP only, on a free 127.0.0.1
 * port, no TLS and plaintext logins allowed (loopback only), one passwd-file user who owns the Maildir,
 * a wrong password refused without Dovecot's delay against guessing.
 * No system file is touched; `stop()` stops this instance and removes its folder (not the Maildir).
 */
const run = promisify(execFile);

export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  /** imap://user:pass@127.0.0.1:port/INBOX */
  url: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startDovecot(maildir: string, user = "bounces", pass = "imap-test-secret"): Promise<Dovecot> {
  const dir = await mkdtemp(join(tmpdir(), "rsk-dovecot-"));
  await chmod(dir, 0o755);
  const port = await freePort();
  const passwd = join(dir, "passwd");
  await writeFile(passwd, `${user}:{PLAIN}${pass}:${MAIL_UID}:${MAIL_GID}::${maildir}::\n`, { mode: 0o644 });
  await mkdir(join(dir, "run"), { mode: 0o755 });
  const conf = join(dir, "dovecot.conf");
  await writeFile(
    conf,
    `base_dir = ${join(dir, "run")}
state_dir = ${join(dir, "state")}
log_path = ${join(dir, "dovecot.log")}
instance_name = rsk-dovecot-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# a wrong password is answered at once, not after Dovecot's default 2 s (the tests check the answer, not the delay)
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
mail_location = maildir:~
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwd}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
# a wrong password is refused at once: no 2 s delay before the answer, and no penalty that doubles it
# for the next failure from 127.0.0.1 (the tests try wrong passwords on purpose, one after another)
auth_failure_delay = 0
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
}
`,
  );
  await mkdir(join(dir, "state"), { mode: 0o755 });
  // the master daemonises; its inherited pipes would keep execFile waiting, so no pipes at all
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("dovecot", ["-c", conf], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`dovecot -c ${conf} exited with ${code}`);
  const log = () => readFile(join(dir, "dovecot.log"), "utf8").catch(() => "");
  const until = Date.now() + 20_000;
  const { connect } = await import("node:net");
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("data", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > until) throw new Error(`Dovecot did not start on 127.0.0.1:${port}:\n${await log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    user,
    pass,
    url: `imap://${user}:${pass}@127.0.0.1:${port}/INBOX`,
    log,
    async stop() {
      await run("doveadm", ["-c", conf, "stop"], { timeout: 20_000 }).catch(() => {});
      // the master removes its pid file as it exits; give it a moment before the folder goes
      for (let i = 0; i < 50; i++) {
        try {
          await readFile(join(dir, "run", "master.pid"));
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
