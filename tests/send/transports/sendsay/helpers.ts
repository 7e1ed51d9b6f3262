import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { noCache } from "../../../../src/compile/cache.js";
import { compileIssueFile } from "../../../../src/compile/compile.js";
import { loadProject } from "../../../../src/project/project.js";
import type { CompiledIssue } from "../../../../src/render/pipeline.js";

export const REPO = resolve(import.meta.dirname, "../../../..");
export const LOGIN = "prodazhi";
export const KEY = "sk-test-9f8e7d6c5b4a39281706";
export const SECRET = "unsubscribe-secret-for-tests-0123456789";

export const PLAIN_FILE = "issues/2026-12-01-plain.md";
export const PERSONAL_FILE = "issues/2026-12-02-personal.md";

export const PLAIN_ISSUE = `---
title: Тест кампании
date: 2026-12-01
subject: Тема кампании
preheader: Коротко о главном.
---
Добрый день, уважаемые читатели!

Текст выпуска для всех.
`;

export const PERSONAL_ISSUE = `---
title: Личный выпуск
date: 2026-12-02
subject: Личная тема
preheader: Для каждого своё.
---
{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}} Ваш город: {{subscriber.city}}.
`;

/** A newsletter folder in a temp dir: the repo's config and templates, plus two issues. */
export async function makeProject(extraConfig = ""): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "rassylka-sendsay-"));
  await cp(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  await writeFile(
    join(root, "newsletter.yaml"),
    `name: Как увеличить объёмы продаж
language: ru
url: https://prodazhi.example.ru/rassylka
from:
  name: Тренинговый центр «Практика продаж»
  email: rassylka@prodazhi.example.ru
replyTo: avtor@prodazhi.example.ru
unsubscribe:
  url: https://prodazhi.example.ru/rassylka/unsubscribe
${extraConfig}`,
  );
  await mkdir(join(root, "issues"));
  await writeFile(join(root, PLAIN_FILE), PLAIN_ISSUE);
  await writeFile(join(root, PERSONAL_FILE), PERSONAL_ISSUE);
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function compile(
  root: string,
  file: string,
): Promise<{ compiled: CompiledIssue; config: Awaited<ReturnType<typeof loadProject>>["config"]["config"] }> {
  const project = await loadProject(root);
  const result = await compileIssueFile(project, join(root, file), noCache);
  if (!result.compiled) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return { compiled: result.compiled, config: project.config.config };
}
