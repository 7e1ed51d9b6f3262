import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { loadConfig, parseConfig } from "../../src/config/load.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { REPO, tempDir, writeFiles } from "../helpers/newsletter.js";

const BASE = "name: N\nfrom:\n  name: A\n  email: a@example.org\n";

describe("newsletter.yaml: valid configs", () => {
  it.each([
    ["the minimum: name and from", BASE, { language: "ru", eventsWindowDays: 60, nav: [], events: [] }],
    ["language and window", `${BASE}language: en\neventsWindowDays: 30\n`, { language: "en", eventsWindowDays: 30 }],
    [
      "url, replyTo, author",
      `${BASE}url: https://example.org/a\nreplyTo: r@example.org\nauthor: Я\n`,
      { url: "https://example.org/a", author: "Я" },
    ],
    [
      "nav",
      `${BASE}nav:\n  - title: Тренинги\n    url: https://example.org/t\n`,
      { nav: [{ title: "Тренинги", url: "https://example.org/t" }] },
    ],
    [
      "events, unquoted date (YAML reads it as a Date)",
      `${BASE}events:\n  - date: 2026-06-24\n    title: Тренинг\n    place: онлайн\n    time: "10:00"\n`,
      { events: [{ date: "2026-06-24", title: "Тренинг", place: "онлайн", time: "10:00" }] },
    ],
    ["events, quoted date", `${BASE}events:\n  - date: "2026-06-24"\n    title: T\n`, { events: [{ date: "2026-06-24", title: "T" }] }],
    ["footer in Markdown", `${BASE}footer: |\n  Пишите **нам**.\n`, { footer: "Пишите **нам**.\n" }],
    ["unsubscribe url only", `${BASE}unsubscribe:\n  url: https://example.org/u\n`, { unsubscribe: { url: "https://example.org/u" } }],
    ["unsubscribe mailto only", `${BASE}unsubscribe:\n  mailto: u@example.org\n`, { unsubscribe: { mailto: "u@example.org" } }],
    [
      "sending.domainRates",
      `${BASE}sending:\n  domainRates:\n    mail.ru: 10\n    Почта.РФ: 0.5\n`,
      { sending: { domainRates: { "mail.ru": 10, "Почта.РФ": 0.5 } } },
    ],
    [
      "sending.headers (a number value becomes text)",
      `${BASE}sending:\n  headers:\n    X-Campaign: весна\n    X-Year: 2026\n`,
      { sending: { headers: { "X-Campaign": "весна", "X-Year": "2026" } } },
    ],
  ])("%s", (_name, yaml, expected) => {
    const r = parseConfig(yaml);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.config).toMatchObject(expected);
  });

  it("the repository's example newsletter.yaml is valid", async () => {
    const r = parseConfig(await readFile(join(REPO, "newsletter.yaml"), "utf8"));
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.config?.events.length).toBeGreaterThan(0);
  });
});

