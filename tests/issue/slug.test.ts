import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { parseIssue } from "../../src/issue/load.js";
import { slugPattern } from "../../src/issue/schema.js";
import { slugFromFile, slugFromTitle } from "../../src/issue/slug.js";

describe("slug from the file name", () => {
  it.each([
    ["issues/2026-06-01-debitorka.md", "2026-06-01-debitorka"],
    ["issues/sub/plain.md", "plain"],
    ["2026-06-01.md", "2026-06-01"],
    ["issues/with.dots.md", "with.dots"],
  ])("%s → %s", (file, slug) => {
    expect(slugFromFile(file)).toBe(slug);
  });

  it("the issue's slug is its file name unless front-matter sets one", () => {
    const text = "---\ntitle: T\ndate: 2026-06-01\n---\n";
    expect(parseIssue(text, "issues/2026-06-01-abc.md", {}).issue?.slug).toBe("2026-06-01-abc");
    expect(parseIssue(text.replace("date:", "slug: own\ndate:"), "issues/X Y.md", {}).issue?.slug).toBe("own");
  });

  it.each(["issues/Выпуск.md", "issues/My Issue.md", "issues/UPPER.md", "issues/with.dots.md"])(
    "%s does not make a URL-safe slug: issue/bad-slug with a fix",
    (file) => {
      const r = parseIssue("---\ntitle: T\ndate: 2026-06-01\n---\n", file, {});
      expect(r.issue).toBeUndefined();
      expect(r.diagnostics.map(formatDiagnostic).join("\n")).toContain(`${file}:1: error:`);
      expect(r.diagnostics[0]).toMatchObject({ ruleId: "issue/bad-slug", field: "slug" });
      expect(r.diagnostics[0].fix).toContain("slug:");
    },
  );
});

describe("transliterated slug for `rassylka new`", () => {
  it.each([
    ["Заголовок", "zagolovok"],
    ["Текущая дебиторка: договор подписан, что дальше?", "tekushchaya-debitorka-dogovor-podpisan-chto-dalshe"],
    ["Не прячьтесь за «фирму»", "ne-pryachtes-za-firmu"],
    ["Объём и съёмка", "obyom-i-syomka"],
    ["  Пробелы   вокруг  ", "probely-vokrug"],
    ["Hello, World!", "hello-world"],
    ["2026: итоги года", "2026-itogi-goda"],
    ["???", "issue"],
  ])("%s → %s", (title, slug) => {
    const s = slugFromTitle(title);
    expect(s).toBe(slug);
    expect(slugPattern.test(s)).toBe(true);
  });
});
