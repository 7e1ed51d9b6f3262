import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE } from "../site/manifest.js";

/**
 * What `serve` never answers from the built folder although it is there: the manifest (it lists drafts),
 * every file of a draft (`<slug>.html`, `.txt`, `.mjml`, `/<slug>`), the screenshots (`screenshots/`, the
 * default `--out` of `rassylka screenshots`), a cache, and build leftovers (`*.tmp`). Drafts come from the
 * manifest, read again whenever the build rewrote it; dot files are refused by the static layer itself.
 */
const NEVER = /^\/(manifest\.json$|screenshots(\/|$)|cache(\/|$))|\.tmp$/;

export function hiddenFromPublic(dir: string): (path: string) => boolean {
  const manifest = join(dir, MANIFEST_FILE);
  let seen = -1;
  let drafts = new Set<string>();
  const draftSlugs = (): Set<string> => {
    let mtime: number;
    try {
      mtime = statSync(manifest).mtimeMs;
    } catch {
      drafts = new Set();
      return drafts;
    }
    if (mtime !== seen) {
      seen = mtime;
      try {
        const entries = JSON.parse(readFileSync(manifest, "utf8")) as { slug?: unknown; draft?: unknown }[];
        drafts = new Set(entries.filter((e) => e?.draft === true && typeof e.slug === "string").map((e) => e.slug as string));
      } catch {
        drafts = new Set();
      }
    }
    return drafts;
  };
  return (path) => {
    if (NEVER.test(path)) return true;
    const name = /^\/([^/]+?)(\.html|\.txt|\.mjml)?$/.exec(path)?.[1];
    return name !== undefined && draftSlugs().has(name);
  };
}
