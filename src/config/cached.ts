import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { sha256, writeFileAtomic } from "../util/fs.js";
import { VERSION } from "../version.js";
import type { LoadedConfig } from "./load.js";
import type { NewsletterConfig } from "./schema.js";

/**
 * `newsletter.yaml` through the build cache (`.rassylka/cache/config/<key>.json`, the key being the
 * file's bytes and the tool's version, as for a cached issue). Reading the config is pure (text in,
 * config out), but it needs the YAML parser and the schema, and building the schema's validators is
 * the largest part of a cached build's start-up: a cached build of an unchanged newsletter.yaml loads
 * neither. Only a config that passed, and survives JSON unchanged, is kept; anything else — a miss, a
 * broken entry, an unreadable or read-only cache — goes through `loadConfig`, which reports errors.
 */
const CACHE_DIR = join(".rassylka", "cache", "config");
const CONFIG_FILE = "newsletter.yaml";

export async function loadConfigCached(root: string): Promise<LoadedConfig> {
  const file = join(root, CONFIG_FILE);
  const source = await readFile(file, "utf8").catch(() => undefined);
  const entry = source === undefined ? undefined : join(root, CACHE_DIR, `${sha256(VERSION, source)}.json`);
  if (entry && source !== undefined) {
    const config = await readFile(entry, "utf8")
      .then((text) => JSON.parse(text) as NewsletterConfig)
      .catch(() => undefined);
    if (config && typeof config === "object") return { config, source, file };
  }
  const loaded = await (await import("./load.js")).loadConfig(root);
  // the text read above, so that the entry never pairs one text's key with another text's config
  if (entry && loaded.source === source && isDeepStrictEqual(JSON.parse(JSON.stringify(loaded.config)), loaded.config))
    await writeFileAtomic(entry, JSON.stringify(loaded.config)).catch(() => {});
  return loaded;
}
