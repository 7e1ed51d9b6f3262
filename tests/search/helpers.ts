import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { copyExampleNewsletter, REPO, writeFiles } from "../helpers/newsletter.js";

export const BIN = join(REPO, "bin", "rassylka.js");

/** A word only a draft has, one only the issue that will be deleted has, one only in the layout's footer. */
export const DRAFT_WORD = "зебровидный";
export const DELETED_WORD = "кенгурятник";
export const DELETED = "issues/2026-12-01-udalyaemyi.md";

/**
 * The example newsletter (two issues tagged дебиторка, one also звонки) with `rubrics:`, a draft and a
 * third published issue (tagged позиция продавца) that a test deletes.
 */
export async function searchNewsletter() {
  const t = await copyExampleNewsletter();
  const yaml = await readFile(join(t.dir, "newsletter.yaml"), "utf8");
  await writeFiles(t.dir, {
    "newsletter.yaml": `${yaml}rubrics:\n  звонки: Звонки клиентам\n  дебиторка: Дебиторка\n  позиция продавца: Позиция продавца\n`,
    "issues/2026-12-05-chernovik.md": `---\ntitle: Черновик о дебиторке\ndate: 2026-12-05\ndraft: true\ntags: [дебиторка]\n---\nЗдесь ${DRAFT_WORD} текст о дебиторке.\n`,
    [DELETED]: `---\ntitle: Выпуск, который удалят\ndate: 2026-12-01\ntags: [позиция продавца]\n---\nВ этом выпуске есть ${DELETED_WORD} и немного о позиции продавца.\n`,
  });
  return t;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI (tests/global-setup.ts bundles it) in `cwd`. */
export function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { PATH: process.env.PATH, RASSYLKA_LANG: "en", LANG: "C.UTF-8", ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Slugs `search --json` finds. */
export async function found(cwd: string, query: string, ...flags: string[]): Promise<string[]> {
  const r = await run(cwd, ["search", query, "--json", ...flags]);
  if (r.code !== 0) throw new Error(`search exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { results: { slug: string }[] }).results.map((h) => h.slug).sort();
}
