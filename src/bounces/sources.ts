import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Params, t, translator } from "../i18n/index.js";
import { MAX_INPUT_BYTES, readRegularFile } from "../util/fs.js";

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
  /**
   * What was wrong, in English words whatever the editor's language (an unknown system error by its
   * code): scripts reading `--json` have read these.
   */
  problem: string;
  /** The same in the editor's language. */
  note: string;
  /** What to do about it, when we can say. */
  fix?: string;
}

/** A problem in English for scripts (`problem`) and in the editor's language (`note`). */
export function problemIn(key: string, params?: Params): { problem: string; note: string } {
  return { problem: translator("en").t(key, params), note: t(key, params) };
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
      problems.push({ label: path, ...problemOf(e) });
      continue;
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(path);
      } catch (e) {
        problems.push({ label: path, ...problemOf(e) });
        continue;
      }
      if (!isMaildir(names)) {
        problems.push({ label: path, ...problemIn("bounces:problem.notMaildir") });
        continue;
      }
      for (const sub of ["new", "cur"]) {
        let files: string[];
        try {
          files = (await readdir(join(path, sub))).filter((f) => !f.startsWith(".")).sort();
        } catch (e) {
          problems.push({ label: join(path, sub), ...problemOf(e) });
          continue;
        }
        for (const f of files) {
          const file = join(path, sub, f);
          try {
            yield { label: file, raw: await readRegularFile(file) };
          } catch (e) {
            problems.push({ label: file, ...problemOf(e) });
          }
        }
      }
      continue;
    }
    let raw: Buffer;
    try {
      // an mbox holds many messages: up to 20 of the largest at once; each message is capped below
      raw = await readRegularFile(path, 20 * MAX_INPUT_BYTES);
    } catch (e) {
      problems.push({ label: path, ...problemOf(e) });
      continue;
    }
    if (!raw.length) {
      problems.push({ label: path, ...problemIn("bounces:problem.empty") });
      continue;
    }
    if (looksLikeMbox(raw)) {
      let n = 0;
      for (const message of splitMbox(raw)) {
        const label = `${path}#${++n}`;
        if (message.length > MAX_INPUT_BYTES)
          problems.push({
            label,
            ...problemIn("input-files:tooBig", { path: label, size: Math.ceil(message.length / 1048576), max: MAX_INPUT_BYTES / 1048576 }),
          });
        else yield { label, raw: message };
      }
    } else if (raw.length > MAX_INPUT_BYTES) {
      problems.push({
        label: path,
        ...problemIn("input-files:tooBig", { path, size: Math.ceil(raw.length / 1048576), max: MAX_INPUT_BYTES / 1048576 }),
      });
    } else yield { label: path, raw };
  }
}

/** Our own errors say what is wrong in words; a missing or unreadable path with its fix; another system error by its code. */
function problemOf(e: unknown): { problem: string; note: string; fix?: string } {
  const { code, words } = e as NodeJS.ErrnoException & { words?: { key: string; params: Params } };
  if (words) return problemIn(words.key, words.params);
  if (code === "ENOENT") return { ...problemIn("input-files:missing"), fix: t("input-files:missing.fix") };
  if (code === "EACCES" || code === "EPERM") return { ...problemIn("input-files:denied"), fix: t("input-files:denied.fix") };
  const problem = code ?? String(e);
  return { problem, note: problem };
}