describe("newsletter.yaml: invalid configs name file, line and field", () => {
  it.each([
    // name, yaml, ruleId, line, field, words the message or fix must contain
    ["name missing", "from:\n  name: A\n  email: a@example.org\n", "config/missing", 1, "name", ['"name" is required', 'add "name:"']],
    ["from.email not an email", "name: N\nfrom:\n  name: A\n  email: not-an-email\n", "config/invalid", 4, "from.email", ["email address"]],
    ["from is a string", "name: N\nfrom: a@example.org\n", "config/invalid", 2, "from", ["expected object", "an object"]],
    ["url not http", `${BASE}url: ftp://example.org\n`, "config/invalid", 5, "url", ["http(s) URL"]],
    ["replyTo not an email", `${BASE}replyTo: nobody\n`, "config/invalid", 5, "replyTo", ["email address"]],
    ["eventsWindowDays negative", `${BASE}eventsWindowDays: -3\n`, "config/invalid", 5, "eventsWindowDays", ["eventsWindowDays"]],
    ["eventsWindowDays a string", `${BASE}eventsWindowDays: many\n`, "config/invalid", 5, "eventsWindowDays", ["expected number"]],
    [
      "event on 2026-02-30",
      `${BASE}events:\n  - date: 2026-02-30\n    title: X\n`,
      "config/invalid",
      6,
      "events[0].date",
      ["real date", "2026-02-30", "YYYY-MM-DD"],
    ],
    [
      "event without title",
      `${BASE}events:\n  - date: 2026-03-01\n`,
      "config/missing",
      6,
      "events[0].title",
      ['"events[0].title" is required'],
    ],
    ["nav item without url", `${BASE}nav:\n  - title: T\n`, "config/missing", 6, "nav[0].url", ["required"]],
    ["unsubscribe empty", `${BASE}unsubscribe: {}\n`, "config/invalid", 5, "unsubscribe", ["unsubscribe.url", "unsubscribe.mailto"]],
    ["language a number", `${BASE}language: 5\n`, "config/invalid", 5, "language", ["expected string", "a string"]],
    [
      "sending.domainRates key an address",
      `${BASE}sending:\n  domainRates:\n    a@mail.ru: 10\n`,
      "config/invalid",
      7,
      "sending.domainRates.a@mail.ru",
      ["expected a domain name", "e.g. mail.ru: 10"],
    ],
    [
      "sending.domainRates rate 0",
      `${BASE}sending:\n  domainRates:\n    mail.ru: 0\n`,
      "config/invalid",
      7,
      "sending.domainRates.mail.ru",
      ["above 0", "mail.ru: 10"],
    ],
    [
      "sending.domainRates rate a word",
      `${BASE}sending:\n  domainRates:\n    mail.ru: fast\n`,
      "config/invalid",
      7,
      "sending.domainRates.mail.ru",
      ["messages per second"],
    ],
    [
      "sending.domainRates one domain twice",
      `${BASE}sending:\n  domainRates:\n    mail.ru: 1\n    MAIL.RU: 2\n`,
      "config/invalid",
      7,
      "sending.domainRates",
      ["name the same domain", "one key per domain"],
    ],
    ...(
      [
        ["From", "written by rassylka itself"],
        ["subject", "written by rassylka itself"],
        ["Message-ID", "written by rassylka itself"],
        ["List-Unsubscribe", "written by rassylka itself"],
        ["list-id", "written by rassylka itself"],
        ["Content-Type", "written by rassylka itself"],
        ["X-Postmaster-Msgtype", "written by rassylka itself"],
        ["X Campaign", "expected a header name"],
        ["X-Campaign:", "expected a header name"],
      ] as const
    ).map(([name, words]): [string, string, string, number, string, string[]] => [
      `sending.headers sets ${name}`,
      `${BASE}sending:\n  headers:\n    "${name}": x\n`,
      "config/invalid",
      7,
      `sending.headers.${name}`,
      [words],
    ]),
    [
      "sending.headers value with a line break (header injection)",
      `${BASE}sending:\n  headers:\n    X-Campaign: "spring\\r\\nBcc: all@example.org"\n`,
      "config/invalid",
      7,
      "sending.headers.X-Campaign",
      ["must be one line", "without line breaks"],
    ],
    [
      "sending.headers value a list",
      `${BASE}sending:\n  headers:\n    X-Campaign: [a, b]\n`,
      "config/invalid",
      7,
      "sending.headers.X-Campaign",
      ["expected a string or a number"],
    ],
    [
      "sending.headers one header twice",
      `${BASE}sending:\n  headers:\n    X-Campaign: a\n    x-campaign: b\n`,
      "config/invalid",
      7,
      "sending.headers",
      ["the same header", "one key per header"],
    ],
    // regression: Intl threw on it while formatting dates, and the build died with a stack trace
    ["language ru_RU (not a BCP 47 tag)", `${BASE}language: ru_RU\n`, "config/invalid", 5, "language", ["language tag", "language: ru"]],
  ])("%s", (_name, yaml, ruleId, line, field, words) => {
    const r = parseConfig(yaml);
    expect(r.config).toBeUndefined();
    const d = r.diagnostics.find((x) => x.field === field);
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toBeDefined();
    expect(d).toMatchObject({ ruleId, severity: "error", file: "newsletter.yaml", line, field });
    const text = formatDiagnostic(d!);
    expect(text).toContain(`newsletter.yaml:${line}`);
    for (const w of words) expect(text).toContain(w);
    expect(d!.fix).toBeTruthy();
  });

  it.each([
    ["top level", "name: N\nform:\n  name: A\n  email: a@example.org\n", "form", "from", 2, "form"],
    ["inside from", "name: N\nfrom:\n  name: A\n  emial: a@example.org\n", "emial", "email", 4, "from.emial"],
    ["inside an event", `${BASE}events:\n  - date: 2026-03-01\n    tilte: T\n`, "tilte", "title", 7, "events[0].tilte"],
    ["inside nav", `${BASE}nav:\n  - titel: T\n    url: https://e.org\n`, "titel", "title", 6, "nav[0].titel"],
    ["eventsWindowDay", `${BASE}eventsWindowDay: 30\n`, "eventsWindowDay", "eventsWindowDays", 5, "eventsWindowDay"],
    ["langauge", `${BASE}langauge: ru\n`, "langauge", "language", 5, "langauge"],
  ])("unknown key %s: did you mean", (_name, yaml, key, guess, line, field) => {
    const r = parseConfig(yaml);
    const d = r.diagnostics.find((x) => x.ruleId === "config/unknown-key");
    expect(d, r.diagnostics.map(formatDiagnostic).join("\n")).toMatchObject({ file: "newsletter.yaml", line, field });
    expect(d!.message).toContain(`unknown key "${key}"`);
    expect(d!.message).toContain(`did you mean ${guess}?`);
    expect(d!.fix).toBe(`rename "${key}" to "${guess}"`);
  });

  it("an unknown key with no near match lists the known keys", () => {
    const r = parseConfig(`${BASE}zzzzzzzz: 1\n`);
    const d = r.diagnostics.find((x) => x.ruleId === "config/unknown-key");
    expect(d?.message).not.toContain("did you mean");
    expect(d?.fix).toMatch(/known keys here: .*eventsWindowDays/);
  });

  it("secrets are not config: an smtp password key is refused", () => {
    const r = parseConfig(`${BASE}smtpPassword: hunter2\n`);
    expect(r.config).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "config/unknown-key", field: "smtpPassword", line: 5 });
  });

  it.each([
    ["bad indentation", "name: N\nfrom:\n  name: A\n email: a@example.org\n", 4],
    ["duplicate key", "name: N\nname: M\nfrom:\n  name: A\n  email: a@example.org\n", 2],
    ["unclosed flow list", "name: N\nnav: [\nfrom:\n  name: A\n", undefined],
  ])("YAML syntax error (%s) names the line", (_name, yaml, line) => {
    const r = parseConfig(yaml);
    expect(r.config).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "yaml/syntax", file: "newsletter.yaml" });
    if (line) expect(r.diagnostics[0].line).toBe(line);
    else expect(r.diagnostics[0].line).toBeGreaterThan(1);
  });

  it.each([
    ["empty", ""],
    ["only a comment", "# nothing here\n"],
    ["a list, not a mapping", "- a\n- b\n"],
    ["a scalar", "just text\n"],
  ])("%s file: config/empty with a fix", (_name, yaml) => {
    const r = parseConfig(yaml);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ ruleId: "config/empty", file: "newsletter.yaml", line: 1 });
    expect(r.diagnostics[0].fix).toContain("init");
  });

  it("every problem is listed, not just the first", () => {
    const r = parseConfig("name: N\nfrom:\n  name: A\n  email: bad\nurl: nope\nlangauge: ru\n");
    expect(r.diagnostics.map((d) => d.field).sort()).toEqual(["from.email", "langauge", "url"]);
  });
});

