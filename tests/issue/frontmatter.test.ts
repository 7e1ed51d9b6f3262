import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { parseIssue } from "../../src/issue/load.js";

const FILE = "issues/2026-06-01-vypusk.md";
const cfg = { author: "Автор из конфига" };
const parse = (text: string, file = FILE) => parseIssue(text, file, cfg);

describe("front-matter: valid issues and defaults", () => {
  it("title and date are enough; the rest takes defaults", () => {
    const r = parse("---\ntitle: Выпуск\ndate: 2026-06-01\n---\nТекст\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.issue).toMatchObject({
      file: FILE,
      slug: "2026-06-01-vypusk",
      title: "Выпуск",
      subject: "Выпуск",
      preheader: "",
      date: "2026-06-01",
      author: "Автор из конфига",
      template: "default",
      draft: false,
      tags: [],
      body: "Текст\n",
      bodyOffset: 4,
    });
    expect(r.issue?.events).toBeUndefined();
  });

  it("every field set", () => {
    const r = parse(
      "---\ntitle: T\ndate: '2026-06-01'\nsubject: S\npreheader: P\nauthor: A\nslug: my-slug\ntemplate: other\nevents: false\ndraft: true\ntags: [a, b]\n---\nB\n",
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.issue).toMatchObject({
      subject: "S",
      preheader: "P",
      author: "A",
      slug: "my-slug",
      template: "other",
      events: false,
      draft: true,
      tags: ["a", "b"],
    });
  });

  it("events as a list replaces the config's", () => {
    const r = parse("---\ntitle: T\ndate: 2026-06-01\nevents:\n  - date: 2026-07-01\n    title: Семинар\n---\n");
    expect(r.issue?.events).toEqual([{ date: "2026-07-01", title: "Семинар" }]);
  });

  it.each([
    ["CRLF line endings", "---\r\ntitle: T\r\ndate: 2026-06-01\r\n---\r\nB\r\n", "B\r\n", 4],
    ["a byte-order mark", "\uFEFF---\ntitle: T\ndate: 2026-06-01\n---\nB\n", "B\n", 4],
    ["no body at all", "---\ntitle: T\ndate: 2026-06-01\n---", "", 3],
    ["a --- rule in the body", "---\ntitle: T\ndate: 2026-06-01\n---\nA\n\n---\n\nB\n", "A\n\n---\n\nB\n", 4],
  ])("%s", (_name, text, body, bodyOffset) => {
    const r = parse(text);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.issue?.body).toBe(body);
    expect(r.issue?.bodyOffset).toBe(bodyOffset);
  });
});

