#!/usr/bin/env node
/**
 * `node scripts/bundle.mjs`: bundles the CLI into dist-cli/ with esbuild (run by `npm ci` through
 * `prepare`, by `npm test`, and by tests/global-setup.ts when stale). Loading one bundle is much faster
 * than loading ~300 small ES modules one by one (zod alone is 95 files); code splitting keeps every
 * command's chunk apart, so `--version` loads commander and nothing else, and a cached `build` never
 * loads MJML.
 *
 * Independent of the layout under src/: the entry points are src/cli/index.ts and every module that
 * runs as a worker thread (it uses `parentPort`), each written at its path under src/
 * (src/a/worker.ts → dist-cli/a/worker.js). Code that finds files next to itself
 * (`new URL("…", import.meta.url)`: package.json, the starter templates, a worker's script) keeps
 * working because `import.meta.url` in each source file is rewritten to the URL that file would have
 * at its own path under dist-cli/, whichever chunk its code ends up in.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");
export const OUT = join(ROOT, "dist-cli");

/**
 * Not bundled: the native addon (better-sqlite3), the browser driver only `screenshots` needs
 * (playwright-core), Pagefind (it finds and starts its binary from its own folder), and mjml and juice, which are imported only on a cache miss: bundled, mjml's
 * optional requires pull in TypeScript and its minifiers (a 20 MB bundle).
 */
const EXTERNAL = ["better-sqlite3", "playwright-core", "mjml", "juice", "pagefind"];

const posix = (p) => p.split(sep).join("/");

async function* walk(dir, keep = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts")) {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walk(path, keep);
    else if (keep(e.name)) yield path;
  }
}

/**
 * A hash of every file the bundle is made of or reads beside itself (src/, assets/): the bundle's
 * `__RASSYLKA_SOURCES__` (src/version.ts `BUILD`), so what a build keeps of its pages is not taken for
 * what a CLI bundled from other templates or words would write.
 */
async function sourcesHash() {
  const h = createHash("sha256");
  for (const dir of [SRC, join(ROOT, "assets")]) {
    for await (const file of walk(dir, () => true))
      h.update(posix(relative(ROOT, file)))
        .update("\0")
        .update(await readFile(file))
        .update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

/** src/cli/index.ts and every worker thread's module. */
export async function entryPoints() {
  const entries = [join(SRC, "cli", "index.ts")];
  for await (const file of walk(SRC)) {
    const text = await readFile(file, "utf8");
    if (/\bparentPort\b/.test(text) && /from\s+["']node:worker_threads["']/.test(text)) entries.push(file);
  }
  return entries;
}

const MARK = "__rassylkaMetaUrl__";

/** `import.meta.url` in src/a/b.ts → a marker naming a/b.js; replaced per output file once written. */
const metaUrl = {
  name: "meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(SRC + sep)) return undefined;
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
      const as = posix(relative(SRC, args.path)).replace(/\.ts$/, ".js");
      return { contents: text.replaceAll("import.meta.url", `${MARK}(${JSON.stringify(as)})`), loader: "ts" };
    });
  },
};

/**
 * The message catalogues (src/i18n/catalogues/) as one JSON file per namespace under
 * dist-cli/i18n/catalogues/, read (synchronously: `t` is synchronous) the first time a message of that
 * namespace is asked for. Bundled as code, every catalogue in three languages was parsed and run by
 * every command that prints a word — a fifth of a cached build's start-up on a loaded machine — though
 * a build reads three namespaces of them. In src/ (tests, tsx) the catalogues stay plain imports.
 */
const CATALOGUES_INDEX = join(SRC, "i18n", "catalogues", "index.ts");
const lazyCatalogues = {
  name: "lazy-catalogues",
  setup(b) {
    b.onLoad({ filter: /catalogues[\\/]index\.ts$/ }, (args) => {
      if (args.path !== CATALOGUES_INDEX) return undefined;
      const here = `${MARK}(${JSON.stringify("i18n/catalogues/index.js")})`;
      return {
        loader: "ts",
        contents: `import { readFileSync } from "node:fs";
import type { Catalogue } from "./types.js";
const read = new Map<string, Catalogue | undefined>();
function load(ns: string): Catalogue | undefined {
  if (!read.has(ns)) {
    let catalogue: Catalogue | undefined;
    try {
      catalogue = /^[a-z][a-z-]*$/.test(ns) ? JSON.parse(readFileSync(new URL(\`./\${ns}.json\`, ${here}), "utf8")) : undefined;
    } catch {}
    read.set(ns, catalogue);
  }
  return read.get(ns);
}
export const CATALOGUES: Record<string, Catalogue> = new Proxy({} as Record<string, Catalogue>, {
  get: (_, ns) => (typeof ns === "string" ? load(ns) : undefined),
});
`,
      };
    });
  },
};

/** Every namespace of src/i18n/catalogues/index.ts as dist-cli/i18n/catalogues/<namespace>.json. */
async function writeCatalogues() {
  const built = await build({
    absWorkingDir: ROOT,
    entryPoints: [CATALOGUES_INDEX],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "warning",
  });
  const { CATALOGUES } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString("base64")}`);
  const dir = join(OUT, "i18n", "catalogues");
  await mkdir(dir, { recursive: true });
  for (const [ns, catalogue] of Object.entries(CATALOGUES)) await writeFile(join(dir, `${ns}.json`), JSON.stringify(catalogue));
}

export async function bundle() {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: await entryPoints(),
    outdir: OUT,
    outbase: SRC,
    entryNames: "[dir]/[name]",
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
    banner: { js: 'import { createRequire as __rassylkaRequire } from "node:module"; const require = __rassylkaRequire(import.meta.url);' },
    plugins: [lazyCatalogues, metaUrl],
    define: { __RASSYLKA_SOURCES__: JSON.stringify(await sourcesHash()) },
    legalComments: "none",
    // the catalogues' Cyrillic as it is: escaped (esbuild's default) it is six bytes a letter to read and parse
    charset: "utf8",
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
    write: false,
  });
  await rm(OUT, { recursive: true, force: true });
  for (const file of result.outputFiles) {
    const here = posix(relative(OUT, dirname(file.path)));
    const text = file.text.replace(new RegExp(`${MARK}\\(("[^"]+")\\)`, "g"), (_, as) => {
      let rel = posix(relative(here, JSON.parse(as)));
      if (!rel.startsWith(".")) rel = `./${rel}`;
      return `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
    });
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, text);
  }
  await writeCatalogues();
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundle();
