import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where `rassylka bounces import` reads messages: a single message (.eml), an mbox file (messages
 * after "From " lines, RFC 4155) or a Maildir folder (its new/ and cur/). Files are only read, never
 * moved or deleted: the CLI lists what each one was.
 */
export interface SourceMessage {
  /** `file`, `file#3` (the third message of an mbox), or the Maildir file. */
  label: string;
  raw: Buffer;
}

export interface SourceProblem {
  label: string;
  /** errno code or what was wrong. */
  problem: string;
}

function isMaildir(names: string[]): boolean {
  return names.includes("cur") && names.includes("new");
}

/** mbox (RFC 4155): a message starts at a "From " line at the start of the file or after a blank line. */
export function splitMbox(text: Buffer): Buffer[] {
  const s = text.toString("latin1");
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  for (let m = re.exec(s); m; m = re.exec(s)) starts.push(m.index + m[1].length);
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : s.length;
    const chunk = s.slice(start, end);
    // the "From " line is the mbox's, not the message's; ">From " in the body was escaped by the writer (mboxrd)
    const body = chunk.slice(chunk.indexOf("\n") + 1).replace(/^>(>*From )/gm, "$1");
    return Buffer.from(body, "latin1");
  });
}

function looksLikeMbox(head: Buffer): boolean {
  return head.subarray(0, 5).toString("latin1") === "From ";
}

/** Every message of the paths given, in order; problems (a missing file, a folder that is not a Maildir) apart. */
export async function* readSources(paths: readonly string[], problems: SourceProblem[]): AsyncGenerator<SourceMessage> {
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (e) {
      problems.push({ label: path, problem: (e as NodeJS.ErrnoException).code ?? String(e) });
      continue;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(path);
      } catch (e) {
        problems.push({ label: path, problem: (e as NodeJS.ErrnoException).code ?? String(e) });
        continue;
      }
      if (!isMaildir(names)) {
        problems.push({ label: path, problem: "a folder that is not a Maildir (no cur/ and new/)" });
        continue;
      }
      for (const sub of ["new", "cur"]) {
        let files: string[];
        try {
          files = (await readdir(join(path, sub))).filter((f) => !f.startsWith(".")).sort();
        } catch (e) {
          problems.push({ label: join(path, sub), problem: (e as NodeJS.ErrnoException).code ?? String(e) });
          continue;
        }
        for (const f of files) {
          const file = join(path, sub, f);
          try {
            yield { label: file, raw: await readFile(file) };
          } catch (e) {
            problems.push({ label: file, problem: (e as NodeJS.ErrnoException).code ?? String(e) });
          }
        }
      }
      continue;
    }
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (e) {
      problems.push({ label: path, problem: (e as NodeJS.ErrnoException).code ?? String(e) });
      continue;
    }
    if (!raw.length) {
      problems.push({ label: path, problem: "the file is empty" });
      continue;
    }
    if (looksLikeMbox(raw)) {
      let n = 0;
      for (const message of splitMbox(raw)) yield { label: `${path}#${++n}`, raw: message };
    } else yield { label: path, raw };
  }
}
