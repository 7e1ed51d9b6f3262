// `rassylka build` writes the archive's search index and `rassylka search` reads it, both as whole
// processes of the built CLI, on a copy of the example newsletter.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DELETED, DELETED_WORD, DRAFT_WORD, found, run, searchNewsletter } from "./helpers.js";

const DEBT = "2026-11-10-tekushchaya-debitorka";
const FIRM = "2026-11-24-ne-pryachtes-za-firmu";
const GONE = "2026-12-01-udalyaemyi";

let t: Awaited<ReturnType<typeof searchNewsletter>>;
beforeAll(async () => {
  t = await searchNewsletter();
  const built = await run(t.dir, ["build", "--json"]);
  expect(built.code, built.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await t?.remove();
});

// the searches only read the index: they run at once (the builds below change it, so they wait for these)
describe.concurrent("search --json", () => {
  test.each(["дебиторка", "дебиторку", "дебиторкой", "Дебиторки"])(
    "«%s» finds both issues about дебиторка (Russian word forms)",
    async (q) => {
      expect(await found(t.dir, q)).toEqual([DEBT, FIRM]);
    },
  );

  test("a result says where the issue is and marks the words found", async () => {
    const r = await run(t.dir, ["search", "претензиями", "--json"]);
    const out = JSON.parse(r.stdout);
    expect(out.total).toBe(2);
    const hit = out.results.find((h: { slug: string }) => h.slug === FIRM);
    expect(hit).toMatchObject({
      title: "Не прячьтесь за «фирму»",
      date: "2026-11-24",
      url: `https://prodazhi.example.ru/rassylka/${FIRM}.html`,
      rubrics: ["дебиторка", "позиция продавца"],
    });
    expect(hit.excerpt).toMatch(/<mark>претензи[а-я]*[,.:]?<\/mark>/);
  });

  test("--rubric narrows the results to issues with that tag", async () => {
    const [calls, position] = await Promise.all([
      found(t.dir, "дебиторка", "--rubric", "звонки"),
      found(t.dir, "продавца", "--rubric", "позиция продавца"),
    ]);
    expect(calls).toEqual([DEBT]);
    expect(position).toEqual([FIRM, GONE]);
  });

  test("a draft is never found", async () => {
    const [word, title] = await Promise.all([found(t.dir, DRAFT_WORD), found(t.dir, "Черновик")]);
    expect(word).toEqual([]);
    expect(title).toEqual([]);
  });

  test("only the issue's own text is indexed: words of the layout (trainings, footer) find nothing", async () => {
    // «Переговоры о цене» and «Работа с возражениями» are trainings in the footer; «форуме» is in the footer text
    const queries = ["переговоры", "возражениями", "форуме", "Тренинговый"];
    const results = await Promise.all(queries.map((q) => found(t.dir, q)));
    for (const [i, q] of queries.entries()) expect(results[i], q).toEqual([]);
  });

  test("a word no issue has finds nothing, though Pagefind falls back to a one-letter word it starts with («в», «а»)", async () => {
    const queries = ["вонючка", "абракадабра", "дебиторка вонючка"];
    const results = await Promise.all(queries.map((q) => found(t.dir, q)));
    for (const [i, q] of queries.entries()) expect(results[i], q).toEqual([]);
  });

  test("an unknown rubric is an error naming the known ones; a folder without an index says how to make one", async () => {
    const [bad, none] = await Promise.all([
      run(t.dir, ["search", "дебиторка", "--rubric", "нет такой"]),
      run(t.dir, ["search", "дебиторка", "--out", "nowhere"]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("[search/unknown-rubric]");
    expect(bad.stderr).toContain("дебиторка, звонки, позиция продавца");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("[search/no-index]");
    expect(none.stderr).toContain("rassylka build");
    expect(none.stderr).not.toMatch(/\n\s+at /);
  });

  test("--limit takes a whole number of at least 1, and says so for anything else", async () => {
    const limits = ["many", "0", "1.5"];
    const [one, ...bads] = await Promise.all([
      run(t.dir, ["search", "дебиторка", "--limit", "1", "--json"]),
      ...limits.map((limit) => run(t.dir, ["search", "дебиторка", "--limit", limit])),
    ]);
    expect(JSON.parse(one.stdout).results).toHaveLength(1);
    for (const [i, limit] of limits.entries()) {
      const bad = bads[i];
      expect(bad.code, limit).toBe(1);
      expect(bad.stderr).toContain("--limit");
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test("the text output lists title, address and excerpt in the newsletter's language", async () => {
    const [r, nothing] = await Promise.all([
      run(t.dir, ["search", "дебиторкой", "--rubric", "звонки"], { RASSYLKA_LANG: "ru" }),
      run(t.dir, ["search", "абракадабра"], { RASSYLKA_LANG: "ru" }),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Найден 1 выпуск:");
    expect(r.stdout).toContain("10 ноября 2026 г. · Текущая дебиторка: договор подписан, что дальше?");
    expect(r.stdout).toContain(`https://prodazhi.example.ru/rassylka/${DEBT}.html`);
    expect(r.stdout).toMatch(/\*дебиторка:?\*/);
    expect(nothing.stdout.trim()).toBe("Ничего не найдено.");
  });
});

describe("the index in build", () => {
  test("build --json reports it; an unchanged build leaves it alone, a deleted issue leaves it at the next build", async () => {
    const again = JSON.parse((await run(t.dir, ["build", "--json"])).stdout);
    expect(again.search).toMatchObject({ dir: join(t.dir, "dist", "pagefind"), records: 3, rebuilt: false });
    expect(again.search.bytes).toBeGreaterThan(50_000);
    expect(again.search.files).toBeGreaterThan(5);
    expect(await found(t.dir, DELETED_WORD)).toEqual([GONE]);

    await rm(join(t.dir, DELETED));
    const after = JSON.parse((await run(t.dir, ["build", "--json"])).stdout);
    expect(after.search).toMatchObject({ records: 2, rebuilt: true });
    expect(await found(t.dir, DELETED_WORD)).toEqual([]);
  });

  test("a build of one issue keeps the others in the index; an issue made a draft leaves it", async () => {
    const one = JSON.parse((await run(t.dir, ["build", `issues/${DEBT}.md`, "--json"])).stdout);
    expect(one.search).toMatchObject({ records: 2 });
    expect(await found(t.dir, "претензиями")).toEqual([DEBT, FIRM]);

    const file = join(t.dir, "issues", `${FIRM}.md`);
    await writeFile(file, (await readFile(file, "utf8")).replace(/^---\n/, "---\ndraft: true\n"));
    const drafted = JSON.parse((await run(t.dir, ["build", `issues/${FIRM}.md`, "--json"])).stdout);
    expect(drafted.search).toMatchObject({ records: 1, rebuilt: true });
    expect(await found(t.dir, "претензиями")).toEqual([DEBT]);
  });
});
