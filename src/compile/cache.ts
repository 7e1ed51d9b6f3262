import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { language } from "../i18n/index.js";
import type { CompiledIssue } from "../render/pipeline.js";
import { sha256, writeFileAtomic } from "../util/fs.js";
import { VERSION } from "../version.js";

/**
 * Build cache in `.rassylka/cache/` under the root. The key is the issue's bytes, the config's bytes,
 * every template's bytes (files they <mj-include> too), the tool's version and the editor's language (an
 * issue's warnings are cached with it): change any of them and the issue rebuilds, so a
 * changed template rebuilds every issue that could use it.
 */
export const CACHE_DIR = join(".rassylka", "cache");

export interface BuildCache {
  get(key: string): Promise<CompiledIssue | undefined>;
  set(key: string, value: CompiledIssue): Promise<void>;
}

export function cacheKey(parts: { issueSource: string; configSource: string; templatesHash: string }): string {
  return sha256(VERSION, language(), parts.issueSource, parts.configSource, parts.templatesHash);
}

/**
 * JSON values by key in `dir` (`<key>.json`), each written atomically. An entry that cannot be read or
 * parsed, or that `valid` refuses (another version's shape, a file cut short), is a miss.
 */
export function jsonEntries<T>(dir: string, valid: (value: unknown) => value is T) {
  return {
    async get(key: string): Promise<T | undefined> {
      try {
        const value = JSON.parse(await readFile(join(dir, `${key}.json`), "utf8")) as unknown;
        return valid(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key: string, value: T): Promise<void> {
      await writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(value));
    },
  };
}

function isCompiledIssue(v: unknown): v is CompiledIssue {
  const value = v as Partial<CompiledIssue> | null;
  // an entry of another shape (written by an older build of rassylka, or cut short) is a miss
  // (and one from before tokens carried their nonce: its `RSKSUB0Z` could be text an editor typed)
  if (typeof value?.html !== "string" || typeof value.text !== "string" || !Array.isArray(value.deferred)) return false;
  if (typeof value.tokens !== "string") return false;
  // one from before the issue's own text was kept for the archive's search would leave it unsearchable
  return typeof value.bodyText === "string";
}

export function fileCache(root: string): BuildCache {
  return jsonEntries(join(root, CACHE_DIR), isCompiledIssue);
}

export const noCache: BuildCache = {
  get: async () => undefined,
  set: async () => {},
};
