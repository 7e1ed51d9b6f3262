import { createRequire } from "node:module";
import { type CssAtRuleAST, type CssDeclarationAST, type CssStylesheetAST, parse as parseCss } from "@adobe/css-tools";
import type { Document, Element } from "domhandler";
import { t } from "../i18n/index.js";

/**
 * caniemail.com's support data, as shipped in the `caniemail` npm package (no network at run time), and
 * a detector that finds which of its features an email uses. We read the package's JSON and match
 * features ourselves over the HTML tree the rules share: the package's own checker parses the HTML
 * again and matches tag names by substring (`<tbody>` counts as `<body>`), which floods the report.
 */
interface RawFeature {
  slug: string;
  title: string;
  url: string;
  category: "html" | "css" | "image" | "others";
  stats: Record<string, Record<string, Record<string, string>>>;
}

interface RawData {
  last_update_date: string;
  nicenames: { family: Record<string, string>; platform: Record<string, string> };
  data: RawFeature[];
}

let raw: RawData | undefined;
export function caniemailData(): RawData {
  raw ??= createRequire(import.meta.url)("caniemail/caniemail.json") as RawData;
  return raw;
}

export interface FeatureInfo {
  title: string;
  url: string;
  category: RawFeature["category"];
}

/** A client as caniemail names it: family and platform, e.g. `gmail` + `mobile-webmail`. */
export interface ClientPlatform {
  family: string;
  platform: string;
}

/** Platforms of the given families (or `family.platform` names) that caniemail has data for. */
export function platformsOf(names: readonly string[]): { platforms: ClientPlatform[]; unknown: string[] } {
  const all = new Map<string, ClientPlatform>();
  for (const f of caniemailData().data)
    for (const [family, platforms] of Object.entries(f.stats))
      for (const platform of Object.keys(platforms)) all.set(`${family}.${platform}`, { family, platform });
  const out = new Map<string, ClientPlatform>();
  const unknown: string[] = [];
  for (const name of names) {
    const n = name.trim().toLowerCase();
    const hits = [...all.entries()].filter(([k]) => k === n || k.startsWith(`${n}.`));
    if (!hits.length) unknown.push(name);
    for (const [k, v] of hits) out.set(k, v);
  }
  return { platforms: [...out.values()], unknown };
}

/** Platforms among `platforms` whose latest tested version does not support the feature at all (`n`). */
export function unsupportedOn(title: string, platforms: readonly ClientPlatform[]): ClientPlatform[] {
  const feature = features().byTitle.get(title);
  if (!feature) return [];
  return platforms.filter(({ family, platform }) => {
    const versions = feature.stats[family]?.[platform];
    if (!versions) return false;
    const keys = Object.keys(versions);
    // caniemail lists versions oldest first; the last one is the client as it is today
    return keys.length > 0 && versions[keys[keys.length - 1]].startsWith("n");
  });
}

export function featureInfo(title: string): FeatureInfo | undefined {
  const f = features().byTitle.get(title);
  return f && { title: f.title, url: f.url, category: f.category };
}

/** caniemail's platforms that are words, not names: the catalogue has them (lint:clientSupport.platform.*). */
const WORD_PLATFORMS = new Set(["desktop-app", "desktop-webmail", "mobile-webmail", "webmail"]);

/** A platform as the editor reads it: a word from the catalogue, a name (iOS, Windows Mail) as caniemail writes it. */
function platformName(platform: string, nicename: string | undefined): string {
  return WORD_PLATFORMS.has(platform) ? t(`lint:clientSupport.platform.${platform}`) : (nicename ?? platform);
}

/** "Gmail (Mobile Webmail), Outlook (Windows, Windows Mail)"; a family lists no platforms when all are hit. */
export function describeClients(hit: readonly ClientPlatform[], selected: readonly ClientPlatform[]): string {
  const names = caniemailData().nicenames;
  const byFamily = new Map<string, string[]>();
  for (const c of hit) byFamily.set(c.family, [...(byFamily.get(c.family) ?? []), c.platform]);
  return [...byFamily.entries()]
    .map(([family, platforms]) => {
      const name = names.family[family] ?? family;
      const all = selected.filter((s) => s.family === family).length;
      return platforms.length === all ? name : `${name} (${platforms.map((p) => platformName(p, names.platform[p])).join(", ")})`;
    })
    .join(", ");
}

// ---------------------------------------------------------------- the feature index, built once

