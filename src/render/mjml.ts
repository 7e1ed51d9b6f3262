import type { Diagnostic } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import type { TemplateFile } from "./templates.js";
import { PROCESS_NONCE, token, tokenPattern, tokenPrefix } from "./tokens.js";

/**
 * Stage: MJML → responsive HTML. mjml is imported on first use: a warm build served from the cache
 * never pays for loading it. MJML 5's `mjml2html` is async. Validation is strict: a layout MJML would
 * "fix" silently is an error the editor sees, pointed back at the template file and line.
 */
type Mjml2Html = (mjml: string, options?: Record<string, unknown>) => Promise<{ html: string; errors: MjmlError[] }>;
interface MjmlError {
  line: number;
  message: string;
  tagName: string;
  /** `Line N of /abs/file (tag) — message`: names the included file when the error is in one. */
  formattedMessage?: string;
}

/**
 * Where the document MJML reads stands, for <mj-include>: `filePath` the layout (includes resolve from its
 * folder), `includePath` the templates folder (the only other place MJML may read). `key` tells apart
 * documents whose includes differ (the included files' hash).
 */
export interface MjmlPaths {
  filePath: string;
  includePath: string;
  key: string;
}

let mjml2html: Mjml2Html | undefined;
async function load(): Promise<Mjml2Html> {
  if (!mjml2html) {
    const mod = (await import("mjml")) as unknown as { default: Mjml2Html };
    mjml2html = mod.default;
  }
  return mjml2html;
}

export async function compileMjml(
  mjml: string,
  sources: readonly TemplateFile[],
  paths?: MjmlPaths,
): Promise<{ html?: string; diagnostics: Diagnostic[] }> {
  // MJML's parser closes a forgotten </mj-text> itself and drops what it held, without an error
  const unclosed = unclosedMjmlTags(mjml).map((u): Diagnostic => {
    const where = locateRenderedLine(mjml, u.line, sources, u.tag);
    return {
      ruleId: "mjml/unclosed-tag",
      severity: "error",
      message: t("templates:mjml.unclosed", { tag: u.tag }),
      file: where.file ?? sources[0]?.file,
      line: where.line,
      fix: t("templates:mjml.unclosed.fix", { tag: u.tag }),
    };
  });
  if (unclosed.length) return { diagnostics: unclosed };
  const options = mjmlOptions(paths);
  const fast = await compileBySkeleton(mjml, options, paths?.key ?? "");
  if (fast !== undefined) return { html: fast, diagnostics: [] };
  skeletonStats.whole++;
  return compileWhole(mjml, sources, options);
}

const MJML_OPTIONS = { validationLevel: "strict", keepComments: false, minify: false } as const;

/** MJML's options; includes only with a place on disk to read them from, and only from there. */
function mjmlOptions(paths?: MjmlPaths): Record<string, unknown> {
  if (!paths) return MJML_OPTIONS;
  return { ...MJML_OPTIONS, ignoreIncludes: false, filePath: paths.filePath, actualPath: paths.filePath, includePath: paths.includePath };
}

/** The whole document through MJML: the reference path, and the one that reports errors. */
async function compileWhole(
  mjml: string,
  sources: readonly TemplateFile[],
  options: Record<string, unknown>,
): Promise<{ html?: string; diagnostics: Diagnostic[] }> {
  const toHtml = await load();
  try {
    const { html, errors } = await toHtml(mjml, options);
    return { html, diagnostics: errors.map((e) => mjmlDiagnostic(e, mjml, sources)) };
  } catch (error) {
    const errors = (error as { errors?: MjmlError[] }).errors;
    if (errors?.length) return { diagnostics: errors.map((e) => mjmlDiagnostic(e, mjml, sources)) };
    return {
      diagnostics: [
        {
          ruleId: "mjml/error",
          severity: "error",
          message: t("templates:mjml.failed", { error: (error as Error).message }),
          file: sources[0]?.file,
          fix: t("templates:mjml.failed.fix"),
        },
      ],
    };
  }
}

/*
 * The skeleton path. Issues of one newsletter differ in what MJML copies verbatim — the (trimmed) content
 * of <mj-text>, <mj-title> and <mj-preview> — and rarely in structure. So the document is split: those
 * contents become tokens, the rest (the skeleton) is compiled by MJML once per distinct skeleton with its
 * CSS inlining held back, and for each issue the contents go back in and juice — what MJML itself runs
 * last — inlines the CSS over the whole document with MJML's own options. About half of MJML's time per
 * issue is saved. Every skeleton is verified once against the whole-document result; a skeleton whose
 * result differs is never used again, and anything unexpected falls back to the whole document.
 */
