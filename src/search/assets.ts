import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileIfChanged } from "../util/fs.js";
import { QUERY_STEMMERS, SCRIPT_FILE, STEMMER_FILE } from "./records.js";

/** The archive page's search script (plain JavaScript, served as it is: assets/search.js in this package). */
const SCRIPT = new URL("../../assets/search.js", import.meta.url);

/** The query stemmer's module file for a language, or undefined (it is a self-contained ES module). */
export function stemmerFile(language: string): string | undefined {
  const name = QUERY_STEMMERS[language];
  return name ? fileURLToPath(import.meta.resolve(`@orama/stemmers/${name}`)) : undefined;
}

/** `<out>/search.js` and, when the language has one, `<out>/search-stem.js`; returns their count and bytes. */
export async function writeSearchAssets(outDir: string, language: string): Promise<{ files: number; bytes: number }> {
  const script = join(outDir, SCRIPT_FILE);
  const stem = join(outDir, STEMMER_FILE);
  await writeFileIfChanged(script, await readFile(SCRIPT, "utf8"));
  const source = stemmerFile(language);
  if (source) await writeFileIfChanged(stem, await readFile(source, "utf8"));
  else await rm(stem, { force: true });
  const sizes = await Promise.all([script, ...(source ? [stem] : [])].map(async (f) => (await stat(f)).size));
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}
