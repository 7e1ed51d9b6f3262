import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { createUnsubscribeToken } from "../../src/identity/token.js";
import type { StateLocation } from "../../src/state/location.js";
import { latestVersion, MIGRATIONS } from "../../src/state/migrations.js";
import { openStore } from "../../src/state/store.js";
import { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";
import { PG_PASSWORD } from "../helpers/postgres.js";
import { post, request } from "../server/http.js";
import { backends, seedSqlite } from "../state/backends.js";

/**
 * `rassylka state …`, `suppress` and `serve` through the built CLI, against a state file and against a
 * PostgreSQL database: each process is another "machine" sharing the one state.
 */
const BIN = join(REPO, "bin/rassylka.js");
const SECRET = "state-cli-secret-0123456789abcdef";

let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
let listId: string;
/** One throwaway PostgreSQL cluster for the whole file. */
const BACKENDS = backends();
const PG = BACKENDS[1];

beforeAll(async () => {
  if (!existsSync(join(REPO, "dist-lib/cli/state.js"))) throw new Error("dist-lib is not built: run `npx tsc -p tsconfig.build.json`");
  t = await copyExampleNewsletter();
  listId = newsletterId((await loadConfig(t.dir)).config);
  await Promise.all(BACKENDS.map((b) => b.start()));
});
afterAll(async () => {
  for (const b of BACKENDS) await b.stop();
  await t?.remove();
});

type Result = { code: number; stdout: string; stderr: string };
function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: t.dir, env: { ...process.env, RASSYLKA_SECRET: SECRET, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `--state X` for a file; RASSYLKA_DATABASE_URL for a database (how a server is usually configured). */
function via(location: StateLocation, style: "flag" | "env" = "flag"): { args: string[]; env: Record<string, string> } {
  if (location.kind === "sqlite") return { args: ["--state", location.file], env: {} };
  return style === "env" ? { args: [], env: { RASSYLKA_DATABASE_URL: location.url } } : { args: ["--state", location.url], env: {} };
}

function serve(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [BIN, "serve", "--root", t.dir, "--port", "0", ...args], {
    cwd: t.dir,
    env: { ...process.env, RASSYLKA_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m) resolve({ child, url: m[1], output: () => output, exited });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

const noPassword = (r: Result) => expect(`${r.stdout}${r.stderr}`).not.toContain(PG_PASSWORD);

describe.each(BACKENDS)("one $name state for serve, suppress and state", (backend) => {
  test("serve on one machine records a one-click unsubscribe that suppress in another process reads, and the other way round", async () => {
    const location = await backend.fresh();
    const server = await serve(via(location, "env").args, via(location, "env").env);
    try {
      const unsub = await post(
        server.url,
        `/rassylka/unsubscribe?token=${createUnsubscribeToken("Ivan.Petrov@example.ru", listId, SECRET)}`,
      );
      expect(unsub.status).toBe(200);

      const listed = await run(["suppress", "list", "--json", ...via(location).args], via(location).env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ email: "ivan.petrov@example.ru", reason: "unsubscribed", source: "one-click" }]);

      // suppressed on the sending side: the running server's page says so at once
      const added = await run(["suppress", "add", "anna@example.ru", "--reason", "complained", ...via(location).args], via(location).env);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain("Suppressed 1 new address");
      const page = await request(server.url, `/rassylka/unsubscribe?token=${createUnsubscribeToken("anna@example.ru", listId, SECRET)}`);
      expect(page.status).toBe(200);
      expect(page.body).not.toContain("<form");
      expect(page.body).toContain("anna@example.ru");
      noPassword(added);
      noPassword(listed);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("unsubscribed i***@example.ru");
    expect(server.output()).toContain("Stopped. 1 new unsubscribe recorded.");
    expect(server.output()).not.toContain(PG_PASSWORD);
    if (location.kind === "postgres") expect(server.output()).toMatch(/→ postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/t_\d+/);
  });

  test("state migrate: three processes at once on a new state apply each migration once; then nothing to apply", async () => {
    const location = await backend.fresh();
    const { args, env } = via(location);
    const results = await Promise.all([1, 2, 3].map(() => run(["state", "migrate", "--json", ...args], env)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const applied = results.flatMap((r) => JSON.parse(r.stdout).applied);
    const migrations = MIGRATIONS;
    expect(applied).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    const again = await run(["state", "migrate", ...args], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`: up to date \\(schema version ${latestVersion(migrations)}\\), nothing to apply\\.`));
    for (const r of [...results, again]) noPassword(r);
    if (location.kind === "postgres") expect(again.stdout).toMatch(/^postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/t_\d+: up to date/);
  });

  test("state copy --from FILE.sqlite: counts per table, nothing twice on a re-run", async () => {
    const source = join(t.dir, `source-${backend.name}.sqlite`);
    await seedSqlite(source);
    const target = await backend.fresh();
    const to = target.kind === "sqlite" ? target.file : target.url;
    const first = await run(["state", "copy", "--from", source, "--to", to]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Copied source-${backend.name}.sqlite → `);
    expect(first.stdout).toMatch(/send_runs\s+2 copied\n/);
    expect(first.stdout).toMatch(/send_ledger\s+8 copied\n/);
    expect(first.stdout).toMatch(/suppressed\s+3 copied\n/);
    expect(first.stdout).toMatch(/sendsay_campaigns\s+2 copied\n/);
    expect(first.stdout).toMatch(/subscribers\s+2 copied\n/);
    expect(first.stdout).toMatch(/poll_votes\s+2 copied\n/);
    expect(first.stdout).toContain("24 rows copied.");
    const again = await run(["state", "copy", "--from", source, "--to", to, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      copied: 0,
      tables: [
        { table: "send_runs", read: 2, copied: 0 },
        { table: "send_ledger", read: 8, copied: 0 },
        { table: "suppressed", read: 3, copied: 0 },
        { table: "sendsay_campaigns", read: 2, copied: 0 },
        { table: "subscribers", read: 2, copied: 0 },
        { table: "bounces", read: 0, copied: 0 },
        { table: "bounce_messages", read: 0, copied: 0 },
        { table: "send_invalid", read: 2, copied: 0 },
        { table: "unverified_bounces", read: 0, copied: 0 },
        { table: "tracked_issues", read: 0, copied: 0 },
        { table: "issue_links", read: 0, copied: 0 },
        { table: "click_events", read: 0, copied: 0 },
        { table: "open_events", read: 0, copied: 0 },
        { table: "event_totals", read: 0, copied: 0 },
        { table: "polls", read: 1, copied: 0 },
        { table: "poll_votes", read: 2, copied: 0 },
        { table: "scheduled_issues", read: 1, copied: 0 },
        { table: "ab_tests", read: 1, copied: 0 },
      ],
    });
    noPassword(first);
    noPassword(again);
    const store = await openStore(target);
    try {
      expect(await store.suppressions.has("UNSUB@example.ru")).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL errors name the place (masked) and the fix", () => {
  let url = "";
  beforeAll(async () => {
    const location = await PG.fresh();
    if (location.kind === "postgres") url = location.url;
  });

  const expectDiagnostic = (r: Result, message: RegExp, fix: RegExp) => {
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(fix);
    noPassword(r);
  };

  test("a wrong password", async () => {
    const wrong = url.replace(PG_PASSWORD, "not-the-password");
    const r = await run(["suppress", "list", "--state", wrong]);
    expectDiagnostic(
      r,
      /cannot connect to PostgreSQL at postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/t_\d+: the server refused user "rassylka"/,
      /fix: check the user name and password in RASSYLKA_DATABASE_URL/,
    );
    expect(r.stderr).not.toContain("not-the-password");
  });

  test("a database that does not exist", async () => {
    const r = await run(["state", "migrate"], { RASSYLKA_DATABASE_URL: url.replace(/t_\d+$/, "nosuchdb") });
    expectDiagnostic(
      r,
      /postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/nosuchdb: the database "nosuchdb" does not exist/,
      /fix: create it \(createdb -h 127\.0\.0\.1/,
    );
  });

  test("nothing listening there", async () => {
    const source = join(t.dir, "refused.sqlite");
    await seedSqlite(source);
    const r = await run(["state", "copy", "--from", source, "--to", url.replace(/:\d+\//, ":1/")]);
    expectDiagnostic(
      r,
      /postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:1\/t_\d+: nothing listens on 127\.0\.0\.1:1/,
      /fix: start PostgreSQL on 127\.0\.0\.1, or correct the host and port/,
    );
  });

  test("send and status work on PostgreSQL (RASSYLKA_DATABASE_URL or --state): no local state file, the password never shown", async () => {
    const local = join(t.dir, ".rassylka", "state.sqlite");
    const hadLocal = existsSync(local);
    const sent = await run(["send", "2026-11-10-tekushchaya-debitorka", "--to", "a@example.ru,b@example.ru", "--yes", "--json"], {
      RASSYLKA_DATABASE_URL: url,
    });
    expect(sent.code, sent.stderr).toBe(0);
    noPassword(sent);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      sent: 2,
      stateFile: expect.stringMatching(/^postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/t_\d+$/),
    });
    expect(existsSync(local)).toBe(hadLocal);
    const status = await run(["status", "2026-11-10-tekushchaya-debitorka", "--state", url, "--json"]);
    expect(status.code, status.stderr).toBe(0);
    noPassword(status);
    // a send to the outbox is a trial: status shows it apart, and the real send still goes to everyone
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { total: 0, sent: 0 }, trial: { counts: { total: 2, sent: 2 } } });
  });
});
