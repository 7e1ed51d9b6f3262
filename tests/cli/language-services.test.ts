import { spawn } from "node:child_process";
import { chmod, chown, copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { openState } from "../../src/state/db.js";
import { BIN, englishLines, run, shape } from "../helpers/cli.js";
import { type Dovecot, startDovecot } from "../helpers/dovecot.js";
import { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";
import { MAIL_GID, MAIL_UID } from "../helpers/postfix.js";
import { issue, makeProject, removeProjects } from "../lint/fixtures.js";
import { ISSUE, makeProject as makeSendProject, SECRET as SEND_SECRET, startSmtp } from "../send/helpers.js";
import { KEY, LOGIN, makeProject as makeSendsayProject, SECRET } from "../send/transports/sendsay/helpers.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";

/**
 * The commands that talk to a server — serve and preview (ours, over HTTP), sendsay ping and sync (the
 * local Sendsay API), bounces fetch (a real Dovecot) — and lint's caniemail findings: one success and one
 * failure each, in Russian and in English, with the same exit code in both; a Russian run says nothing
 * in English (tests/helpers/cli.ts, `englishLines`).
 */
afterAll(removeProjects);
afterEach(() => setLanguage("en"));

const LANGS = ["ru", "en"] as const;

/** The CLI in this process in `lang`, with what it wrote in one text and its English lines. */
async function say(lang: string, args: string[], env: Record<string, string | undefined> = {}) {
  const r = await run([...args, "--lang", lang], env);
  const text = `${r.out}\n${r.err}`;
  return { ...r, text, english: englishLines(text) };
}

/**
 * A long-running command of the built CLI (serve, preview): waits for the address it prints, asks it
 * for `path`, stops it with SIGINT and gives back everything it printed, its exit code and the answer's
 * status. A command that exits before printing an address (a failure) gives back what it printed.
 */
async function served(args: string[], cwd: string, env: Record<string, string> = {}, path = "/") {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const url = await new Promise<string | undefined>((done) => {
    const onData = (c: Buffer) => {
      text += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
      if (m) done(m[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => done(undefined));
  });
  let status: number | undefined;
  if (url) {
    status = (await fetch(new URL(path, url))).status;
    child.kill("SIGINT");
  }
  const code = await exited;
  return { code, text, status, english: englishLines(text) };
}

describe("serve", () => {
  let site: Awaited<ReturnType<typeof copyExampleNewsletter>>;
  beforeAll(async () => {
    site = await copyExampleNewsletter();
    const built = await run(["build", "--root", site.dir]);
    expect(built.code, built.err).toBe(0);
  }, 120_000);
  afterAll(async () => site?.remove());

  it.each(LANGS)(
    "success in %s: the site served, then stopped with the count of unsubscribes",
    async (lang) => {
      const r = await served(["serve", "--root", site.dir, "--port", "0", "--lang", lang], site.dir, {
        RASSYLKA_SECRET: SECRET,
      });
      expect(r.status, r.text).toBe(200);
      expect(r.code, r.text).toBe(0);
      if (lang === "ru") {
        expect(r.text).toContain("Сайт из dist/: http://127.0.0.1:");
        expect(r.english).toEqual([]);
      } else expect(r.text).toContain("Serving dist/ at http://127.0.0.1:");
    },
    60_000,
  );

  it.each(LANGS)("failure in %s: a bad --port, exit 1", async (lang) => {
    const r = await say(lang, ["serve", "--root", site.dir, "--port", "http"]);
    expect(r.code).toBe(1);
    expect(r.text).toContain("[serve/bad-port]");
    if (lang === "ru") expect(r.english).toEqual([]);
    else expect(r.err).toContain("--port http is not a port number");
  });
});

describe("preview", () => {
  let site: Awaited<ReturnType<typeof copyExampleNewsletter>>;
  beforeAll(async () => {
    site = await copyExampleNewsletter();
  });
  afterAll(async () => site?.remove());

  it.each(LANGS)(
    "success in %s: the address, an issue's page, stopped cleanly",
    async (lang) => {
      const r = await served(
        ["preview", "--root", site.dir, "--port", "0", "--lang", lang],
        site.dir,
        {},
        "/issue/2026-11-10-tekushchaya-debitorka",
      );
      expect(r.status, r.text).toBe(200);
      expect(r.code, r.text).toBe(0);
      if (lang === "ru") {
        expect(r.text).toContain("Предпросмотр: http://127.0.0.1:");
        expect(r.english).toEqual([]);
      } else expect(r.text).toContain("Preview stopped.");
    },
    120_000,
  );

  it.each(LANGS)(
    "failure in %s: a folder without newsletter.yaml, exit 1",
    async (lang) => {
      const r = await served(["preview", "--root", join(site.dir, "issues"), "--port", "0", "--lang", lang], site.dir);
      expect(r.code, r.text).toBe(1);
      expect(r.status).toBeUndefined();
      if (lang === "ru") expect(r.english).toEqual([]);
      else expect(r.text).toContain("newsletter.yaml");
    },
    60_000,
  );
});

describe("sendsay ping and sync, against the local Sendsay API", () => {
  let project: Awaited<ReturnType<typeof makeSendsayProject>>;
  let server: FakeSendsay | undefined;
  beforeAll(async () => {
    project = await makeSendsayProject(`sendsay:\n  login: ${LOGIN}\n`);
  });
  afterAll(async () => project?.cleanup());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  // Sendsay's own explanation of an error (the local API's, in English) is its text, quoted as it came, not ours
  const ours = (r: { text: string }) => englishLines(r.text.replace(/ \(wrong apikey or login\)/g, ""));
  const env = (s: FakeSendsay, key = KEY) => ({
    SENDSAY_APIKEY: key,
    SENDSAY_API_URL: s.url,
    SENDSAY_LOGIN: undefined,
    RASSYLKA_SECRET: SECRET,
  });

  it.each(LANGS)("ping in %s: the key works; a wrong key names the error and the fix", async (lang) => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, accountName: "Практика продаж" });
    const ok = await say(lang, ["sendsay", "ping", "--root", project.root], env(server));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("«Практика продаж»");
    const bad = await say(lang, ["sendsay", "ping", "--root", project.root], env(server, "a-wrong-key"));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error/auth/failed");
    expect(bad.text).not.toContain(KEY);
    if (lang === "ru") {
      expect(ok.english).toEqual([]);
      expect(ours(bad)).toEqual([]);
    } else expect(bad.err).toContain("check SENDSAY_APIKEY");
  });

  it.each(LANGS)("sync in %s: both ways with the counts; a wrong key stops with the fix", async (lang) => {
    server = await startFakeSendsay({
      login: LOGIN,
      apiKey: KEY,
      stopLists: { member: ["gone@example.ru", "left@example.ru"], owner: ["blocked@example.ru"] },
    });
    const state = join(project.root, `.rassylka/sync-${lang}.sqlite`);
    const added = await say(lang, [
      "suppress",
      "add",
      "bounced@example.ru",
      "--reason",
      "bounced",
      "--root",
      project.root,
      "--state",
      state,
    ]);
    expect(added.code, added.err).toBe(0);
    const ok = await say(lang, ["sendsay", "sync", "--root", project.root, "--state", state], env(server));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("  + gone@example.ru (unsubscribed, sendsay:unsubscribed)");
    const bad = await say(lang, ["sendsay", "sync", "--root", project.root, "--state", state], env(server, "a-wrong-key"));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error/auth/failed");
    if (lang === "ru") {
      expect(ok.out).toContain("добавлено 3 адреса");
      expect(ok.out).toContain("добавлен 1 адрес");
      expect(ok.english).toEqual([]);
      expect(ours(bad)).toEqual([]);
    } else expect(ok.out).toContain("Sendsay → our suppression list: added 3 addresses.");
  });
});

describe("bounces fetch, from a real Dovecot", () => {
  let maildir: string;
  let dovecot: Dovecot | undefined;
  beforeAll(async () => {
    // a Maildir owned by the mailbox's user (as a delivery agent leaves it), with one hard bounce in it
    maildir = await mkdtemp(join(tmpdir(), "rsk-bounces-lang-"));
    await chmod(maildir, 0o755);
    for (const d of ["cur", "new", "tmp"]) await mkdir(join(maildir, d));
    await copyFile(join(REPO, "tests/fixtures/bounces/dsn-hard.eml"), join(maildir, "new", "1796000000.V1I1M1.dsn"));
    for (const p of [maildir, ...["cur", "new", "tmp", "new/1796000000.V1I1M1.dsn"].map((d) => join(maildir, d))])
      await chown(p, MAIL_UID, MAIL_GID);
    dovecot = await startDovecot(maildir);
  }, 60_000);
  afterAll(async () => {
    await dovecot?.stop();
    await rm(maildir, { recursive: true, force: true });
  });

  it("success in ru, then in en on an emptied mailbox; --json the same shape in both", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    const ru = await say("ru", ["bounces", "fetch", "--root", root], { BOUNCES_IMAP_URL: dovecot!.url });
    expect(ru.code, ru.err).toBe(0);
    expect(ru.out).toMatch(/^1 письмо: постоянных возвратов \d · /m);
    expect(ru.text).not.toContain(dovecot!.pass);
    expect(ru.english).toEqual([]);
    // the bounce was moved to Processed: both languages now read an empty inbox
    const [jr, je] = [
      await say("ru", ["bounces", "fetch", "--root", root, "--json"], { BOUNCES_IMAP_URL: dovecot!.url }),
      await say("en", ["bounces", "fetch", "--root", root, "--json"], { BOUNCES_IMAP_URL: dovecot!.url }),
    ];
    expect([jr.code, je.code]).toEqual([0, 0]);
    expect(shape(jr.out)).toEqual(shape(je.out));
    const en = await say("en", ["bounces", "fetch", "--root", root], { BOUNCES_IMAP_URL: dovecot!.url });
    expect(en.code, en.err).toBe(0);
    expect(en.out).toMatch(/^\d+ messages?: hard \d/m);
  }, 60_000);

  it.each(LANGS)(
    "failure in %s: a wrong password, exit 1, the password never shown",
    async (lang) => {
      const root = await makeProject({ issues: {} });
      const wrong = dovecot!.url.replace(dovecot!.pass, "wrong-password-42");
      const r = await say(lang, ["bounces", "fetch", "--root", root], { BOUNCES_IMAP_URL: wrong });
      expect(r.code).toBe(1);
      expect(r.text).toContain(`imap://bounces:***@127.0.0.1:${dovecot!.port}/INBOX`);
      expect(r.text).not.toContain("wrong-password-42");
      if (lang === "ru") expect(r.english).toEqual([]);
      else expect(r.err).toMatch(/check the user and password in BOUNCES_IMAP_URL/);
    },
    60_000,
  );
});

