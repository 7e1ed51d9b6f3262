/**
 * `npm run bench` / `npm run bench -- build`: 100 generated issues built cold (empty cache) and warm
 * (nothing changed), and in the same run the same 100 MJML documents compiled with bare `mjml2html`.
 * MJML is the floor: target cold ≤ 1.5× bare, warm ≤ 0.2× cold.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mjml2html from "mjml";
import { build } from "../src/site/build.js";

const ROOT = new URL("..", import.meta.url).pathname;

function issueText(i: number): string {
  const day = String((i % 28) + 1).padStart(2, "0");
  const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, "0");
  const paragraphs = Array.from(
    { length: 8 },
    (_, p) =>
      `Абзац ${p + 1} выпуска ${i}: продавец звонит клиенту заранее, до даты платежа, и спрашивает, всё ли в порядке — "без давления", но уверенно. Это занимает 2-3 минуты.`,
  );
  return `---
title: "Выпуск ${i}: текущая дебиторка"
date: 2025-${month}-${day}
preheader: Короткое описание выпуска ${i}.
---
{{#if subscriber.name}}{{subscriber.name}}, добрый день!{{else}}Добрый день!{{/if}}

## Раздел первый

${paragraphs.slice(0, 4).join("\n\n")}

> — Иван Иванович, звоню узнать, всё ли в силе по нашим договорённостям?

1. Напомнить о себе.
2. Спросить о претензиях.
   - заранее;
   - спокойно.

| Что говорим | Что слышит клиент |
|---|---|
| «Мы договорились» | С ним договорились |

## Раздел второй

${paragraphs.slice(4).join("\n\n")}

Успехов вам и больших продаж!
`;
}

/** A temp newsletter: the repo's config and templates, and `n` generated issues (bench-startup.ts uses it too). */
export async function makeNewsletter(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rassylka-bench-"));
  await cp(join(ROOT, "newsletter.yaml"), join(dir, "newsletter.yaml"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
  await mkdir(join(dir, "issues"));
  for (let i = 0; i < n; i++) await writeFile(join(dir, "issues", `issue-${String(i).padStart(3, "0")}.md`), issueText(i));
  return dir;
}

/** `ratio a/b = 1.23 (target ≤ 1.5)`, flagged MISSED when the target is not met. */
export function ratio(label: string, value: number, target: number): string {
  return `ratio ${label} = ${value.toFixed(2)} (target ≤ ${target}${value <= target ? "" : ", MISSED"})`;
}

export async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100);
  const rounds = Number(args[1] ?? 3);
  const dir = await makeNewsletter(n);
  try {
    // warm up V8 and MJML's own lazy loading on both sides
    await mjml2html("<mjml><mj-body><mj-section><mj-column><mj-text>warm</mj-text></mj-column></mj-section></mj-body></mjml>");
    const best = { bare: Number.POSITIVE_INFINITY, cold: Number.POSITIVE_INFINITY, warm: Number.POSITIVE_INFINITY };
    for (let r = 0; r < rounds; r++) {
      await rm(join(dir, ".rassylka"), { recursive: true, force: true });
      const [cold, result] = await time(() => build({ root: dir }));
      if (result.failed.length || result.built.length !== n)
        throw new Error(`bench build failed: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
      const [warm, again] = await time(() => build({ root: dir }));
      if (!again.built.every((b) => b.fromCache)) throw new Error("warm build missed the cache");
      const documents = result.built.map((b) => b.compiled.mjml);
      const [bare] = await time(async () => {
        for (const doc of documents) await mjml2html(doc, { validationLevel: "strict", keepComments: false });
      });
      best.bare = Math.min(best.bare, bare);
      best.cold = Math.min(best.cold, cold);
      best.warm = Math.min(best.warm, warm);
    }
    const f = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`build benchmark: ${n} issues, best of ${rounds} rounds (Node ${process.version})`);
    console.log(`  bare mjml2html ×${n}:  ${f(best.bare)}`);
    console.log(`  rassylka cold build:   ${f(best.cold)}   ${ratio("cold/bare", best.cold / best.bare, 1.5)}`);
    console.log(`  rassylka warm build:   ${f(best.warm)}   ratio warm/cold = ${(best.warm / best.cold).toFixed(3)} (target ≤ 0.2)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
