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

export function fileCache(root: string): BuildCache {
  const dir = join(root, CACHE_DIR);
  return {
    async get(key) {
      try {
        const value = JSON.parse(await readFile(join(dir, `${key}.json`), "utf8")) as Partial<CompiledIssue> | null;
        // an entry of another shape (written by an older build of rassylka, or cut short) is a miss
        // (and one from before tokens carried their nonce: its `RSKSUB0Z` could be text an editor typed)
        if (typeof value?.html !== "string" || typeof value.text !== "string" || !Array.isArray(value.deferred)) return undefined;
        if (typeof value.tokens !== "string") return undefined;
        // one from before the issue's own text was kept for the archive's search would leave it unsearchable
        if (typeof value.bodyText !== "string") return undefined;
        return value as CompiledIssue;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      await writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(value));
    },
  };
}

export const noCache: BuildCache = {
  get: async () => undefined,
  set: async () => {},
};