interface Skeleton {
  /** MJML's output for the skeleton, CSS not yet inlined; undefined when this skeleton is not safe. */
  html?: string;
  /** The inline CSS MJML would apply (its `mj-style inline="inline"` blocks, joined). */
  css: string;
  verified: boolean;
}

const skeletons = new Map<string, Skeleton>();
/** How often a compile was served by a verified skeleton, and how often it took the whole document. */
export const skeletonStats = { reused: 0, whole: 0 };
// an opening tag (not a self-closing one, as in <mj-attributes>), its content, its closing tag
const CONTENT = /(<(mj-text|mj-title|mj-preview)\b(?:"[^"]*"|'[^']*'|[^'">])*(?<!\/)>)([\s\S]*?)(<\/\2>)/g;
const INLINE_STYLE = /<mj-style\b[^>]*\binline=["']inline["'][^>]*>([\s\S]*?)<\/mj-style>/g;

type Juice = (html: string, options: Record<string, unknown>) => string;
let juice: Juice | undefined;

/** The per-issue contents out, tokens in. Empty contents stay: MJML treats an empty preview differently. */
export function splitMjmlContents(mjml: string): { skeleton: string; contents: string[] } {
  const contents: string[] = [];
  const skeleton = mjml.replace(CONTENT, (all, open: string, _tag: string, body: string, close: string) => {
    const trimmed = body.trim();
    if (!trimmed) return all;
    contents.push(trimmed);
    return `${open}${token("MJ", PROCESS_NONCE, contents.length - 1)}${close}`;
  });
  return { skeleton, contents };
}

// mjml-core's own last step (helpers/mergeOutlookConditionnals), which follows its juice call
const mergeOutlookConditionals = (html: string) => html.replace(/(<!\[endif]-->\s*?<!--\[if mso \| IE]>)/gm, "");

function assemble(sk: Skeleton & { html: string }, contents: readonly string[]): string {
  const filled = sk.html.replace(tokenPattern("MJ", PROCESS_NONCE), (_, i: string) => contents[Number(i)] ?? "");
  if (!sk.css || !juice) return filled;
  return mergeOutlookConditionals(
    juice(filled, { applyStyleTags: false, extraCss: sk.css, insertPreservedExtraCss: false, removeStyleTags: false }),
  );
}

/** The compiled HTML through a cached skeleton, or undefined to take the whole-document path. */
async function compileBySkeleton(mjml: string, options: Record<string, unknown>, key: string): Promise<string | undefined> {
  // a document that already holds this process's content tokens (pasted from somewhere) compiles whole
  if (mjml.includes(tokenPrefix("MJ", PROCESS_NONCE))) return undefined;
  const { skeleton, contents } = splitMjmlContents(mjml);
  if (!contents.length) return undefined;
  // the same skeleton with other included files (or from another layout's folder) is another document
  const skKey = options.filePath ? `${options.filePath}\0${key}\0${skeleton}` : skeleton;
  let sk = skeletons.get(skKey);
  if (!sk) {
    const toHtml = await load();
    juice ??= ((await import("juice")) as unknown as { default: Juice }).default;
    const css = [...mjml.matchAll(INLINE_STYLE)].map((m) => m[1]).join("");
    try {
      // juice still runs inside MJML when there is inline CSS, but with none to apply
      const r = await toHtml(skeleton, { ...options, juiceOptions: { extraCss: "" } });
      sk = { html: r.errors.length ? undefined : r.html, css, verified: false };
    } catch {
      sk = { css, verified: false };
    }
    if (skeletons.size > 500) skeletons.clear();
    skeletons.set(skKey, sk);
  }
  if (sk.html === undefined) return undefined;
  const html = assemble(sk as Skeleton & { html: string }, contents);
  if (!sk.verified) {
    const whole = await (await load())(mjml, options).catch(() => undefined);
    if (!whole || whole.errors.length || whole.html !== html) {
      sk.html = undefined;
      return undefined;
    }
    sk.verified = true;
  } else skeletonStats.reused++;
  return html;
}

/** `<mj-…>` and `<mjml>` tags opened and never closed, with the rendered line that opened them. */
export function unclosedMjmlTags(mjml: string): { tag: string; line: number }[] {
  // comments out, line breaks kept, so that offsets still give lines
  const text = mjml.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, " "));
  const stack: { tag: string; at: number }[] = [];
  const unclosed: { tag: string; at: number }[] = [];
  for (const m of text.matchAll(/<(\/?)(mjml|mj-[a-z-]+)\b(?:"[^"]*"|'[^']*'|[^'">])*?(\/?)>/g)) {
    const [, closing, tag, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) {
      stack.push({ tag, at: m.index ?? 0 });
      continue;
    }
    const open = stack.map((s) => s.tag).lastIndexOf(tag);
    if (open >= 0) unclosed.push(...stack.splice(open).slice(1));
  }
  unclosed.push(...stack);
  const lineOf = (at: number) => text.slice(0, at).split("\n").length;
  return unclosed.sort((a, b) => a.at - b.at).map((u) => ({ tag: u.tag, line: lineOf(u.at) }));
}

