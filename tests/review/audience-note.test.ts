// The review page's audience sizes: changed audience files and issues counted as `rassylka audience`
// counts them, from a real state file with imported subscribers.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { changedAudienceFiles, reachOf } from "../../src/review/audience-note.js";
import { renderPage } from "../../src/review/page.js";
import type { ReviewResult } from "../../src/review/review.js";
import { renderSummary } from "../../src/review/summary.js";
import { stateLocation } from "../../src/state/location.js";
import { run } from "../helpers/cli.js";
import { CONFIG, makeProject, SECRET } from "../send/helpers.js";

const TOPICS = `topics:
  - id: treningi
    title: Тренинги
  - id: tehnika
    title: Техника продаж
  - id: vopros-otvet
    title: Вопрос-ответ
    default: false
`;

let root: string;
let base: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}${TOPICS}`));
  base = await mkdtemp(join(tmpdir(), "rassylka-review-base-"));
  await writeFile(join(root, "issues", "2026-12-05-treningi.md"), "---\ntitle: Т\ndate: 2026-12-05\ntopic: treningi\n---\nТекст.\n");
  await mkdir(join(root, "audiences"));
  await mkdir(join(base, "audiences"));
  // moskva changed, kazan new, same unchanged, old removed, broken new and bad
  await writeFile(join(root, "audiences", "moskva.yaml"), "where:\n  city: Москва\n");
  await writeFile(join(base, "audiences", "moskva.yaml"), "where:\n  city: Казань\n");
  await writeFile(join(root, "audiences", "kazan.yaml"), "topics: [tehnika]\n");
  await writeFile(join(root, "audiences", "same.yaml"), "topics: [treningi]\n");
  await writeFile(join(base, "audiences", "same.yaml"), "topics: [treningi]\n");
  await writeFile(join(base, "audiences", "old.yaml"), "topics: [treningi]\n");
  await writeFile(join(root, "audiences", "broken.yaml"), "where:\n  city: {is: Москва}\n");
  await writeFile(
    join(root, "readers.csv"),
    [
      "email,city,topics",
      "anna@example.ru,Москва,treningi",
      "boris@example.ru,Казань,treningi;tehnika",
      "vera@example.ru,Москва,vopros-otvet",
    ].join("\n"),
  );
  const r = await run(["subscribers", "import", join(root, "readers.csv"), "--confirmed", "--root", root], {
    RASSYLKA_SECRET: SECRET,
    RASSYLKA_LANG: "en",
  });
  expect(r.code, r.err).toBe(0);
}, 120_000);
afterAll(async () => {
  await cleanup?.();
  await rm(base, { recursive: true, force: true });
});

test("changed, added and removed audience files are listed with the readers each reaches now; an unchanged one is not", async () => {
  const files = await changedAudienceFiles(root, base, stateLocation(root));
  expect(files.map((f) => [f.file, f.status])).toEqual([
    ["audiences/broken.yaml", "new"],
    ["audiences/kazan.yaml", "new"],
    ["audiences/moskva.yaml", "changed"],
    ["audiences/old.yaml", "removed"],
  ]);
  const [broken, kazan, moskva, old] = files;
  expect(moskva.reach?.count).toMatchObject({ readers: 2, byTopic: { treningi: 1, tehnika: 0, "vopros-otvet": 1 } });
  expect(kazan.reach?.count).toMatchObject({ readers: 1, byTopic: { treningi: 1, tehnika: 1, "vopros-otvet": 0 } });
  expect(broken.reach?.error).toMatch(/^audiences\/broken\.yaml:2: /);
  expect(old.reach).toBeUndefined();
});

test("an issue with a topic is counted as its send would be: the readers who have the topic", async () => {
  const reach = await reachOf(stateLocation(root), root, join(root, "issues", "2026-12-05-treningi.md"));
  expect(reach.count).toMatchObject({ audience: "subscribers+topic:treningi", readers: 2, byTopic: { treningi: 2, tehnika: 1 } });
});

test("without a state file nothing is counted and none is created", async () => {
  const none = stateLocation(root, join(base, "state.sqlite"));
  const files = await changedAudienceFiles(root, base, none);
  expect(files).toHaveLength(4);
  expect(files.every((f) => f.reach === undefined)).toBe(true);
  expect(existsSync(join(base, "state.sqlite"))).toBe(false);
});

test("the page shows the readers now of each changed issue and the audience files' section", async () => {
  const audiences = await changedAudienceFiles(root, base, stateLocation(root));
  const issue = await reachOf(stateLocation(root), root, join(root, "issues", "2026-12-05-treningi.md"));
  const result: ReviewResult = {
    root,
    outDir: join(root, "review"),
    index: join(root, "review", "index.html"),
    summary: join(root, "review", "summary.md"),
    base: { ref: "main", commit: "a".repeat(40), mergeBase: "b".repeat(40) },
    projectChanged: false,
    language: "en",
    newsletter: "Sales Weekly",
    issues: [
      {
        slug: "t",
        file: "issues/2026-12-05-treningi.md",
        status: "new",
        pixelsChanged: null,
        textChanged: false,
        before: null,
        after: { subject: "Т", draft: false, errors: 0, warnings: 0 },
        variants: [],
        text: [],
        audience: issue,
      },
    ],
    audiences,
    diagnostics: [],
    generatedAt: new Date("2026-12-05T10:00:00Z"),
  };
  const html = renderPage(result);
  expect(html).toContain("<dt>readers now</dt><dd>2 readers (treningi: 2, tehnika: 1, vopros-otvet: 0)</dd>");
  expect(html).toContain("<h2>Audience files</h2>");
  expect(html).toContain('<code>audiences/moskva.yaml</code> <span class="badge st-changed">');
  expect(html).toContain("2 readers (treningi: 1, tehnika: 0, vopros-otvet: 1)");
  expect(html).not.toContain("audiences/same.yaml");
  const md = renderSummary(result);
  expect(md).toContain("<br>👥 2 readers (treningi: 2, tehnika: 1, vopros-otvet: 0)");
  expect(md).toContain("- `audiences/kazan.yaml` new: 1 reader (treningi: 1, tehnika: 1, vopros-otvet: 0)");
  expect(md).toContain("- `audiences/old.yaml` removed\n");
});
