import { readFileSync } from "node:fs";

/** The package version: part of every cache key, so upgrading rassylka rebuilds everything. */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

// set by scripts/bundle.mjs in the bundled CLI; absent when src/ runs as it is (tests)
declare const __RASSYLKA_SOURCES__: string | undefined;

/**
 * The version and, in the bundled CLI, a hash of the sources it was bundled from (src/, assets/): the key
 * of what a build keeps of its own pages (src/site/cached.ts), so that a CLI rebuilt with other page
 * templates or catalogue words republishes the site even while the version number stays the same.
 */
export const BUILD: string = typeof __RASSYLKA_SOURCES__ === "string" ? `${VERSION}+${__RASSYLKA_SOURCES__}` : VERSION;
