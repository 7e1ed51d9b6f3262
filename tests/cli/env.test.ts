import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { newsletterId } from "../../src/identity/newsletter.js";
import { verifyUnsubscribeToken } from "../../src/identity/token.js";
import { initNewsletter } from "../../src/project/init.js";
import { rassylka } from "../helpers/cli.js";
import { tempDir } from "../helpers/newsletter.js";

/**
 * Secrets between terminal sessions: the newsletter's .env (written by init with a fresh RASSYLKA_SECRET)
 * is read by every command; a variable set in the real environment wins; the secret is never printed.
 * Seen from outside: the unsubscribe token in a sent message verifies with the secret that should sign it.
 */
let tmp: string;
let remove: () => Promise<void>;
let dir: string;
let fromFile: string;
let listId: string;
/** The environment without any secret of the machine running the tests. */
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "RASSYLKA_SECRET"));

beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-env-"));
  dir = join(tmp, "n");
  const made = await initNewsletter(dir, { language: "en", date: "2026-05-01" });
  const issue = made.written.find((f) => f.startsWith("issues/")) as string;
  await writeFile(join(dir, issue), (await readFile(join(dir, issue), "utf8")).replace("draft: true\n", ""));
  fromFile = /^RASSYLKA_SECRET=(\w+)$/m.exec(await readFile(join(dir, ".env"), "utf8"))?.[1] as string;
  listId = newsletterId((await loadConfig(dir)).config);
});
afterAll(() => remove());

/** The token of the List-Unsubscribe header of the one message in outbox/<slug>/ after a send to `to`. */
async function tokenAfterSend(to: string, env: NodeJS.ProcessEnv): Promise<{ token: string; out: string }> {
  const r = await rassylka(["send", "2026-05-01-our-first-issue", "--to", to, "--yes", "--root", dir], tmp, env);
  expect(r.err).not.toMatch(/RASSYLKA_SECRET is not set|\n\s+at /);
  expect(r.code).toBe(0);
  const box = join(dir, "outbox", "2026-05-01-our-first-issue");
  const file = (await readdir(box)).find((f) => f.startsWith(to.split("@")[0]));
  const eml = await readFile(join(box, file as string), "utf8");
  const token = /[?&]token=([\w.-]+)/.exec(eml.replace(/=\r?\n/g, ""))?.[1];
  expect(token).toBeDefined();
  return { token: token as string, out: r.out + r.err };
}

describe(".env", () => {
  it("a send signs with the secret from .env when the environment has none, and never prints it", async () => {
    const { token, out } = await tokenAfterSend("first@mail.example.ru", clean);
    expect(verifyUnsubscribeToken(token, listId, fromFile)).toBe("first@mail.example.ru");
    expect(out).not.toContain(fromFile);
  }, 60_000);

  it("the real environment wins over .env", async () => {
    const real = "b".repeat(64);
    const { token, out } = await tokenAfterSend("second@mail.example.ru", { ...clean, RASSYLKA_SECRET: real });
    expect(verifyUnsubscribeToken(token, listId, real)).toBe("second@mail.example.ru");
    expect(verifyUnsubscribeToken(token, listId, fromFile)).toBeUndefined();
    expect(out).not.toContain(real);
  }, 60_000);

  it("--root names the newsletter whose .env is read, from any folder", async () => {
    const r = await rassylka(["send", "2026-05-01-our-first-issue", "--to", "third@mail.example.ru", "--yes", `--root=${dir}`], tmp, clean);
    expect(r.code).toBe(0);
  }, 60_000);
});
