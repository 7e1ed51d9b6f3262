import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { storeNote } from "../../src/i18n/notes.js";
import { openStore } from "../../src/state/store.js";
import { englishLines, run, shape } from "../helpers/cli.js";
import { issue, makeProject, removeProjects } from "../lint/fixtures.js";
import { writeIssue as writeScheduledIssue } from "../schedule/helpers.js";
import { CONFIG, makeProject as makeSendProject } from "../send/helpers.js";

/**
 * Every command in Russian says nothing in English: its --help (every flag), one success and one
 * failure. A string left out of the catalogues shows up here as an English line.
 */
afterAll(removeProjects);
afterEach(() => setLanguage("en"));

const ru = async (args: string[], env: Record<string, string | undefined> = {}) => {
  const r = await run([...args, "--lang", "ru"], env);
  return { ...r, english: englishLines(`${r.out}\n${r.err}`) };
};

const COMMANDS = [
  ["build"],
  ["new"],
  ["init"],
  ["send"],
  ["doctor"],
  ["status"],
  ["suppress"],
  ...["add", "remove", "list", "import", "export"].map((c) => ["suppress", c]),
  ["subscribers"],
  ...["list", "add", "remove", "import", "export"].map((c) => ["subscribers", c]),
  ["bounces"],
  ["bounces", "import"],
  ["bounces", "fetch"],
  ["state"],
  ["state", "migrate"],
  ["state", "copy"],
  ["sendsay"],
  ["sendsay", "ping"],
  ["sendsay", "sync"],
  ["schedule"],
  ["schedule", "push"],
  ["schedule", "list"],
  ["worker"],
  ["report"],
  ["audience"],
  ["poll"],
  ["lint"],
  ["preview"],
  ["screenshots"],
  ["review"],
  ["search"],
  ["serve"],
];

