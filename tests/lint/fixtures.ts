import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { noCache } from "../../src/compile/cache.js";
import { compileIssueFile } from "../../src/compile/compile.js";
import type { Diagnostic } from "../../src/diagnostics.js";
import { lintIssue } from "../../src/lint/index.js";
import { loadProject } from "../../src/project/project.js";

/** A small newsletter of our own (not the repo's example), so that each case changes one thing. */
export const BASE_CONFIG = {
  name: "Тестовая рассылка",
  language: "ru",
  url: "https://rassylka-test.ru/archive",
  from: { name: "Редакция", email: "news@rassylka-test.ru" },
  unsubscribe: { url: "https://rassylka-test.ru/unsubscribe", mailto: "unsubscribe@rassylka-test.ru" },
  preview: { subscribers: [{ email: "anna@rassylka-test.ru", name: "Анна" }, { email: "boris@rassylka-test.ru" }] },
};

export const LAYOUT = `<mjml lang="{{newsletter.language}}">
  <mj-head>
    <mj-title>{{issue.subject}}</mj-title>
    {{#if issue.preheader}}<mj-preview>{{issue.preheader}}</mj-preview>{{/if}}
    <mj-attributes>
      <mj-text font-size="16px" line-height="1.5" />
    </mj-attributes>
  </mj-head>
  <mj-body width="600px">
    <mj-section>
      <mj-column>
        <mj-text>
          <h1>{{issue.title}}</h1>
          {{{content}}}
        </mj-text>
      </mj-column>
    </mj-section>
    {{> footer}}
  </mj-body>
</mjml>
`;

export const FOOTER = `{{#if events.length}}
<mj-section>
  <mj-column>
    <mj-text><ul>{{#each events}}<li>{{dateText}}: {{title}}</li>{{/each}}</ul></mj-text>
  </mj-column>
</mj-section>
{{/if}}
<mj-section>
  <mj-column>
    <mj-text font-size="13px">
      {{#if subscriber.unsubscribeUrl}}<a href="{{subscriber.unsubscribeUrl}}">Отписаться</a>{{/if}}
    </mj-text>
  </mj-column>
</mj-section>
`;

export function issue(frontMatter: Record<string, unknown>, body = "Текст выпуска."): string {
  const fm = { title: "Заголовок выпуска", date: "2026-11-10", preheader: "Короткий анонс выпуска.", ...frontMatter };
  for (const [k, v] of Object.entries(fm)) if (v === undefined) delete (fm as Record<string, unknown>)[k];
  return `---\n${stringify(fm).trimEnd()}\n---\n${body}\n`;
}

export interface ProjectSpec {
  /** Merged over BASE_CONFIG (top-level keys; `undefined` removes a key). */
  config?: Record<string, unknown>;
  /** Raw newsletter.yaml instead of BASE_CONFIG. */
  configText?: string;
  layout?: string;
  footer?: string;
  issues?: Record<string, string>;
}

const made: string[] = [];

export async function makeProject(spec: ProjectSpec): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "rassylka-lint-"));
  made.push(root);
  const config: Record<string, unknown> = { ...BASE_CONFIG, ...spec.config };
  for (const [k, v] of Object.entries(config)) if (v === undefined) delete config[k];
  const files: Record<string, string> = {
    "newsletter.yaml": spec.configText ?? stringify(config),
    "templates/layouts/default.mjml.hbs": spec.layout ?? LAYOUT,
    "templates/partials/footer.hbs": spec.footer ?? FOOTER,
    ...Object.fromEntries(Object.entries(spec.issues ?? {}).map(([name, text]) => [`issues/${name}`, text])),
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return root;
}

export async function removeProjects(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Compile one issue of a fresh project and run the given rules on it. */
export async function lintOne(spec: ProjectSpec & { issue: string }, rules?: string[]): Promise<Diagnostic[]> {
  const root = await makeProject({ ...spec, issues: { "2026-11-10-test.md": spec.issue } });
  const project = await loadProject(root);
  const r = await compileIssueFile(project, join(root, "issues/2026-11-10-test.md"), noCache);
  if (!r.compiled) throw new Error(`fixture does not compile: ${JSON.stringify(r.diagnostics)}`);
  return lintIssue(project, r.compiled, { rules });
}

export function yamlOf(text: string): unknown {
  return parse(text);
}
