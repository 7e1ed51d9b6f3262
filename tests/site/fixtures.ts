import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "../../src/site/build.js";
import { copyExampleNewsletter, REPO, writeFiles } from "../helpers/newsletter.js";

/** A title and preheader that try every way out of HTML and XML text. */
export const HOSTILE_TITLE = `<script>alert("x")</script> & ]]> </title><x a='1'> "кавычки" 'апостроф' \u0001 🙂`;
export const HOSTILE_PREHEADER = `</p><img src=x onerror=alert(1)> &amp; ]]><!-- -->`;

export const DRAFT_SLUG = "2026-12-01-chernovik";
export const HOSTILE_SLUG = "2026-11-17-hostile";

/**
 * The example newsletter in a temp folder, plus a draft (newest date) and an issue with a hostile
 * title between the two examples, built into dist/.
 */
export async function builtNewsletter(extra: Record<string, string> = {}) {
  const t = await copyExampleNewsletter();
  await writeFiles(t.dir, {
    [`issues/${DRAFT_SLUG}.md`]: "---\ntitle: Черновик декабря\ndate: 2026-12-01\ndraft: true\n---\nЕщё не готово.\n",
    [`issues/${HOSTILE_SLUG}.md`]: `---\ntitle: ${JSON.stringify(HOSTILE_TITLE)}\ndate: 2026-11-17\npreheader: ${JSON.stringify(HOSTILE_PREHEADER)}\n---\nТекст выпуска с <b>жирным</b> & амперсандом.\n`,
    ...extra,
  });
  const result = await build({ root: t.dir, cache: false });
  if (result.failed.length) throw new Error(`build failed: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  const dist = join(t.dir, "dist");
  return { ...t, dist, result, read: (name: string) => readFile(join(dist, name), "utf8") };
}

/** Every href and src of an HTML page, entities decoded. */
export function links(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|action)="([^"]*)"/g)].map((m) =>
    m[1]
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&"),
  );
}

/** The nav bar the publish step put into a web version. */
export function navOf(html: string): string {
  const m = /<!--rassylka:web-nav-->([\s\S]*?)<!--\/rassylka:web-nav-->/.exec(html);
  if (!m) throw new Error("no nav bar in the page");
  return m[1];
}

/** The consent text of the subscribe tests. */
export const CONSENT =
  "Я соглашаюсь получать рассылку «Как увеличить объёмы продаж» и даю согласие на обработку моего адреса электронной почты и имени для её отправки.";

/** The example newsletter.yaml with a `subscribe:` section (and optional extra YAML under it). */
export async function subscribeYaml(extra = ""): Promise<string> {
  return `${await readFile(join(REPO, "newsletter.yaml"), "utf8")}\nsubscribe:\n  consent: ${JSON.stringify(CONSENT)}\n${extra}`;
}