describe("loadConfig", () => {
  it("a folder without newsletter.yaml: config/missing with a fix naming init and --root", async () => {
    const t = await tempDir();
    try {
      const error = await loadConfig(t.dir).catch((e: unknown) => e);
      expect(isRassylkaError(error)).toBe(true);
      const d = (error as { diagnostics: { ruleId: string; fix?: string }[] }).diagnostics[0];
      expect(d.ruleId).toBe("config/missing");
      expect(d.fix).toMatch(/--root/);
      expect(d.fix).toMatch(/init/);
    } finally {
      await t.remove();
    }
  });

  it("a bad file throws its diagnostics; a good one returns config and bytes", async () => {
    const t = await tempDir();
    try {
      await writeFiles(t.dir, { "newsletter.yaml": "name: N\nfrom:\n  name: A\n  emial: a@example.org\n" });
      const error = await loadConfig(t.dir).catch((e: unknown) => e);
      expect((error as { diagnostics: Parameters<typeof formatDiagnostic>[0][] }).diagnostics.map(formatDiagnostic).join("\n")).toContain(
        'newsletter.yaml:4:3: error: unknown key "emial" — did you mean email?',
      );
      await writeFiles(t.dir, { "newsletter.yaml": BASE });
      const ok = await loadConfig(t.dir);
      expect(ok.config.name).toBe("N");
      expect(ok.source).toBe(BASE);
    } finally {
      await t.remove();
    }
  });
});
