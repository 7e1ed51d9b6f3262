import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostic } from "../../src/cli/print.js";
import { parseConfig } from "../../src/config/load.js";
import type { NewsletterConfig } from "../../src/config/schema.js";
import type { Diagnostic } from "../../src/diagnostics.js";
import { parseIssue } from "../../src/issue/load.js";
import { type CompileResult, compileIssue } from "../../src/render/pipeline.js";
import type { TemplateFile, TemplateSet } from "../../src/render/templates.js";

/** The repository's root: its newsletter.yaml, templates/ and issues/ are the example newsletter. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** A temp folder; removed by the returned function. */
export async function tempDir(prefix = "rsk-"): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A temp newsletter made by copying the repository's newsletter.yaml, templates/ and issues/. */
export async function copyExampleNewsletter(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const t = await tempDir("rsk-build-");
  await cp(join(REPO, "newsletter.yaml"), join(t.dir, "newsletter.yaml"));
  await cp(join(REPO, "templates"), join(t.dir, "templates"), { recursive: true });
  await cp(join(REPO, "issues"), join(t.dir, "issues"), { recursive: true });
  return t;
}

/**
 * A temp copy of a fixture newsletter in tests/fixtures/<name>/ (one folder per regression, named by what
 * it tests, real files). Removed by the returned function.
 */
export async function copyFixture(name: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const t = await tempDir(`rsk-${name}-`);
  await cp(join(REPO, "tests", "fixtures", name), t.dir, { recursive: true });
  return t;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

export const MINIMAL_CONFIG = `name: Тестовая рассылка
language: ru
from:
  name: Редакция
  email: news@example.org
author: Автор Тестов
`;

export function config(yaml = MINIMAL_CONFIG): NewsletterConfig {
  const r = parseConfig(yaml);
  if (!r.config) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
  return r.config;
}

/** A minimal layout: the content and nothing else, so tests see what the body became. */
export const BARE_LAYOUT = `<mjml>
  <mj-head>
    <mj-title>{{issue.subject}}</mj-title>
    {{#if issue.preheader}}<mj-preview>{{issue.preheader}}</mj-preview>{{/if}}
  </mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>
          <h1>{{issue.title}}</h1>
          {{{content}}}
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

/** An in-memory template set: layouts/<name>.mjml.hbs and partials/<name>.hbs. */
export function templateSet(
  layouts: Record<string, string> = { default: BARE_LAYOUT },
  partials: Record<string, string> = {},
): TemplateSet {
  const file = (dir: string, name: string, ext: string, source: string): [string, TemplateFile] => [
    name,
    { name, file: `templates/${dir}/${name}${ext}`, source },
  ];
  return {
    layouts: new Map(Object.entries(layouts).map(([n, s]) => file("layouts", n, ".mjml.hbs", s))),
    partials: new Map(Object.entries(partials).map(([n, s]) => file("partials", n, ".hbs", s))),
    hash: JSON.stringify([layouts, partials]),
  };
}

export const FM = "---\ntitle: Тест\ndate: 2026-06-01\n---\n";

/** Front-matter, parse and compile one issue text; throws if the front-matter is bad. */
export async function compileText(
  text: string,
  opts: { file?: string; config?: NewsletterConfig; templates?: TemplateSet } = {},
): Promise<CompileResult> {
  const cfg = opts.config ?? config();
  const parsed = parseIssue(text, opts.file ?? "issues/2026-06-01-test.md", cfg);
  if (!parsed.issue) throw new Error(parsed.diagnostics.map(formatDiagnostic).join("\n"));
  return compileIssue(parsed.issue, { config: cfg, templates: opts.templates ?? templateSet() });
}

/** The one error of a list, with a readable failure when there are none or several. */
export function only(diagnostics: readonly Diagnostic[]): Diagnostic {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length !== 1) throw new Error(`expected one error, got ${errors.length}:\n${diagnostics.map(formatDiagnostic).join("\n")}`);
  return errors[0];
}

/** The content of the first <mj-text> of the BARE_LAYOUT output, whitespace collapsed, styles dropped. */
export function bodyOf(html: string): string {
  const m = /<h1[^>]*>[\s\S]*?<\/h1>([\s\S]*?)<\/div>\s*<\/td>/.exec(html);
  return (m?.[1] ?? html)
    .replace(/ style="[^"]*"/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
