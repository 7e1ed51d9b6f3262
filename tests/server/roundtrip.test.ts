import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openState } from "../../src/state/db.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";
import { post, request } from "./http.js";

/**
 * The whole way of an unsubscribe, through the built CLI (`npm test` builds dist-lib first):
 * build → send to the outbox → the .eml's List-Unsubscribe URL POSTed once to `rassylka serve` →
 * `suppress export` on the web host → `suppress import` on the sending machine → the next send skips
 * that reader.
 */
const BIN = join(REPO, "bin/rassylka.js");
const SECRET = "roundtrip-secret-0123456789abcdef";
const FIRST = "2026-11-10-tekushchaya-debitorka";
const SECOND = "2026-11-24-ne-pryachtes-za-firmu";

let t: Awaited<ReturnType<typeof copyExampleNewsletter>>;
const env = () => ({ ...process.env, RASSYLKA_SECRET: SECRET });

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, "--root", t.dir], { cwd: t.dir, env: env(), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `rassylka serve --port 0`, resolved once it prints where it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, "serve", "--root", t.dir, "--port", "0", ...args], {
    cwd: t.dir,
    env: env(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
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

beforeAll(async () => {
  if (!existsSync(join(REPO, "dist-lib/server/server.js")))
    throw new Error("dist-lib is not built: run `npx tsc -p tsconfig.build.json` (npm test does)");
  t = await copyExampleNewsletter();
  await writeFile(join(t.dir, "readers.csv"), "email,name\nivan.petrov@example.ru,Иван Петрович\nanna@example.ru,Анна\nolga@example.ru,\n");
});
afterAll(() => t?.remove());

test("an unsubscribe link from a sent .eml works with one POST to `rassylka serve`, and after export/import the next send skips that reader", async () => {
  const built = await run(["build"]);
  expect(built.code, built.stderr).toBe(0);

  const sent = await run(["send", FIRST, "--to", "readers.csv", "--yes", "--json", "--state", "sender.sqlite"]);
  expect(sent.code, sent.stderr).toBe(0);
  expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 3, suppressed: 0 });

  // the reader's message carries the one-click headers (RFC 8058)
  const eml = await simpleParser(await readFile(join(t.dir, "outbox", FIRST, "ivan.petrov@example.ru.eml")));
  const line = (key: string) => (eml.headerLines.find((h) => h.key === key)?.line ?? "").replace(/\r?\n\s+/g, " ");
  expect(line("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  const header = line("list-unsubscribe");
  const link = /<(https:[^>]+)>/.exec(header)?.[1];
  expect(link).toMatch(/^https:\/\/prodazhi\.example\.ru\/rassylka\/unsubscribe\?token=/);
  const { pathname, search } = new URL(link!);
  // and a "view in browser" link to the web version
  expect(eml.html).toContain(`href="https://prodazhi.example.ru/rassylka/${FIRST}.html"`);

  const server = await serve(["--state", "web.sqlite"]);
  try {
    // the archive is there
    const home = await request(server.url, "/");
    expect(home.status).toBe(200);
    expect(home.body).toContain(`href="${SECOND}.html"`);
    // a scanner's GET changes nothing; the provider's one POST unsubscribes
    expect((await request(server.url, pathname + search)).status).toBe(200);
    const db = await openState(join(t.dir, "web.sqlite"));
    expect(await sqliteStore(db).suppressions.count()).toBe(0);
    db.close();
    const r = await post(server.url, pathname + search);
    expect(r.status).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(r.headers["set-cookie"]).toBeUndefined();
  } finally {
    server.child.kill("SIGTERM");
  }
  expect(await server.exited).toBe(0);
  expect(server.output()).toContain("unsubscribed i***@example.ru");
  expect(server.output()).toContain("Stopped. 1 new unsubscribe recorded.");

  // web host → sending machine
  const exported = await run(["suppress", "export", "unsubscribed.csv", "--state", "web.sqlite"]);
  expect(exported.code, exported.stderr).toBe(0);
  expect(await readFile(join(t.dir, "unsubscribed.csv"), "utf8")).toMatch(
    /^email,reason,source,created_at\nivan\.petrov@example\.ru,unsubscribed,one-click,/,
  );
  const imported = await run(["suppress", "import", "unsubscribed.csv", "--state", "sender.sqlite"]);
  expect(imported.code, imported.stderr).toBe(0);
  const sender = await openState(join(t.dir, "sender.sqlite"));
  expect(await sqliteStore(sender).suppressions.has("Ivan.Petrov@example.ru")).toBe(true);
  expect(await sqliteStore(sender).suppressions.list()).toMatchObject([
    { email: "ivan.petrov@example.ru", reason: "unsubscribed", source: "one-click" },
  ]);
  sender.close();

  const next = await run(["send", SECOND, "--to", "readers.csv", "--yes", "--json", "--state", "sender.sqlite"]);
  expect(next.code, next.stderr).toBe(0);
  expect(JSON.parse(next.stdout)).toMatchObject({ sent: 2, suppressed: 1 });
  expect((await readdir(join(t.dir, "outbox", SECOND))).sort()).toEqual(["anna@example.ru.eml", "olga@example.ru.eml"]);
});