describe("--help of every command and subcommand, in Russian", () => {
  it.each(COMMANDS.map((c) => [c.join(" "), c]))("%s", async (_name, command) => {
    const r = await ru([...(command as string[]), "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Запуск: rassylka /);
    expect(r.english).toEqual([]);
  });

  it("the check itself finds an English line", () => {
    expect(englishLines("Запуск: rassylka build\n  --out <dir>  output folder, relative to the root")).toEqual([
      "  --out <dir>  output folder, relative to the root",
    ]);
    expect(englishLines('  --out <dir>  папка для результата (по умолчанию: "dist")')).toEqual([]);
    expect(englishLines("  0013 reader-keys")).toEqual([]);
    expect(englishLines("  0013 keys of the readers")).toEqual(["  0013 keys of the readers"]);
    expect(englishLines('  как исправить: опубликуйте prodazhi.example.ru. IN TXT "v=spf1 mx ~all"')).toEqual([]);
    expect(englishLines("  fix: publish it in the zone")).toEqual(["  fix: publish it in the zone"]);
  });
});

describe("usage errors, in Russian", () => {
  it.each([
    ["a required option", ["review"], "ошибка: не указан обязательный параметр «--base <git-ref>»"],
    ["too many arguments", ["status", "a", "b"], "ошибка: слишком много аргументов у «status»: нужно 1, передано 2."],
    ["a missing argument", ["new"], "ошибка: не хватает обязательного аргумента «title»"],
    [
      "an invalid value",
      ["send", "x", "--rate", "-1"],
      "ошибка: у параметра «--rate <n>» недопустимое значение «-1»: --rate — число не меньше 0",
    ],
    ["a bad duration", ["send", "x", "--retry-window", "soon"], "укажите срок, например 12h, 90m, 2d или 30s"],
  ])("%s", async (_name, args, text) => {
    const r = await ru(args as string[]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(text);
    expect(r.english).toEqual([]);
  });
});

describe("each command: one success and one failure in Russian", () => {
  it("new", async () => {
    const root = await makeProject({ issues: {} });
    const ok = await ru(["new", "Второй выпуск", "--root", root, "--date", "2026-12-10"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^Создан .*2026-12-10-vtoroy-vypusk\.md$/);
    expect(ok.english).toEqual([]);
    const again = await ru(["new", "Второй выпуск", "--root", root, "--date", "2026-12-10"]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("уже есть");
    expect(again.english).toEqual([]);
    const badDate = await ru(["new", "Третий", "--root", root, "--date", "2026-02-30"]);
    expect(badDate.err).toContain("--date «2026-02-30» — не дата в виде ГГГГ-ММ-ДД");
    expect(badDate.english).toEqual([]);
  });

  it("init", async () => {
    const parent = await makeProject({ issues: {} });
    const ok = await ru(["init", join(parent, "novaya"), "--language", "ru"]);
    expect(ok.code).toBe(0);
    expect(ok.english).toEqual([]);
    const bad = await ru(["init", join(parent, "drugaya"), "--language", "de"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("на языке --language de rassylka рассылки не пишет");
    expect(bad.english).toEqual([]);
    const badUrl = await ru(["init", join(parent, "tretya"), "--url", "ftp://news.example.ru"]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.err).toContain("--url «ftp://news.example.ru» — не адрес http(s)");
    expect(badUrl.english).toEqual([]);
  });

  it("suppress and subscribers: add, list, import, export, remove", async () => {
    const root = await makeProject({ issues: {} });
    const s = ["--root", root];
    const steps = [
      await ru(["suppress", "add", "a@example.ru", "b@example.ru", ...s]),
      await ru(["suppress", "add", "a@example.ru", ...s]),
      await ru(["suppress", "list", ...s]),
      await ru(["suppress", "remove", "a@example.ru", "c@example.ru", ...s]),
      await ru(["subscribers", "add", "anna@example.ru", "--confirmed", ...s]),
      await ru(["subscribers", "list", "--status", "confirmed", ...s]),
      await ru(["subscribers", "remove", "anna@example.ru", "nobody@example.ru", ...s]),
    ];
    expect(steps.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(steps.map((r) => r.out.split("\n").at(-1))).toEqual([
      "В стоп-лист внесено 2 новых адреса.",
      "В стоп-лист внесено 0 новых адресов; уже были в нём: 1.",
      "В стоп-листе 2 адреса.",
      "Из стоп-листа убран 1 адрес; не было в нём: 1.",
      "Добавлен 1 читатель (подтверждены); обновлено: 0.",
      "1 читатель (подтверждены).",
      "Удалён 1 читатель; не было в списке: 1.",
    ]);
    for (const r of steps) expect(r.english).toEqual([]);
    await writeFile(join(root, "list.csv"), "email\nvera@example.ru\nbroken@\n");
    const imported = await ru(["subscribers", "import", join(root, "list.csv"), ...s]);
    expect(imported.code).toBe(0);
    expect(imported.out).toBe("Загружен 1 новый читатель (ждут подтверждения); уже были в списке: 0; пропущено: 1.");
    expect(imported.english).toEqual([]);
    const badStatus = await ru(["subscribers", "list", "--status", "maybe", ...s]);
    expect(badStatus.code).toBe(1);
    expect(badStatus.err).toContain("укажите одно из: pending, confirmed, unsubscribed");
    expect(badStatus.english).toEqual([]);
  });

  it("suppress list: a bounce's and a complaint's source in the editor's language; --json the same in ru and en but `note`", async () => {
    const root = await makeProject({ issues: {} });
    const file = join(root, "state.sqlite");
    const store = await openStore({ kind: "sqlite", file });
    const about = { day: "2026-12-02", issue: "2026-12-01-hello" };
    await store.suppressions.add("gleb@example.ru", "bounced", storeNote("suppress/soft-bounces", { count: 3, status: "5.2.2", ...about }));
    await store.suppressions.add("boris@example.ru", "complained", storeNote("suppress/complaint", { status: "abuse", ...about }));
    await store.close();
    const s = ["--state", file];
    const list = await ru(["suppress", "list", ...s]);
    expect(list.code).toBe(0);
    expect(list.out).toContain("\tвременные отказы в 3 выпусках подряд, последний (5.2.2) 2026-12-02, выпуск 2026-12-01-hello\t");
    expect(list.out).toContain("\tжалоба (abuse) 2026-12-02, выпуск 2026-12-01-hello\t");
    expect(list.english).toEqual([]);
    const [jr, je] = [await ru(["suppress", "list", "--json", ...s]), await run(["suppress", "list", "--json", ...s, "--lang", "en"])];
    expect(shape(jr.out)).toEqual(shape(je.out));
    // `source` as scripts have read it (English, as stored before); `note` the same in the editor's language
    expect(JSON.parse(jr.out)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          email: "gleb@example.ru",
          reason: "bounced",
          source: "soft bounces in 3 issues in a row, last 5.2.2 2026-12-02, issue 2026-12-01-hello",
          note: "временные отказы в 3 выпусках подряд, последний (5.2.2) 2026-12-02, выпуск 2026-12-01-hello",
        }),
        expect.objectContaining({ email: "boris@example.ru", source: "complaint abuse 2026-12-02, issue 2026-12-01-hello" }),
      ]),
    );
    // export writes the English source, which import reads back as plain text
    const exported = await ru(["suppress", "export", ...s]);
    expect(exported.out).toContain(
      'gleb@example.ru,bounced,"soft bounces in 3 issues in a row, last 5.2.2 2026-12-02, issue 2026-12-01-hello",',
    );
    // a row an older version wrote in English is shown as it is
    const old = await openStore({ kind: "sqlite", file });
    await old.suppressions.add("vera@example.ru", "bounced", "bounce 5.1.1 2026-11-01, issue 2026-11-01-old");
    await old.close();
    const after = await ru(["suppress", "list", "--json", ...s]);
    const vera = (JSON.parse(after.out) as { email: string }[]).find((r) => r.email === "vera@example.ru");
    expect(vera).toMatchObject({ source: "bounce 5.1.1 2026-11-01, issue 2026-11-01-old" });
    expect(vera).not.toHaveProperty("note");
  });

  it("state migrate and copy", async () => {
    const root = await makeProject({ issues: {} });
    const migrated = await ru(["state", "migrate", "--root", root]);
    expect(migrated.code).toBe(0);
    expect(migrated.out).toMatch(/^Версия схемы: \d+\.$/m);
    expect(migrated.english).toEqual([]);
    const same = await ru(["state", "copy", "--root", root, "--from", join(root, "a.sqlite"), "--to", join(root, "a.sqlite")]);
    expect(same.code).toBe(1);
    expect(same.err).toContain("--from и --to — одно и то же хранилище");
    expect(same.english).toEqual([]);
  });

  it("bounces import: a message that is not a bounce, and a file that cannot be read", async () => {
    const root = await makeProject({ issues: {} });
    await writeFile(join(root, "hello.eml"), "From: a@example.ru\nTo: b@example.ru\nSubject: Привет\n\nПросто письмо.\n");
    const ok = await ru(["bounces", "import", join(root, "hello.eml"), "--root", root]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/hello\.eml: не возврат \(/);
    expect(ok.out).toMatch(/^1 письмо: постоянных возвратов 0 · .*; в стоп-лист: 0 читателей\.$/m);
    expect(ok.english).toEqual([]);
    const missing = await ru(["bounces", "import", join(root, "nope.eml"), "--root", root]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/ошибка: не удалось прочитать .*nope\.eml: нет такого файла или папки/);
    expect(missing.english).toEqual([]);
    // --json: `problem` keeps the English words scripts read; only note and fix follow the language
    await writeFile(join(root, "empty.eml"), "");
    const args = ["bounces", "import", join(root, "nope.eml"), join(root, "empty.eml"), "--root", root, "--json"];
    const [jr, je] = [await ru(args), await run([...args, "--lang", "en"])];
    expect([jr.code, je.code]).toEqual([1, 1]);
    expect(shape(jr.out)).toEqual(shape(je.out));
    expect(JSON.parse(jr.out).problems).toEqual([
      expect.objectContaining({ problem: "no such file or folder", note: "нет такого файла или папки" }),
      expect.objectContaining({ problem: "the file is empty", note: expect.not.stringMatching(/[a-z]/) }),
    ]);
  });

  it("status after a trial send: its dates in Russian words, not the state's ISO times", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    await writeFile(join(root, "list.csv"), "email\nvera@example.ru\n");
    const sent = await ru(
      ["send", "issues/2026-11-10-a.md", "--root", root, "--to", join(root, "list.csv"), "--transport", "outbox", "--yes"],
      { RASSYLKA_SECRET: "a-test-secret-of-thirty-two-chars" },
    );
    expect(sent.code, sent.err).toBe(0);
    const r = await ru(["status", "--root", root]);
    expect(r.code).toBe(0);
    const year = new Date().getFullYear();
    expect(r.out).toMatch(
      new RegExp(`\\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) ${year} г\\.`),
    );
    expect(r.out).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(r.english).toEqual([]);
  });

  it("schedule push and list: the time in Russian words; a worker with an unknown transport", async () => {
    const { root, cleanup } = await makeSendProject(`${CONFIG}timezone: Europe/Moscow\n`);
    try {
      await writeScheduledIssue(root, "2030-03-02 10:00");
      const pushed = await ru(["schedule", "push", "--root", root]);
      expect(pushed.code, pushed.err).toBe(0);
      expect(pushed.english).toEqual([]);
      const listed = await ru(["schedule", "list", "--root", root]);
      expect(listed.code, listed.err).toBe(0);
      expect(listed.out).toMatch(/^2 марта 2030 г\. в \d\d:00 /);
      expect(listed.english).toEqual([]);
      const worker = await ru(["worker", "--root", root, "--transport", "pigeon"]);
      expect(worker.code).toBe(1);
      expect(worker.err).toContain("обработчик не умеет отправлять через «pigeon»");
      expect(worker.english).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("screenshots of one issue, in Russian", { timeout: 300_000 }, async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    const r = await ru(["screenshots", "--root", root]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Сделано 3 снимка 1 выпуска в /m);
    expect(r.english).toEqual([]);
  });

  it("serve and preview refuse a bad port", async () => {
    const root = await makeProject({ issues: {} });
    const serve = await ru(["serve", "--root", root, "--port", "http"]);
    expect(serve.code).toBe(1);
    expect(serve.err).toContain("--port http — не номер порта");
    expect(serve.english).toEqual([]);
    const preview = await ru(["preview", "--root", root, "--port", "http"]);
    expect(preview.code).toBe(1);
    expect(preview.err).toContain("--port — это номер порта, а указано «http»");
    expect(preview.english).toEqual([]);
  });

  it("a newsletter.yaml with mistakes: file, line, field and fix in Russian; rule ids stay", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    const yaml =
      "name: Рассылка\nlanguage: ru\nfrom:\n  name: Редакция\n  emial: a@example.ru\nsuppressBounces: да\neventsWindowDays: -2\n";
    await writeFile(join(root, "newsletter.yaml"), yaml);
    const r = await ru(["build", "--root", root, "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "newsletter.yaml:5:3: ошибка: неизвестное поле «emial» — может быть, email? (поле from.emial) [config/unknown-key]\n  как исправить: переименуйте «emial» в «email»",
    );
    expect(r.err).toContain("ошибка: «suppressBounces»: ожидается true или false, а здесь текст (поле suppressBounces) [config/invalid]");
    expect(r.err).toContain("ошибка: «eventsWindowDays»: должно быть больше 0 (поле eventsWindowDays) [config/invalid]");
    expect(r.english).toEqual([]);
    const missing = await ru(["lint", "--root", join(root, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("как исправить: запустите команду в папке рассылки");
    expect(missing.english).toEqual([]);
  });

  it("header, sendAt, audience and YAML mistakes in Russian", async () => {
    const root = await makeProject({
      issues: { "2026-11-10-a.md": '---\ntitle: Выпуск\ndate: 2026-11-10\nsendAt: "завтра"\naudience: "Все читатели"\n---\nТекст.\n' },
    });
    const head = "name: Рассылка\nlanguage: ru\nfrom:\n  name: Редакция\n  email: a@example.ru\n";
    await writeFile(join(root, "newsletter.yaml"), `${head}sending:\n  headers:\n    Subject: x\n    X-A: ''\n`);
    const r = await ru(["build", "--root", root, "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("заголовок Subject rassylka пишет сама, задать его здесь нельзя");
    expect(r.err).toContain("значение заголовка пустое");
    expect(r.english).toEqual([]);
    await writeFile(join(root, "newsletter.yaml"), head);
    const fm = await ru(["build", "--root", root, "--no-cache"]);
    expect(fm.code).toBe(1);
    expect(fm.err).toContain("нужно время в виде ГГГГ-ММ-ДДTЧЧ:ММ со смещением");
    expect(fm.err).toContain("нужно subscribers или имя файла аудитории");
    expect(fm.english).toEqual([]);
    await writeFile(join(root, "newsletter.yaml"), `${head}reply: *nowhere\n`);
    const yaml = await ru(["build", "--root", root, "--no-cache"]);
    expect(yaml.code).toBe(1);
    expect(yaml.err).toContain("ссылка YAML *nowhere ведёт к метке &nowhere, которой выше нет");
    expect(yaml.english).toEqual([]);
  });

  it("a recipient list without an email column, in Russian", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    await writeFile(join(root, "list.csv"), "адрес\nvera@example.ru\n");
    const r = await ru(
      ["send", "issues/2026-11-10-a.md", "--root", root, "--to", join(root, "list.csv"), "--transport", "outbox", "--yes"],
      { RASSYLKA_SECRET: "a-test-secret-of-thirty-two-chars" },
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("в списке получателей нет столбца «email»");
    expect(r.english).toEqual([]);
  });

  it("front-matter mistakes in Russian", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": "---\ntitle: 42\ndate: 2026-11-10\ndraft: нет\n---\nТекст.\n" } });
    const r = await ru(["build", "--root", root, "--no-cache"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("«draft»: ожидается true или false, а здесь текст (поле draft) [frontmatter/invalid]");
    expect(r.english).toEqual([]);
  });
});

describe("audience, poll, report and search: a success and a failure, in Russian and in English", () => {
  let root: string;
  const cases: [string, () => string[], boolean][] = [
    ["audience", () => ["audience", "--root", root], true],
    ["audience: a name no file has", () => ["audience", "nobody-such", "--root", root], false],
    ["poll results", () => ["poll", "results", "--root", root], true],
    ["poll results: a folder for a state file", () => ["poll", "results", "--root", root, "--state", root], false],
    ["report", () => ["report", "--root", root, "--out", join(root, "report")], true],
    ["report: an issue never sent", () => ["report", "2099-01-01-nope", "--root", root, "--out", join(root, "report")], false],
    ["search", () => ["search", "Текст", "--root", root], true],
    ["search: a site not built", () => ["search", "Текст", "--root", root, "--out", "nowhere"], false],
  ];
  it.each(cases)("%s", async (_name, args, ok) => {
    root ??= await makeProject({ issues: { "2026-11-10-a.md": issue({}) } });
    if (args()[0] === "search") expect((await run(["build", "--root", root, "--no-cache"])).code).toBe(0);
    const r = await ru(args());
    const en = await run([...args(), "--lang", "en"]);
    expect(r.code, `${r.out}\n${r.err}`).toBe(en.code);
    expect(r.code === 0, `${r.out}\n${r.err}`).toBe(ok);
    expect(r.english).toEqual([]);
    expect(`${en.out}\n${en.err}`).not.toBe(`${r.out}\n${r.err}`);
  });
});