describe("front-matter: bad input names file, line, field and fix", () => {
  it.each([
    // name, text, ruleId, line, field, words
    ["title missing", "---\ndate: 2026-06-01\n---\n", "frontmatter/missing", 2, "title", ['"title" is required', 'add "title:"']],
    ["date missing", "---\ntitle: T\n---\n", "frontmatter/missing", 2, "date", ['"date" is required', "YYYY-MM-DD"]],
    ["2026-02-30 is not a date", "---\ntitle: T\ndate: 2026-02-30\n---\n", "frontmatter/invalid", 3, "date", ["real date", "2026-02-30"]],
    ["quoted 2026-02-30 neither", "---\ntitle: T\ndate: '2026-02-30'\n---\n", "frontmatter/invalid", 3, "date", ["real date"]],
    ["2025-02-29 (not a leap year)", "---\ntitle: T\ndate: 2025-02-29\n---\n", "frontmatter/invalid", 3, "date", ["real date"]],
    ["Russian date order", "---\ntitle: T\ndate: 01.06.2026\n---\n", "frontmatter/invalid", 3, "date", ["YYYY-MM-DD", "01.06.2026"]],
    ["a date with a time", "---\ntitle: T\ndate: 2026-06-01T10:00:00Z\n---\n", "frontmatter/invalid", 3, "date", ["YYYY-MM-DD"]],
    ["empty title", "---\ntitle: ''\ndate: 2026-06-01\n---\n", "frontmatter/invalid", 2, "title", ["title"]],
    ["title a number", "---\ntitle: 42\ndate: 2026-06-01\n---\n", "frontmatter/invalid", 2, "title", ["expected string"]],
    [
      "draft: yes (a string)",
      "---\ntitle: T\ndate: 2026-06-01\ndraft: 'yes'\n---\n",
      "frontmatter/invalid",
      4,
      "draft",
      ["expected boolean"],
    ],
    ["events: true", "---\ntitle: T\ndate: 2026-06-01\nevents: true\n---\n", "frontmatter/invalid", 4, "events", ["false or a list"]],
    ["tags a string", "---\ntitle: T\ndate: 2026-06-01\ntags: sales\n---\n", "frontmatter/invalid", 4, "tags", ["expected array"]],
    ["slug with capitals", "---\ntitle: T\ndate: 2026-06-01\nslug: My Slug\n---\n", "frontmatter/invalid", 4, "slug", ["lower-case Latin"]],
    [
      "an event without title",
      "---\ntitle: T\ndate: 2026-06-01\nevents:\n  - date: 2026-07-01\n---\n",
      "frontmatter/missing",
      5,
      "events[0].title",
      ["required"],
    ],
    [
      "an event on 2026-06-31",
      "---\ntitle: T\ndate: 2026-06-01\nevents:\n  - date: 2026-06-31\n    title: X\n---\n",
      "frontmatter/invalid",
      5,
      "events[0].date",
      ["real date"],
    ],
  ])("%s", (_name, text, ruleId, line, field, words) => {
    const r = parse(text);
    expect(r.issue).toBeUndefined();
    const d = r.diagnostics.find((x) => x.field === field);
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toMatchObject({ ruleId, severity: "error", file: FILE, line, field });
    const printed = formatDiagnostic(d!);
    expect(printed).toContain(`${FILE}:${line}`);
    for (const w of words) expect(printed).toContain(w);
    expect(d!.fix).toBeTruthy();
  });

  it.each([
    ["subjet", "subject", "---\ntitle: T\ndate: 2026-06-01\nsubjet: Hi\n---\n", 4, "subjet"],
    ["titel", "title", "---\ntitel: T\ntitle: T\ndate: 2026-06-01\n---\n", 2, "titel"],
    ["preheder", "preheader", "---\ntitle: T\ndate: 2026-06-01\npreheder: P\n---\n", 4, "preheder"],
    ["temlate", "template", "---\ntitle: T\ndate: 2026-06-01\ntemlate: x\n---\n", 4, "temlate"],
    ["tag", "tags", "---\ntitle: T\ndate: 2026-06-01\ntag: [a]\n---\n", 4, "tag"],
    [
      "an event's titel",
      "title",
      "---\ntitle: T\ndate: 2026-06-01\nevents:\n  - date: 2026-07-01\n    titel: X\n---\n",
      6,
      "events[0].titel",
    ],
  ])("unknown key %s → did you mean %s?", (_key, guess, text, line, field) => {
    const r = parse(text);
    const d = r.diagnostics.find((x) => x.ruleId === "frontmatter/unknown-key");
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toMatchObject({ file: FILE, line, column: expect.any(Number), field });
    expect(d!.message).toContain(`did you mean ${guess}?`);
  });

  it("`subjet` reads exactly as the issue asks", () => {
    const r = parse("---\ntitle: T\ndate: 2026-06-01\nsubjet: Hi\n---\n");
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${FILE}:4:1: error: unknown key "subjet" — did you mean subject? (field subjet) [frontmatter/unknown-key]\n  fix: rename "subjet" to "subject"`,
    ]);
  });

  it.each([
    ["empty file", "", "issue/empty"],
    ["only blank lines", "\n  \n\n", "issue/empty"],
    ["no front-matter", "# Заголовок\n\nТекст\n", "issue/no-frontmatter"],
    ["front-matter not at the top", "\n---\ntitle: T\ndate: 2026-06-01\n---\n", "issue/no-frontmatter"],
    ["unclosed front-matter", "---\ntitle: T\ndate: 2026-06-01\n\nТекст\n", "issue/unclosed-frontmatter"],
  ])("%s: %s at line 1 with a fix", (_name, text, ruleId) => {
    const r = parse(text);
    expect(r.issue).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId, severity: "error", file: FILE, line: 1 });
    expect(r.diagnostics[0].fix).toMatch(/---/);
  });

  it.each([
    ["an unclosed flow list", "---\ntitle: T\ndate: 2026-06-01\ntags: [a, b\n---\nB\n", 4],
    ["a mapping in a compact value", "---\ntitle: T: x: y\ndate: 2026-06-01\n---\n", 2],
    ["a duplicate key", "---\ntitle: T\ndate: 2026-06-01\ntitle: U\n---\n", 4],
    ["a tab as indentation", "---\ntitle: T\ndate: 2026-06-01\ntags:\n\t- a\n---\n", 5],
    ["an unclosed quote", '---\ntitle: T\ndate: 2026-06-01\nsubject: "open\npreheader: x\n---\n', 5],
  ])("YAML syntax error (%s) at the file's line", (_name, text, line) => {
    const r = parse(text);
    expect(r.issue).toBeUndefined();
    const d = r.diagnostics[0];
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toMatchObject({ ruleId: "yaml/syntax", file: FILE, line });
    expect(d.message).toMatch(/^YAML syntax error: /);
  });

  it.each([
    // the editor's commonest YAML mistakes: the message names the key and writes the fix out
    [
      "a colon in the title",
      "---\ntitle: Дебиторка: что дальше?\ndate: 2026-06-01\n---\n",
      2,
      "title",
      'put the value in quotes: title: "Дебиторка: что дальше?"',
    ],
    [
      "a colon in the preheader",
      "---\ntitle: T\ndate: 2026-06-01\npreheader: Почему: вот\n---\n",
      4,
      "preheader",
      'preheader: "Почему: вот"',
    ],
    ["a value starting with a quote", '---\ntitle: "Кавычки" и хвост\ndate: 2026-06-01\n---\n', 2, "title", "title: '\"Кавычки\" и хвост'"],
    ["a value starting with @", "---\ntitle: @автор\ndate: 2026-06-01\n---\n", 2, "title", 'title: "@автор"'],
    ["bad indentation: no quoting advice", "---\ntitle: T\n  date: 2026-06-01\n---\n", 2, "title", "check indentation"],
  ])("YAML: %s → field and fix", (_name, text, line, field, fix) => {
    const r = parse(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "yaml/syntax", line, field });
    expect(r.diagnostics[0].fix).toContain(fix);
  });

  it("front-matter that is a list, not key: value lines", () => {
    const r = parse("---\n- a\n- b\n---\n");
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "frontmatter/not-a-mapping", line: 2 });
  });

  it("every problem of one front-matter is listed", () => {
    const r = parse("---\ntitle: T\ndate: 2026-02-30\nsubjet: S\ndraft: maybe\n---\n");
    expect(r.diagnostics.map((d) => `${d.line}:${d.field}`).sort()).toEqual(["3:date", "4:subjet", "5:draft"]);
  });
});