/**
 * MJML reports lines of the rendered document. Find the template line that produced it: each template
 * line becomes a pattern where `{{…}}` matches anything. Lines that are nothing but tags (`{{> header}}`,
 * `{{#if …}}`) would match any line, so they are skipped; a line whose tag outputs several lines
 * (`<mj-text>{{{content}}}</mj-text>`) is matched against the rendered text from the target line on.
 * Lines that open the tag MJML complained about win over others, then the line with the most literal text.
 */
export function locateRenderedLine(
  rendered: string,
  line: number,
  sources: readonly TemplateFile[],
  tagName?: string,
): { file?: string; line?: number } {
  const renderedLines = rendered.split("\n");
  const target = renderedLines[line - 1]?.trim();
  if (!target) return {};
  const fromTarget = renderedLines
    .slice(line - 1)
    .join("\n")
    .trimStart();
  const candidates: { file: string; line: number; pattern: string; opensTag: boolean; weight: number }[] = [];
  for (const t of sources) {
    const lines = t.source.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].trim();
      const parts = l.split(/\{\{\{?[\s\S]*?\}?\}\}/);
      if (!parts.join("").trim()) continue;
      const pattern = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*?");
      const opensTag = tagName ? new RegExp(`<${tagName}[\\s/>]`).test(`${l} `) : false;
      candidates.push({ file: t.file, line: i + 1, pattern, opensTag, weight: parts.join("").trim().length });
    }
  }
  // stable: the first file and line win among equals
  candidates.sort((a, b) => Number(b.opensTag) - Number(a.opensTag) || b.weight - a.weight);
  const sameLine = (c: (typeof candidates)[number]) => new RegExp(`^${c.pattern}$`).test(target);
  const spanning = (c: (typeof candidates)[number]) => new RegExp(`^${c.pattern}(\\n|$)`).test(fromTarget);
  const found =
    candidates.find((c) => c.opensTag && sameLine(c)) ??
    candidates.find((c) => c.opensTag && spanning(c)) ??
    candidates.find(sameLine) ??
    candidates.find(spanning);
  return found ? { file: found.file, line: found.line } : {};
}

function mjmlDiagnostic(e: MjmlError, rendered: string, sources: readonly TemplateFile[]): Diagnostic {
  // an error inside an included file: MJML names that file, and its line is the file's own
  const named = /^Line (\d+) of (.+?)(?:, included at | \()/.exec(e.formattedMessage ?? "")?.[2];
  const included = named ? sources.find((s) => s.absPath === named && !s.file.startsWith("templates/layouts/")) : undefined;
  const where = included ? { file: included.file, line: e.line } : locateRenderedLine(rendered, e.line, sources, e.tagName);
  const message = e.message.replace(/^Line \d+ of [^—]*— /, "");
  return {
    ruleId: "mjml/validation",
    severity: "error",
    message: `MJML: <${e.tagName}> ${message}`,
    file: where.file ?? sources[0]?.file,
    line: where.line,
    fix: t(/illegal/i.test(message) ? "templates:mjml.illegal.fix" : "templates:mjml.misplaced.fix", { tag: e.tagName }),
    url: `https://documentation.mjml.io/#${e.tagName}`,
  };
}
