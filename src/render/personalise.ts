import Handlebars from "handlebars";
import type { CompiledIssue } from "./pipeline.js";

/**
 * Last stage, per reader: fill subscriber fields into the compiled issue. The HTML template escapes
 * every value (a name like `<script>` stays text); the text part does not. Compiled once per issue,
 * run per reader: cheap enough for a send loop.
 */
export type Subscriber = Record<string, string | undefined>;

export interface Personaliser {
  render(subscriber: Subscriber): { html: string; text: string };
}

export function createPersonaliser(compiled: CompiledIssue): Personaliser {
  const hb = Handlebars.create();
  const html = hb.compile(compiled.htmlTemplate, { strict: false });
  const text = hb.compile(compiled.textTemplate, { strict: false, noEscape: true });
  return {
    render(subscriber) {
      const context = { ...compiled.context, subscriber };
      return { html: html(context), text: text(context) };
    },
  };
}

/** The web version and the build's own output: subscriber fields empty, so templates' fallbacks show. */
export function renderWebVersion(compiled: CompiledIssue): { html: string; text: string } {
  return createPersonaliser(compiled).render({});
}
