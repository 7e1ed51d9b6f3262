import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RassylkaError } from "../diagnostics.js";
import { sha256 } from "../util/fs.js";

/**
 * The template set of a newsletter:
 *   templates/layouts/<name>.mjml.hbs   an email layout (MJML + Handlebars); issues pick one with `template:`
 *   templates/partials/<name>.hbs       partials, used as {{> name}} from layouts, other partials and issues
 */
export interface TemplateFile {
  name: string;
  /** Relative to the root, for messages. */
  file: string;
  source: string;
}

export interface TemplateSet {
  layouts: Map<string, TemplateFile>;
  partials: Map<string, TemplateFile>;
  /** Hash of every template's name and bytes: part of each issue's cache key. */
  hash: string;
}

export const TEMPLATES_DIR = "templates";

async function readDir(root: string, sub: string, suffixes: string[]): Promise<Map<string, TemplateFile>> {
  const dir = join(root, TEMPLATES_DIR, sub);
  const out = new Map<string, TemplateFile>();
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return out;
  }
  for (const f of names) {
    const suffix = suffixes.find((s) => f.endsWith(s));
    if (!suffix) continue;
    const name = f.slice(0, -suffix.length);
    out.set(name, { name, file: `${TEMPLATES_DIR}/${sub}/${f}`, source: await readFile(join(dir, f), "utf8") });
  }
  return out;
}

export async function loadTemplates(root: string): Promise<TemplateSet> {
  const layouts = await readDir(root, "layouts", [".mjml.hbs", ".mjml", ".hbs"]);
  const partials = await readDir(root, "partials", [".mjml.hbs", ".hbs"]);
  if (layouts.size === 0) {
    throw new RassylkaError({
      ruleId: "templates/no-layout",
      severity: "error",
      message: `no layouts in ${TEMPLATES_DIR}/layouts/`,
      file: `${TEMPLATES_DIR}/layouts/`,
      fix: "add templates/layouts/default.mjml.hbs (`rassylka init DIR` writes a working set)",
    });
  }
  const all = [...layouts.values(), ...partials.values()].flatMap((t) => [t.file, t.source]);
  return { layouts, partials, hash: sha256(...all) };
}