describe("lint's caniemail findings", () => {
  // box-shadow: Gmail's webmails lack it, its apps have it: the platforms are named, and those are words
  const body = issue({}, 'Первый.\n\n<div style="box-shadow:0 0 2px #000">Тень</div>');
  it.each(LANGS)("in %s: the feature's name as caniemail writes it, every word around it from the catalogue", async (lang) => {
    const root = await makeProject({ config: { lint: { clients: ["gmail"] } }, issues: { "2026-11-10-a.md": body } });
    const r = await say(lang, ["lint", "--root", root, "--no-cache"]);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain("[lint/client-support]");
    if (lang === "ru") {
      expect(r.text).toContain(
        "предупреждение: box-shadow: не поддерживается в Gmail (веб-версия на компьютере, мобильная веб-версия) [lint/client-support]",
      );
      expect(r.text).toContain("как исправить: проверьте, что письмо читается и без этого, или обойдитесь без него; подробнее: https://");
      expect(r.english).toEqual([]);
    } else
      expect(r.text).toContain("warning: box-shadow is not supported by Gmail (Desktop Webmail, Mobile Webmail) [lint/client-support]");
  });
});

describe("a reader given up on, read back by status", () => {
  it("the ledger keeps data: status says it in each reader's language; a row an older version wrote in English is shown as it is", async () => {
    const { root, cleanup } = await makeSendProject();
    const sink = await startSmtp({
      behaviour: (rcpt) => (rcpt === "busy@example.ru" ? { code: 452, message: "4.2.2 Mailbox busy" } : undefined),
    });
    try {
      const state = join(root, "state.sqlite");
      const sent = await say(
        "ru",
        [
          "send",
          ISSUE,
          "--root",
          root,
          "--to",
          "busy@example.ru,ok@example.ru",
          "--transport",
          "smtp",
          "--max-attempts",
          "1",
          "--yes",
          "--state",
          state,
        ],
        { RASSYLKA_SECRET: SEND_SECRET, SMTP_URL: sink.url },
      );
      expect(sent.code, sent.text).toBe(2);
      expect(sent.out).toContain("busy@example.ru — не доставлено за 1 попытку в течение 0 с: EENVELOPE: 452 4.2.2 Mailbox busy");
      expect(sent.english).toEqual([]);
      const ru = await say("ru", ["status", "--root", root, "--state", state]);
      expect(ru.out).toContain("✗ busy@example.ru — не доставлено за 1 попытку в течение 0 с: EENVELOPE: 452 4.2.2 Mailbox busy");
      expect(ru.english).toEqual([]);
      const en = await say("en", ["status", "--root", root, "--state", state]);
      expect(en.out).toContain("✗ busy@example.ru — gave up after 1 attempt over 0 s: EENVELOPE: 452 4.2.2 Mailbox busy");
      const [jr, je] = [
        await say("ru", ["status", ISSUE, "--root", root, "--state", state, "--json"]),
        await say("en", ["status", ISSUE, "--root", root, "--state", state, "--json"]),
      ];
      expect(shape(jr.out)).toEqual(shape(je.out));
      expect(JSON.parse(jr.out).failures[0]).toMatchObject({
        email: "busy@example.ru",
        code: 452,
        message: expect.stringMatching(/^не доставлено/),
      });
      expect(JSON.parse(je.out).failures[0].message).toMatch(/^gave up after 1 attempt over 0 s/);

      const db = await openState(state);
      db.prepare(
        "UPDATE send_ledger SET last_response = 'gave up after 5 attempts over 2 min: 452 4.2.2 Mailbox busy' WHERE state = 'failed'",
      ).run();
      db.close();
      const old = await say("ru", ["status", "--root", root, "--state", state]);
      expect(old.code).toBe(0);
      expect(old.out).toContain("✗ busy@example.ru — gave up after 5 attempts over 2 min: 452 4.2.2 Mailbox busy");
    } finally {
      await sink.close();
      await cleanup();
    }
  }, 60_000);
});
