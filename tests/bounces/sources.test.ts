import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readSources, type SourceMessage, type SourceProblem } from "../../src/bounces/sources.js";
import { setLanguage } from "../../src/i18n/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rsk-sources-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => setLanguage("en"));

async function all(paths: string[]): Promise<{ messages: SourceMessage[]; problems: SourceProblem[] }> {
  const problems: SourceProblem[] = [];
  const messages: SourceMessage[] = [];
  for await (const m of readSources(paths, problems)) messages.push(m);
  return { messages, problems };
}

describe("bounces import reads", () => {
  it("an mbox: each message after its From line, >From unescaped", async () => {
    const mbox = join(dir, "bounces.mbox");
    await writeFile(
      mbox,
      "From MAILER-DAEMON Tue Dec  1 10:00:00 2026\nSubject: one\n\nfirst\n>From the start\n\nFrom MAILER-DAEMON Tue Dec  1 11:00:00 2026\nSubject: two\n\nsecond\n",
    );
    const { messages, problems } = await all([mbox]);
    expect(problems).toEqual([]);
    expect(messages.map((m) => m.label)).toEqual([`${mbox}#1`, `${mbox}#2`]);
    expect(messages[0].raw.toString()).toBe("Subject: one\n\nfirst\nFrom the start\n\n");
    expect(messages[1].raw.toString()).toBe("Subject: two\n\nsecond\n");
  });

  it("a Maildir's new/ and cur/ (not tmp/), a single .eml; problems named per path", async () => {
    const maildir = join(dir, "Maildir");
    for (const sub of ["new", "cur", "tmp"]) await mkdir(join(maildir, sub), { recursive: true });
    await writeFile(join(maildir, "new", "1.a"), "Subject: a\n\na\n");
    await writeFile(join(maildir, "cur", "2.b:2,S"), "Subject: b\n\nb\n");
    await writeFile(join(maildir, "tmp", "3.c"), "Subject: half-written\n");
    const eml = join(dir, "one.eml");
    await writeFile(eml, "Subject: c\n\nc\n");
    const plain = join(dir, "plain");
    await mkdir(plain);
    await writeFile(join(dir, "empty.eml"), "");
    const { messages, problems } = await all([maildir, eml, join(dir, "nope.eml"), plain, join(dir, "empty.eml")]);
    expect(messages.map((m) => m.label)).toEqual([join(maildir, "new", "1.a"), join(maildir, "cur", "2.b:2,S"), eml]);
    expect(problems).toEqual([
      {
        label: join(dir, "nope.eml"),
        problem: "no such file or folder",
        note: "no such file or folder",
        fix: "check the path: give .eml files, mbox files or Maildir folders (with cur/ and new/)",
      },
      {
        label: plain,
        problem: "a folder that is not a Maildir (no cur/ and new/)",
        note: "a folder that is not a Maildir (no cur/ and new/)",
      },
      { label: join(dir, "empty.eml"), problem: "the file is empty", note: "the file is empty" },
    ]);
  });

  it("in Russian: `problem` keeps the English words scripts read, `note` and `fix` are in Russian", async () => {
    setLanguage("ru");
    const plain = join(dir, "plain-ru");
    await mkdir(plain);
    await writeFile(join(dir, "empty-ru.eml"), "");
    const { problems } = await all([join(dir, "nope.eml"), plain, join(dir, "empty-ru.eml")]);
    expect(problems).toEqual([
      {
        label: join(dir, "nope.eml"),
        problem: "no such file or folder",
        note: "нет такого файла или папки",
        fix: "проверьте путь: нужны файлы .eml, файлы mbox или папки Maildir (с cur/ и new/)",
      },
      { label: plain, problem: "a folder that is not a Maildir (no cur/ and new/)", note: "папка — не Maildir (в ней нет cur/ и new/)" },
      { label: join(dir, "empty-ru.eml"), problem: "the file is empty", note: expect.stringMatching(/^[^a-z]*$/) },
    ]);
    // a FIFO: refused by readRegularFile, whose error carries its words for both
    const fifo = join(dir, "pipe-ru.eml");
    execFileSync("mkfifo", [fifo]);
    expect((await all([fifo])).problems).toEqual([
      {
        label: fifo,
        problem: `${fifo} is not a regular file (a FIFO, a device or a socket): it would never end`,
        note: `${fifo} — не обычный файл (канал FIFO, устройство или сокет): его чтение никогда не закончится`,
      },
    ]);
  });
});
