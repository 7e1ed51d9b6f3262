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

export function createPersonaliser(compiled: CompiledIssue): Personaliser {
  const language = (compiled.context.newsletter as { language?: string } | undefined)?.language ?? "ru";
  const htmlFns = compiled.deferred.map((src) => compileTag(src, false, language));
  const textFns = compiled.deferredText.map((src) => compileTag(src, true, language));
  const htmlParts = splitTokens(compiled.html, compiled.tokens);
  const textParts = splitTokens(compiled.text, compiled.tokens);
  // splitTokens alternates: static strings at even indexes, tag numbers at odd ones
  const htmlStatics = htmlParts.filter((_, i) => i % 2 === 0) as string[];
  const htmlTags = htmlParts.filter((_, i) => i % 2 === 1) as number[];
  const fill = (parts: Part[], fns: HandlebarsTemplateDelegate[], context: object) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : (fns[p]?.(context) ?? "");
    return out;
  };
  return {
    render(subscriber) {
      const context = { ...compiled.context, subscriber };
      let text = fill(textParts, textFns, context);
      // a block that rendered empty leaves the blank lines around it: tidy as the text stage does
      if (textParts.length > 1)
        text = text
          .replace(/[ \t]+\n/g, "\n")
          .replace(/\n{3,}/g, "\n\n")
          .replace(/^\s*\n/, "");
      const values = htmlTags.map((t) => htmlFns[t]?.(context) ?? "");
      let html = htmlStatics[0];
      for (let i = 0; i < values.length; i++) html += values[i] + htmlStatics[i + 1];
      return { html, text, htmlParts: { statics: htmlStatics, values } };
    },
  };
}

/** The web version and the build's own output: subscriber fields empty, so templates' fallbacks show. */
export function renderWebVersion(compiled: CompiledIssue): { html: string; text: string } {
  return createPersonaliser(compiled).render({});
}
