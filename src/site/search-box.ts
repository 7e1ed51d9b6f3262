import type { NewsletterConfig } from "../config/schema.js";
import { search as catalogue } from "../i18n/catalogues/search.js";
import { resolveLang } from "../i18n/index.js";
import { readSaved, rubricsOf, type SearchIndexResult } from "../search/build.js";
import { indexLanguage, QUERY_STEMMERS, SCRIPT_FILE, STEMMER_FILE } from "../search/records.js";
import { languageTag, template } from "./templates.js";

/**
 * The archive page's search box: a labelled search field, the rubric filters as checkboxes in a fieldset,
 * a status line screen readers announce (role=status) and the results list. It stays `hidden` until
 * assets/search.js runs: without JavaScript the archive is the plain list it always was. The results use
 * the archive's own `li.issue` look.
 */
interface BoxData {
  t: Record<string, string>;
  /** JSON for the script: its words and the stemmer's file. */
  words: string;
  rubrics: { tag: string; name: string; count: number }[];
  script: string;
}

const BOX = template<BoxData>(`<section class="rsk-search" role="search" aria-labelledby="rsk-search-title" data-words="{{words}}" hidden>
<style>
.rsk-search form{font:1rem/1.5 Arial,Helvetica,sans-serif}
.rsk-search label[for]{display:block;font-weight:bold;margin:0 0 .25rem}
.rsk-search input[type=search]{width:100%;font:inherit;padding:.5rem .6rem;border:1px solid #6b6f76;border-radius:4px;background:#fff;color:#22252a}
.rsk-search input:focus-visible{outline:3px solid #1f5fa8;outline-offset:2px}
.rsk-search .rsk-hint{margin:.25rem 0 .5rem;font-size:.9rem;color:#4a4f57}
.rsk-search fieldset{border:0;margin:.25rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.rsk-search legend{font-weight:bold;padding:0;margin:0 0 .25rem;width:100%}
.rsk-search [role=status]{font:.95rem/1.5 Arial,Helvetica,sans-serif;margin:.75rem 0 .5rem;color:#4a4f57}
.rsk-search mark{background:#ffe58a;color:inherit}
@media (prefers-color-scheme:dark){.rsk-search input[type=search]{background:#2a2d31;color:#e6e6e6;border-color:#9aa0a6}.rsk-search .rsk-hint,.rsk-search [role=status]{color:#b5b9bf}.rsk-search mark{background:#6b5a00;color:#fff}}
</style>
<h2 id="rsk-search-title">{{t.title}}</h2>
<form>
<label for="rsk-search-q">{{t.label}}</label>
<input id="rsk-search-q" name="q" type="search" autocomplete="off" aria-describedby="rsk-search-hint" aria-controls="rsk-search-results">
<p id="rsk-search-hint" class="rsk-hint">{{t.hint}}</p>
{{#if rubrics.length}}
<fieldset><legend>{{t.rubrics}}</legend>
{{#each rubrics}}<label><input type="checkbox" name="rubric" value="{{tag}}"> {{name}} ({{count}})</label>
{{/each}}
</fieldset>
{{/if}}
</form>
<p role="status" aria-live="polite"></p>
<ol id="rsk-search-results"></ol>
</section>
<script type="module" src="{{script}}"></script>
`);

/** The box as the last build left it: from the records file in `outDir` ("" when there is no index). */
export async function savedSearchBox(outDir: string, config: Pick<NewsletterConfig, "language" | "rubrics" | "url">): Promise<string> {
  if (!config.url) return "";
  const saved = await readSaved(outDir);
  return saved ? searchBox(config, { records: saved.records.length, rubrics: rubricsOf(saved.records, config) }) : "";
}

/** The box for the archive page, or "" when the build made no index (no `url`, or it failed). */
export function searchBox(config: Pick<NewsletterConfig, "language">, index: Pick<SearchIndexResult, "rubrics" | "records">): string {
  if (!index.records) return "";
  const lang = resolveLang({ config: config.language });
  const t = catalogue[lang];
  const found = Object.fromEntries(
    Object.entries(t)
      .filter(([k]) => k.startsWith("found_"))
      .map(([k, v]) => [k.slice("found_".length), v]),
  );
  const stemmer = QUERY_STEMMERS[indexLanguage(config.language)] ? STEMMER_FILE : "";
  return BOX({
    t,
    words: JSON.stringify({ lang: languageTag(config.language), found, nothing: t.nothing, failed: t.failed, stemmer }),
    rubrics: index.rubrics,
    script: SCRIPT_FILE,
  });
}