interface Index {
  byTitle: Map<string, RawFeature>;
  elements: Map<string, string[]>;
  elementAttr: { tag: string; attr: string; value: string | RegExp | null; title: string }[];
  attributes: Map<string, string[]>;
  properties: Map<string, string[]>;
  propertyPrefixes: { prefix: string; title: string }[];
  pairs: Map<string, string[]>;
  functions: Map<string, string[]>;
  valueWords: { word: string; title: string }[];
  units: { re: RegExp; title: string }[];
  atRules: Map<string, string[]>;
  mediaFeatures: { feature: string; title: string }[];
  pseudos: { re: RegExp; title: string }[];
}

let index: Index | undefined;

function push<K>(map: Map<K, string[]>, key: K, title: string): void {
  map.set(key, [...(map.get(key) ?? []), title]);
}

function features(): Index {
  if (index) return index;
  const ix: Index = {
    byTitle: new Map(),
    elements: new Map(),
    elementAttr: [],
    attributes: new Map(),
    properties: new Map(),
    propertyPrefixes: [],
    pairs: new Map(),
    functions: new Map(),
    valueWords: [],
    units: [],
    atRules: new Map(),
    mediaFeatures: [],
    pseudos: [],
  };
  for (const f of caniemailData().data) {
    const t = f.title.trim();
    ix.byTitle.set(f.title, f);
    if (f.category === "html") indexHtml(ix, f.title, t);
    else if (f.category === "css") indexCss(ix, f.title, t);
  }
  index = ix;
  return ix;
}

