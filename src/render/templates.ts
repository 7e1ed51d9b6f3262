import { readdir, readFile, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type Diagnostic, error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import { isWithin, sha256, toPosix } from "../util/fs.js";

/**
 * The template set of a newsletter:
 *   templates/layouts/<name>.mjml.hbs   an email layout (MJML + Handlebars); issues pick one with `template:`
 *   templates/partials/<name>.hbs       partials, used as {{> name}} from layouts, other partials and issues
 *   templates/**                        files a layout or partial pulls in with <mj-include path="…">
 */
export interface TemplateFile {
  name: string;
  /** Relative to the root, for messages. */
  file: string;
  source: string;
  /** Absolute path, for files on disk. */
  absPath?: string;
}

export interface TemplateSet {
  layouts: Map<string, TemplateFile>;
  partials: Map<string, TemplateFile>;
  /** Hash of every template's name and bytes (included files too): part of each issue's cache key. */
  hash: string;
  /** The absolute `templates/` folder, when the set is on disk: the one place includes may come from. */
  dir?: string;
  /** Files pulled in with <mj-include>, found and read at load time, by absolute path. */
  includes?: Map<string, TemplateFile>;
  /** Problems with the includes (missing, refused), each at its template file and line. */
  diagnostics?: Diagnostic[];
}

export const TEMPLATES_DIR = "templates";
export const LAYOUTS_DIR = "layouts";

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
    const absPath = join(dir, f);
    out.set(name, { name, file: `${TEMPLATES_DIR}/${sub}/${f}`, source: await readFile(absPath, "utf8"), absPath });
  }
  return out;
}

export async function loadTemplates(root: string): Promise<TemplateSet> {
  const layouts = await readDir(root, LAYOUTS_DIR, [".mjml.hbs", ".mjml", ".hbs"]);
  const partials = await readDir(root, "partials", [".mjml.hbs", ".hbs"]);
  if (layouts.size === 0) {
    throw new RassylkaError({
      ruleId: "templates/no-layout",
      severity: "error",
      message: t("templates:noLayouts", { dir: TEMPLATES_DIR }),
      file: `${TEMPLATES_DIR}/layouts/`,
      fix: t("templates:noLayouts.fix"),
    });
  }
  const dir = join(root, TEMPLATES_DIR);
  const { includes, diagnostics } = await findIncludes(root, dir, [...layouts.values(), ...partials.values()]);
  const all = [...layouts.values(), ...partials.values(), ...includes.values()].flatMap((t) => [t.file, t.source]);
  return { layouts, partials, hash: sha256(...all), dir, includes, diagnostics };
}

/*
 * <mj-include>. MJML 5 ignores includes unless `ignoreIncludes: false`, and then reads
 * only files under the including file's folder or an `includePath` (its guard against CVE-2025-67898,
 * path traversal through includes); a refused include becomes an empty comment without an error. So we
 * resolve every include ourselves when the templates are loaded: relative to the template that says it,
 * inside templates/ (symlinks resolved), the file there. What is missing or refused is an error at the
 * template's line; what is found is read, hashed into the cache key and handed to MJML, which includes it.
 */
const INCLUDE = /<mj-include\b((?:"[^"]*"|'[^']*'|[^'">])*?)\/?>/g;

interface IncludeTag {
  path?: string;
  type?: string;
  line: number;
  column: number;
}

/** The <mj-include> tags of a source (comments skipped), with their lines. */
export function includeTags(source: string): IncludeTag[] {
  const text = source.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, " "));
  return [...text.matchAll(INCLUDE)].map((m) => {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(m[1]) ?? undefined;
    const path = attr("path");
    const type = attr("type");
    const before = text.slice(0, m.index);
    return {
      path: path ? (path[1] ?? path[2]) : undefined,
      type: type ? (type[1] ?? type[2]) : undefined,
      line: before.split("\n").length,
      column: m.index - before.lastIndexOf("\n"),
    };
  });
}

