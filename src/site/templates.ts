import Handlebars from "handlebars";
import type { ErrorStatus } from "../i18n/pages.js";

/**
 * Every page we serve comes from a Handlebars template of this one environment: `{{value}}` is always
 * HTML-escaped (text and attribute alike), and there is no helper that turns escaping off. A value that
 * must go in as HTML is a `{{{…}}}` in the template, marked with a `{{!-- html: why --}}` comment right
 * before it; tests/site/templates.test.ts checks that every triple brace is marked.
 */
const pages = Handlebars.create();

/** `{{#eq a b}}…{{/eq}}` for the few places a template picks by value (a badge's level, a selected option). */
pages.registerHelper("eq", function (this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
  return a === b ? options.fn(this) : options.inverse(this);
});

/** A compiled page template: data in, an HTML string out. */
export type Template<T> = (data: T) => string;

/** Templates compile on first use, so a command that serves no page pays nothing for them. */
export function template<T>(source: string): Template<T> {
  SOURCES.push(source);
  let compiled: Handlebars.TemplateDelegate<T> | undefined;
  return (data) => {
    compiled ??= pages.compile<T>(source, { preventIndent: true });
    return compiled(data);
  };
}

const SOURCES: string[] = [];

/** A named piece shared by several templates (`{{> name}}`, or `{{#> name}}…{{/name}}` for a layout). */
export function partial(name: string, source: string): void {
  SOURCES.push(source);
  pages.registerPartial(name, source);
}

/** Every template source given to `template` so far (for the check that unescaped output is marked). */
export function templateSources(): readonly string[] {
  return SOURCES;
}

/** The `{{{…}}}` in a template source that are not marked with `{{!-- html: why --}}` right before them. */
export function unmarkedTripleBraces(source: string): string[] {
  return [...source.matchAll(/(\{\{!--\s*html:[^}]*--\}\})?\{\{\{\s*([^}]+?)\s*\}\}\}/g)].filter((m) => !m[1]).map((m) => m[2]);
}

/** The error statuses with words of their own; anything else reads as the nearest (4xx → 400, 5xx → 500). */
export function errorStatus(status: number): ErrorStatus {
  return ([400, 403, 404, 405, 413, 500] as const).find((s) => s === status) ?? (status >= 500 ? 500 : 400);
}

/** A valid BCP 47 tag for `lang=` / `xml:lang=`, or "und". */
export function languageTag(language: string): string {
  try {
    return Intl.getCanonicalLocales(language)[0] ?? "und";
  } catch {
    return "und";
  }
}