function indexHtml(ix: Index, title: string, t: string): void {
  const special: Record<string, string[]> = {
    address: ["address"],
    "Image maps": ["map"],
    "Embedded <svg> image": ["svg"],
    "HTML5 semantics": [
      "article",
      "aside",
      "details",
      "figcaption",
      "figure",
      "footer",
      "header",
      "main",
      "mark",
      "nav",
      "section",
      "summary",
      "time",
    ],
    "<h1> to <h6> elements": ["h1", "h2", "h3", "h4", "h5", "h6"],
  };
  if (special[t]) {
    for (const tag of special[t]) push(ix.elements, tag, title);
    return;
  }
  if (t === "Local anchors") {
    ix.elementAttr.push({ tag: "a", attr: "href", value: /^#./, title }, { tag: "a", attr: "name", value: null, title });
    return;
  }
  if (t === "mailto: links") {
    ix.elementAttr.push({ tag: "a", attr: "href", value: /^mailto:/i, title });
    return;
  }
  if (t === "color-scheme meta tag") {
    ix.elementAttr.push({ tag: "meta", attr: "name", value: "color-scheme", title });
    return;
  }
  if (t === "srcset and sizes attributes") {
    push(ix.attributes, "srcset", title);
    push(ix.attributes, "sizes", title);
    return;
  }
  const pair = /^<(\w+) (\w+)="(\w+)"> element$/.exec(t);
  if (pair) {
    ix.elementAttr.push({ tag: pair[1], attr: pair[2], value: pair[3], title });
    return;
  }
  const attr = /^([\w-]+) attribute$/.exec(t);
  if (attr) {
    push(ix.attributes, attr[1], title);
    return;
  }
  // "<abbr> element", "<base>", "<ul>, <ol> and <dl>"
  if (/^(<\w+>(, | and )?)+( elements?)?$/.test(t)) for (const m of t.matchAll(/<(\w+)>/g)) push(ix.elements, m[1], title);
}

function indexCss(ix: Index, title: string, t: string): void {
  if (t.startsWith("@media (")) {
    for (const m of t.matchAll(/\(([-a-z]+)\)/g)) ix.mediaFeatures.push({ feature: m[1], title });
    return;
  }
  if (t.startsWith("@")) {
    push(ix.atRules, t.slice(1), title);
    return;
  }
  if (t.startsWith(":")) {
    const name = t.replace(/\(\)$/, "");
    ix.pseudos.push({ re: new RegExp(`${name.startsWith("::") ? "" : "(?<!:)"}${escapeRe(name)}(?![\\w-])`, "i"), title });
    return;
  }
  if (t === "lang()") {
    ix.pseudos.push({ re: /:lang\(/i, title });
    return;
  }
  if (t.endsWith(" keyword")) {
    ix.valueWords.push({ word: t.replace(/ keyword$/, ""), title });
    return;
  }
  if (t === "fit-content, min-content, max-content" || t.startsWith("system-ui,")) {
    for (const w of t.split(/,\s*/)) ix.valueWords.push({ word: w, title });
    return;
  }
  if (t === "CSS Variables (Custom Properties)") {
    push(ix.functions, "var", title);
    return;
  }
  if (t.endsWith(" unit")) {
    const u = t.replace(/ unit$/, "");
    ix.units.push({ re: u === "initial" ? /\binitial\b/i : new RegExp(`\\d${escapeRe(u)}${u === "%" ? "" : "(?![a-z])"}`, "i"), title });
    return;
  }
  if (t.includes("()")) {
    for (const m of t.matchAll(/([a-z-]+)\(\)/g)) push(ix.functions, m[1], title);
    return;
  }
  const pair = /^([a-z-]+):\s*([a-z-]+)$/.exec(t);
  if (pair) {
    push(ix.pairs, `${pair[1]}:${pair[2]}`, title);
    return;
  }
  if (t === "grid-template-* properties") return void ix.propertyPrefixes.push({ prefix: "grid-template-", title });
  if (t === "scroll-snap") return void ix.propertyPrefixes.push({ prefix: "scroll-snap-", title });
  if (t === "css column properties") {
    for (const p of ["columns", "column-width", "column-rule", "column-span", "column-fill"]) push(ix.properties, p, title);
    return;
  }
  const name = t
    .replace(/ CSS property$/, "")
    .replace(/ (property|shorthand|properties)$/, "")
    .replace(/^font$/, "font");
  const props = name.split(/,\s*|\s+&\s+/);
  if (props.every((p) => /^[a-z-]+$/.test(p))) for (const p of props) push(ix.properties, p, title);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---------------------------------------------------------------- detection

/** A feature the email uses, and a string to find it by in the source files. */
export interface Use {
  title: string;
  needle: string;
}

/** Every caniemail feature the tree uses (repeats included). MSO conditional comments are comments: unseen. */
export function detectFeatures(dom: Document): Use[] {
  const ix = features();
  const uses: Use[] = [];
  const add = (titles: string[] | undefined, needle: string) => {
    for (const title of titles ?? []) uses.push({ title, needle });
  };
  const walk = (nodes: Document["children"]) => {
    for (const n of nodes) {
      if (n.type === "directive" && /^!doctype html/i.test((n as unknown as { data: string }).data)) add(["HTML5 doctype"], "<!doctype");
      if (n.type !== "tag" && n.type !== "style" && n.type !== "script") continue;
      const el = n as Element;
      add(ix.elements.get(el.name), `<${el.name}`);
      for (const [attr, value] of Object.entries(el.attribs)) {
        add(ix.attributes.get(attr), `${attr}=`);
        for (const p of ix.elementAttr)
          if (
            p.tag === el.name &&
            p.attr === attr &&
            (p.value === null || (typeof p.value === "string" ? p.value === value : p.value.test(value)))
          )
            uses.push({ title: p.title, needle: `${attr}="${value}` });
      }
      if (el.attribs.style) checkDeclarations(ix, declarationsOf(el.attribs.style), uses);
      if (el.name === "img" && el.attribs.src) imageFormat(el.attribs.src, uses);
      if (el.name === "style") {
        const text = el.children.map((c) => ("data" in c ? String(c.data) : "")).join("");
        checkStylesheet(ix, parseCss(text, { silent: true }), uses);
      }
      walk(el.children);
    }
  };
  walk(dom.children);
  return uses;
}

function declarationsOf(style: string): CssDeclarationAST[] {
  const sheet = parseCss(`x{${style}}`, { silent: true });
  const rule = sheet.stylesheet.rules[0] as { declarations?: CssDeclarationAST[] } | undefined;
  return (rule?.declarations ?? []).filter((d) => d.type === "declaration");
}

function checkDeclarations(ix: Index, decls: readonly CssDeclarationAST[], uses: Use[]): void {
  for (const d of decls) {
    if (d.type !== "declaration" || !d.property) continue;
    const prop = d.property.toLowerCase();
    const value = String(d.value ?? "");
    const needle = `${prop}:`;
    if (prop.startsWith("--")) uses.push(...(ix.functions.get("var") ?? []).map((title) => ({ title, needle: prop })));
    for (const title of ix.properties.get(prop) ?? []) uses.push({ title, needle });
    for (const p of ix.propertyPrefixes) if (prop.startsWith(p.prefix)) uses.push({ title: p.title, needle });
    const plain = value
      .replace(/!important/i, "")
      .trim()
      .toLowerCase();
    for (const title of ix.pairs.get(`${prop}:${plain}`) ?? []) uses.push({ title, needle });
    for (const m of value.matchAll(/([a-z-]+)\(/gi))
      for (const title of ix.functions.get(m[1].toLowerCase()) ?? []) uses.push({ title, needle: `${m[1]}(` });
    for (const w of ix.valueWords)
      if (
        value
          .toLowerCase()
          .split(/[\s,]+/)
          .includes(w.word)
      )
        uses.push({ title: w.title, needle: w.word });
    for (const u of ix.units) {
      const m = u.re.exec(value.replace(/url\([^)]*\)/gi, ""));
      if (m) uses.push({ title: u.title, needle: value });
    }
  }
}

type AnyRule = CssAtRuleAST & {
  type: string;
  selectors?: string[];
  declarations?: CssDeclarationAST[];
  rules?: AnyRule[];
  media?: string;
  keyframes?: { declarations?: CssDeclarationAST[] }[];
};

function checkStylesheet(ix: Index, sheet: CssStylesheetAST, uses: Use[]): void {
  const visit = (rules: readonly AnyRule[]) => {
    for (const r of rules) {
      if (r.type === "rule") {
        checkSelectors(ix, r.selectors ?? [], uses);
        checkDeclarations(ix, r.declarations ?? [], uses);
        continue;
      }
      if (r.type === "comment") continue;
      for (const title of ix.atRules.get(r.type) ?? []) uses.push({ title, needle: `@${r.type}` });
      if (r.type === "media" && r.media) {
        for (const m of ix.mediaFeatures)
          if (new RegExp(`\\((min-|max-)?${escapeRe(m.feature)}\\b`, "i").test(r.media)) uses.push({ title: m.title, needle: m.feature });
      }
      if (r.declarations) checkDeclarations(ix, r.declarations, uses);
      for (const k of r.keyframes ?? []) checkDeclarations(ix, k.declarations ?? [], uses);
      if (r.rules) visit(r.rules);
    }
  };
  visit(sheet.stylesheet.rules as AnyRule[]);
}

/** Selector features, by a small scan (enough for the selectors emails use). */
function checkSelectors(ix: Index, selectors: readonly string[], uses: Use[]): void {
  const found = new Set<string>();
  if (selectors.length >= 2) found.add("Grouping selectors");
  for (const sel of selectors) {
    for (const p of ix.pseudos) if (p.re.test(sel)) uses.push({ title: p.title, needle: sel });
    // drop what is inside [...] and (...) and strings, then look at the structure
    const s = sel
      .replace(/"[^"]*"|'[^']*'/g, "")
      .replace(/\[[^\]]*\]/g, (m) => (/^\[\s*(class|id)\b/i.test(m) ? "" : "[]"))
      .replace(/\([^)]*\)/g, "")
      .trim();
    if (s.includes("[]")) found.add("Attribute selector");
    if (/\.[\w-]/.test(s)) found.add("Class selector");
    if (/#[\w-]/.test(s)) found.add("ID selector");
    if (s.includes("*")) found.add("Universal selector *");
    const norm = s.replace(/\s*([>+~])\s*/g, "$1");
    if (norm.includes(">")) found.add("Child combinator");
    if (norm.includes("+")) found.add("Adjacent sibling combinator");
    if (norm.includes("~")) found.add("General sibling combinator");
    if (/\s/.test(norm)) found.add("Descendant combinator");
    for (const compound of norm.split(/[\s>+~]+/)) {
      if (/^[a-z]/i.test(compound)) found.add("Type selector");
      if ((compound.match(/\.[\w-]+/g) ?? []).length >= 2) found.add("Chaining selectors");
    }
  }
  for (const title of found) if (ix.byTitle.has(title)) uses.push({ title, needle: selectors[0] ?? "" });
}

const IMAGE_FORMATS: [RegExp, string][] = [
  [/^data:[^,]*;base64,/i, "Base 64 image format"],
  [/\.webp$/i, "webP image format"],
  [/\.avif$/i, "AVIF image format"],
  [/\.svg$/i, "SVG image format"],
  [/\.(heic|heif)$/i, "HEIF image format"],
  [/\.tiff?$/i, "TIFF image format"],
  [/\.ico$/i, "ICO image format"],
  [/\.bmp$/i, "BMP image format"],
  [/\.apng$/i, "Animated PNG image format"],
  [/\.(mp4|webm)$/i, "Video as Image Assets"],
];

function imageFormat(src: string, uses: Use[]): void {
  const path = src.startsWith("data:") ? src : src.split(/[?#]/)[0];
  for (const [re, title] of IMAGE_FORMATS) if (re.test(path)) uses.push({ title, needle: src.startsWith("data:") ? "data:" : src });
}
