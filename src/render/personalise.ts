import { createHandlebars } from "./handlebars.js";
import type { CompiledIssue } from "./pipeline.js";
import { tokenPattern } from "./tokens.js";

/**
 * Last stage, per reader: fill subscriber fields into the compiled issue. The compiled HTML and text
 * carry `RSKSUB<nonce><n>Z` tokens where subscriber tags stood (the nonce is the compile's, kept in
 * `compiled.tokens`: see render/tokens.ts — text typed in an issue is never taken for one); only those small tags are compiled (once per
 * issue) and run per reader, and the static rest is copied: MJML never runs per reader, and neither
 * does a parse of the whole email. HTML values are escaped (a name like `<script>` stays text); the
 * text part's are not.
 */
export type Subscriber = Record<string, string | undefined>;

export interface Personaliser {
  render(subscriber: Subscriber): RenderedBody;
}

export interface RenderedBody {
  html: string;
  text: string;
  /**
   * The HTML as `statics[0] + values[0] + statics[1] + … + statics[n]`: `statics` is the issue's (the
   * same array for every reader), `values` this reader's deferred tags. src/message/prepared.ts encodes
   * the statics once per issue and only the values per reader.
   */
  htmlParts: { statics: readonly string[]; values: string[] };
  /** The text in the same form, when it is exactly its pieces joined (no blank lines were tidied away). */
  textParts?: { statics: readonly string[]; values: string[] };
}

type Part = string | number;

/** "a RSKSUB<nonce>0Z b" → ["a ", 0, " b"]: strings are static, numbers index the deferred tags. */
function splitTokens(s: string, nonce: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const m of s.matchAll(tokenPattern("SUB", nonce))) {
    parts.push(s.slice(at, m.index), Number(m[1]));
    at = (m.index ?? 0) + m[0].length;
  }
  parts.push(s.slice(at));
  return parts;
}

// One isolated instance per language for all issues: creating one per issue costs more than the compile
// itself. It has our helpers: a deferred tag may be `{{default subscriber.name "друг"}}` or
// `{{#if (eq subscriber.plan "pro")}}` (regression: a bare instance threw "Missing helper").
const instances = new Map<string, ReturnType<typeof createHandlebars>>();
function instanceFor(language: string): ReturnType<typeof createHandlebars> {
  let hb = instances.get(language);
  if (!hb) {
    hb = createHandlebars(language);
    instances.set(language, hb);
  }
  return hb;
}

// The same tags recur in every issue (the layout's): compile each source once per process.
const compiledTags = new Map<string, HandlebarsTemplateDelegate>();
function compileTag(source: string, noEscape: boolean, language: string): HandlebarsTemplateDelegate {
  const key = `${noEscape ? "t" : "h"}${language}\0${source}`;
  let fn = compiledTags.get(key);
  if (!fn) {
    if (compiledTags.size > 10_000) compiledTags.clear();
    fn = instanceFor(language).compile(source, { strict: false, noEscape });
    compiledTags.set(key, fn);
  }
  return fn;
}

/**
 * The tags of one part as one template: a compiled Handlebars template sets itself up on every
 * call (it merges and wraps every helper), which cost more than the tags' own work when each of a reader's
 * tags was its own call. The tags are joined by a separator made of the compile's nonce (a subscriber value
 * cannot contain it) and the output is split at it. Only tags that render alike on their own and joined go
 * in: one line (Handlebars strips a block tag standing alone on a line, which a neighbour changes), no
 * decorators or inline partials (they would reach the next tag). A value that still holds the separator, or
 * a split that does not give one value per tag, falls back to a call per tag.
 */
function joinTags(sources: readonly string[], noEscape: boolean, language: string, nonce: string): (context: object) => string[] {
  const fns = sources.map((src) => compileTag(src, noEscape, language));
  const joinable = sources.map((src) => !/[\r\n]|\{\{~?\s*[#]?\*/.test(src));
  const together = joinable.flatMap((ok, i) => (ok ? [i] : []));
  if (together.length < 2) return (context) => fns.map((fn) => fn(context));
  const separator = `\u0001RSKSEP${nonce}\u0001`;
  const joined = compileTag(together.map((i) => sources[i]).join(separator), noEscape, language);
  return (context) => {
    const pieces = joined(context).split(separator);
    if (pieces.length !== together.length) return fns.map((fn) => fn(context));
    const out = new Array<string>(sources.length);
    together.forEach((tag, k) => {
      out[tag] = pieces[k];
    });
    for (let i = 0; i < sources.length; i++) if (!joinable[i]) out[i] = fns[i](context);
    return out;
  };
}

export function createPersonaliser(compiled: CompiledIssue): Personaliser {
  const language = (compiled.context.newsletter as { language?: string } | undefined)?.language ?? "ru";
  const htmlTagValues = joinTags(compiled.deferred, false, language, compiled.tokens);
  const textTagValues = joinTags(compiled.deferredText, true, language, compiled.tokens);
  const htmlParts = splitTokens(compiled.html, compiled.tokens);
  const textParts = splitTokens(compiled.text, compiled.tokens);
  // splitTokens alternates: static strings at even indexes, tag numbers at odd ones
  const htmlStatics = htmlParts.filter((_, i) => i % 2 === 0) as string[];
  const htmlTags = htmlParts.filter((_, i) => i % 2 === 1) as number[];
  const textStatics = textParts.filter((_, i) => i % 2 === 0) as string[];
  const textTags = textParts.filter((_, i) => i % 2 === 1) as number[];
  const fill = (parts: Part[], values: readonly string[]) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : (values[p] ?? "");
    return out;
  };
  return {
    render(subscriber) {
      const context = { ...compiled.context, subscriber };
      const textValues = textTagValues(context);
      const filled = fill(textParts, textValues);
      // a block that rendered empty leaves the blank lines around it: tidy as the text stage does
      const text =
        textParts.length > 1
          ? filled
              .replace(/[ \t]+\n/g, "\n")
              .replace(/\n{3,}/g, "\n\n")
              .replace(/^\s*\n/, "")
          : filled;
      const tagValues = htmlTagValues(context);
      const values = htmlTags.map((t) => tagValues[t] ?? "");
      let html = htmlStatics[0];
      for (let i = 0; i < values.length; i++) html += values[i] + htmlStatics[i + 1];
      // tidying only removes: the same length is the same text
      const textPieces =
        text.length === filled.length ? { statics: textStatics, values: textTags.map((t) => textValues[t] ?? "") } : undefined;
      return { html, text, htmlParts: { statics: htmlStatics, values }, textParts: textPieces };
    },
  };
}

/** The web version and the build's own output: subscriber fields empty, so templates' fallbacks show. */
export function renderWebVersion(compiled: CompiledIssue): { html: string; text: string } {
  return createPersonaliser(compiled).render({});
}