function fullyDecode(s: string): string {
  let out = s;
  for (let i = 0; i < 10; i++) {
    try {
      const d = decodeURIComponent(out);
      if (d === out) break;
      out = d;
    } catch {
      break;
    }
  }
  return out;
}

async function findIncludes(
  root: string,
  dir: string,
  templates: TemplateFile[],
): Promise<{ includes: Map<string, TemplateFile>; diagnostics: Diagnostic[] }> {
  const includes = new Map<string, TemplateFile>();
  const diagnostics: Diagnostic[] = [];
  const realDir = await realpath(dir).catch(() => dir);
  const rel = (abs: string) => toPosix(relative(root, abs));
  const visit = async (from: TemplateFile, chain: string[]) => {
    for (const tag of includeTags(from.source)) {
      const at = { file: from.file, line: tag.line, column: tag.column };
      const refuse = (message: string, fix: string) => diagnostics.push(error("mjml/include-refused", message, { ...at, fix }));
      if (!tag.path || /\{\{/.test(tag.path)) {
        refuse(
          t("templates:include.noPath", { not: tag.path ? t("templates:include.not", { path: tag.path }) : "" }),
          t("templates:include.noPath.fix"),
        );
        continue;
      }
      const decoded = fullyDecode(tag.path);
      if (decoded.includes("\0") || isAbsolute(decoded) || /^[a-zA-Z]:|^\\\\|^\/\//.test(decoded)) {
        refuse(
          t("templates:include.absolute", { path: tag.path }),
          t("templates:include.absolute.fix", { file: from.file, dir: TEMPLATES_DIR }),
        );
        continue;
      }
      const target = resolve(dirname(from.absPath ?? join(root, from.file)), decoded);
      const real = await realpath(target).catch(() => undefined);
      const inside = real ? isWithin(realDir, real) : isWithin(dir, target) || isWithin(realDir, target);
      if (!inside) {
        refuse(
          t("templates:include.outside", { path: tag.path, target: real ?? target, dir: TEMPLATES_DIR }),
          t("templates:include.outside.fix", { dir: TEMPLATES_DIR }),
        );
        continue;
      }
      if (real === undefined) {
        diagnostics.push(
          error("mjml/include-missing", t("templates:include.missing", { path: tag.path, target: rel(target) }), {
            ...at,
            fix: t("templates:include.missing.fix", { target: rel(target), file: from.file }),
          }),
        );
        continue;
      }
      if (chain.includes(real)) {
        refuse(t("templates:include.cycle", { path: tag.path, target: rel(real) }), t("templates:include.cycle.fix"));
        continue;
      }
      if (includes.has(real)) continue;
      const file: TemplateFile = { name: rel(real), file: rel(real), source: await readFile(real, "utf8"), absPath: real };
      includes.set(real, file);
      // css and html includes are copied as they are; an MJML include may include further files
      if (tag.type !== "css" && tag.type !== "html") await visit(file, [...chain, real]);
    }
  };
  for (const t of templates) await visit(t, [t.absPath ?? ""]);
  return { includes, diagnostics };
}

/**
 * A template's source with its include paths made relative to the layouts' folder: layout and partials
 * become one MJML document, which MJML reads as if it were the layout (its `filePath`), so an include
 * written in a partial relative to the partial must be said relative to the layout.
 */
export function withIncludesFromLayouts(t: TemplateFile, set: TemplateSet): string {
  if (!set.dir || !t.absPath || !t.source.includes("<mj-include")) return t.source;
  const from = dirname(t.absPath);
  const layouts = join(set.dir, LAYOUTS_DIR);
  if (from === layouts) return t.source;
  return t.source.replace(INCLUDE, (tag) =>
    tag.replace(/(\bpath\s*=\s*)(?:"([^"]*)"|'([^']*)')/, (all, key: string, dq?: string, sq?: string) => {
      const p = dq ?? sq ?? "";
      if (/\{\{/.test(p) || isAbsolute(p)) return all;
      return `${key}"${toPosix(relative(layouts, resolve(from, fullyDecode(p))))}"`;
    }),
  );
}
