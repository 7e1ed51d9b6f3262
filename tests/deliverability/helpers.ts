import { execFile } from "node:child_process";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { copyExampleNewsletter, REPO, tempDir } from "../helpers/newsletter.js";

const run = promisify(execFile);
const BIN = join(REPO, "bin", "rassylka.js");
export const SECRET = "deliverability-test-secret-0123456789";

/** An issue with what a real one has: Russian prose with links, a table, code, a quote; the events come from the config. */
export const RICH_ISSUE = join(REPO, "tests", "fixtures", "deliverability", "2026-12-01-debitorka-za-pyat-minut.md");

/** Readers whose personal links (unsubscribe token) differ. */
export const READERS = "anna@example.ru,boris.petrov@mail.ru,olga@yandex.ru";

export interface Built {
  dir: string;
  /** Every message the outbox got, one .eml per reader and issue. */
  messages: { file: string; raw: string }[];
  remove: () => Promise<void>;
}

async function cli(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, RASSYLKA_SECRET: SECRET, RASSYLKA_LANG: "en" },
  });
  return stdout;
}

/**
 * Send every issue of `dir` to READERS into outbox/ (a real send, as readers get it; `send` compiles the
 * issue itself, so no `build` first). The first send makes the state; the others then run at once.
 */
async function sendAll(dir: string, remove: () => Promise<void>): Promise<Built> {
  const slugs = (await readdir(join(dir, "issues"))).filter((f) => f.endsWith(".md")).map((f) => f.replace(/\.md$/, ""));
  const send = (slug: string) => cli(["send", slug, "--to", READERS, "--yes"], dir);
  await send(slugs[0]);
  await Promise.all(slugs.slice(1).map(send));
  const messages: Built["messages"] = [];
  for (const slug of slugs) {
    for (const f of await readdir(join(dir, "outbox", slug))) {
      const file = join(dir, "outbox", slug, f);
      messages.push({ file, raw: await readFile(file, "utf8") });
    }
  }
  return { dir, messages, remove };
}

/** The example newsletter (this repository's config, templates and issues) plus the rich issue. */
export async function exampleMessages(): Promise<Built> {
  const t = await copyExampleNewsletter();
  await cp(RICH_ISSUE, join(t.dir, "issues", "2026-12-01-debitorka-za-pyat-minut.md"));
  return sendAll(t.dir, t.remove);
}

/**
 * A fresh `rassylka init`, its first issue (ready, not a draft), the rich issue beside it, and
 * the two settings a real send needs (the archive's URL, the one-click unsubscribe endpoint).
 */
export async function initMessages(): Promise<Built> {
  const t = await tempDir("rsk-init-");
  const dir = join(t.dir, "news");
  // --url: the archive's address, from which init writes the one-click unsubscribe endpoint
  await cli(["init", dir, "--language", "ru", "--url", "https://example.org/archive"], t.dir);
  for (const f of await readdir(join(dir, "issues"))) {
    const file = join(dir, "issues", f);
    await writeFile(file, (await readFile(file, "utf8")).replace(/^draft: true\n/m, ""));
  }
  await cp(RICH_ISSUE, join(dir, "issues", "2026-12-01-debitorka-za-pyat-minut.md"));
  return sendAll(dir, t.remove);
}
