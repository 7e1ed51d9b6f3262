import Handlebars from "handlebars";
import type { CompiledIssue } from "./pipeline.js";

/**
 * Last stage, per reader: fill subscriber fields into the compiled issue. The compiled HTML and text
 * carry `RSKSUB<n>Z` tokens where subscriber tags stood; only those small tags are compiled (once per
 * issue) and run per reader, and the static rest is copied: MJML never runs per reader, and neither
 * does a parse of the whole email. HTML values are escaped (a name like `<script>` stays text); the
 * text part's are not.
 */
export type Subscriber = Record<string, string | undefined>;

export interface Personaliser {
  render(subscriber: Subscriber): { html: string; text: string };
}

type Part = string | number;

/** "a RSKSUB0Z b" → ["a ", 0, " b"]: strings are static, numbers index the deferred tags. */
function splitTokens(s: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const m of s.matchAll(/RSKSUB(\d+)Z/g)) {
    parts.push(s.slice(at, m.index), Number(m[1]));
    at = (m.index ?? 0) + m[0].length;
  }
  parts.push(s.slice(at));
  return parts;
}

// One isolated instance for all issues: creating one per issue costs more than the compile itself.
const hb = Handlebars.create();

// The same tags recur in every issue (the layout's): compile each source once per process.
const compiledTags = new Map<string, HandlebarsTemplateDelegate>();
function compileTag(source: string, noEscape: boolean): HandlebarsTemplateDelegate {
  const key = `${noEscape ? "t" : "h"}${source}`;
  let fn = compiledTags.get(key);
  if (!fn) {
    if (compiledTags.size > 10_000) compiledTags.clear();
    fn = hb.compile(source, { strict: false, noEscape });
    compiledTags.set(key, fn);
  }
  return fn;
}

export function createPersonaliser(compiled: CompiledIssue): Personaliser {
  const htmlFns = compiled.deferred.map((src) => compileTag(src, false));
  const textFns = compiled.deferredText.map((src) => compileTag(src, true));
  const htmlParts = splitTokens(compiled.html);
  const textParts = splitTokens(compiled.text);
  const fill = (parts: Part[], fns: HandlebarsTemplateDelegate[], context: object) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : (fns[p]?.(context) ?? "");
    return out;
  };
  return {
    render(subscriber) {
      const context = { ...compiled.context, subscriber };
      return { html: fill(htmlParts, htmlFns, context), text: fill(textParts, textFns, context) };
    },
  };
}

/** The web version and the build's own output: subscriber fields empty, so templates' fallbacks show. */
export function renderWebVersion(compiled: CompiledIssue): { html: string; text: string } {
  return createPersonaliser(compiled).render({});
}
