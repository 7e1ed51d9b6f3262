import { afterAll, afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { run, shape } from "../helpers/cli.js";
import { issue, makeProject, removeProjects } from "../lint/fixtures.js";
import { ISSUE, makeProject as makeSendProject, SECRET, writeCsv } from "../send/helpers.js";

/**
 * Every command speaks the editor's language (`--lang`, RASSYLKA_LANG, the newsletter's `language`,
 * the locale): one success and one failure per command in Russian and in English, and `--json`
 * identical across languages except the human texts (message, fix, note, hint).
 */
afterAll(removeProjects);
afterEach(() => setLanguage("en"));

const good = issue({});
const bad = issue({}, "Первый абзац.\n\n![](https://rassylka-test.ru/g.png)");

describe("choosing the language", () => {
  it("--lang, then RASSYLKA_LANG, then the newsletter's language, then the locale", async () => {
    const root = await makeProject({ issues: { "2026-11-10-good.md": good } });
    // the fixture's newsletter.yaml says language: ru
    expect((await run(["lint", "--root", root, "--no-cache"], { RASSYLKA_LANG: undefined, LC_ALL: "en_US.UTF-8" })).out).toBe(
      "Проверен 1 выпуск: 0 ошибок, 0 предупреждений.",
    );
    expect((await run(["lint", "--root", root, "--no-cache"], { RASSYLKA_LANG: "uk" })).out).toBe(
      "Перевірено 1 випуск: 0 помилок, 0 попереджень.",
    );
    expect((await run(["--lang", "en", "lint", "--root", root, "--no-cache"], { RASSYLKA_LANG: "ru" })).out).toBe(
      "Checked 1 issue: 0 errors, 0 warnings.",
    );
    expect((await run(["lint", "--lang=ru", "--root", root, "--no-cache"])).out).toBe("Проверен 1 выпуск: 0 ошибок, 0 предупреждений.");
    const noLanguage = await makeProject({ config: { language: undefined }, issues: { "2026-11-10-good.md": good } });
    expect((await run(["lint", "--root", noLanguage, "--no-cache"], { RASSYLKA_LANG: undefined, LC_ALL: "ru_RU.UTF-8" })).out).toBe(
      "Проверен 1 выпуск: 0 ошибок, 0 предупреждений.",
    );
  });

  it("refuses a language it does not speak, naming the ones it does", async () => {
    const r = await run(["--lang", "de", "lint"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: unknown language 'de' for --lang: use ru, en or uk");
  });
});

describe("rassylka lint", () => {
  it("success, in Russian and in English", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": good, "2026-11-11-b.md": good } });
    const ru = await run(["lint", "--lang", "ru", "--root", root, "--no-cache"]);
    expect(ru).toMatchObject({ code: 0, out: "Проверено 2 выпуска: 0 ошибок, 0 предупреждений." });
    const en = await run(["lint", "--lang", "en", "--root", root, "--no-cache"]);
    expect(en).toMatchObject({ code: 0, out: "Checked 2 issues: 0 errors, 0 warnings." });
  });

  it("failure, in Russian and in English; rule ids stay", async () => {
    const root = await makeProject({ issues: { "2026-11-11-bad.md": bad } });
    const ru = await run(["lint", "--lang", "ru", "--root", root, "--no-cache"]);
    expect(ru.code).toBe(1);
    expect(ru.out).toContain(
      "issues/2026-11-11-bad.md:8:5: ошибка: у картинки https://rassylka-test.ru/g.png нет alt-текста: читатели с выключенными картинками",
    );
    expect(ru.out).toContain("[lint/img-alt]\n  как исправить: напишите в квадратных скобках, что на картинке");
    expect(ru.out).toContain("Проверен 1 выпуск: 1 ошибка, 0 предупреждений.");
    const en = await run(["lint", "--lang", "en", "--root", root, "--no-cache"]);
    expect(en.code).toBe(1);
    expect(en.out).toContain("issues/2026-11-11-bad.md:8:5: error: image https://rassylka-test.ru/g.png has no alt text");
    expect(en.out).toContain("Checked 1 issue: 1 error, 0 warnings.");
  });

  it("--format json is the same document in every language but for the texts", async () => {
    const root = await makeProject({ issues: { "2026-11-11-bad.md": bad, "2026-11-12-draft.md": issue({ draft: true }) } });
    const docs = [];
    for (const lang of ["ru", "en", "uk"]) docs.push(await run(["lint", "--lang", lang, "--root", root, "--no-cache", "--format", "json"]));
    expect(docs.map((d) => d.code)).toEqual([1, 1, 1]);
    expect(shape(docs[0].out)).toEqual(shape(docs[1].out));
    expect(shape(docs[2].out)).toEqual(shape(docs[1].out));
    expect(docs[0].out).not.toEqual(docs[1].out);
    expect(JSON.parse(docs[0].out).results[0].diagnostics[0].message).toMatch(/^у картинки/);
  });

  it("usage errors and --help in Russian", async () => {
    const bad = await run(["lint", "--lang", "ru", "--format", "xml"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("ошибка: у параметра «--format <format>» недопустимое значение «xml». Можно: text, json, github.");
    const help = await run(["lint", "--lang", "ru", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Запуск: rassylka lint [options] [files...]");
    expect(help.out).toContain('--root <dir>       папка рассылки (по умолчанию: ".")');
    const listing = await run(["--help"], { RASSYLKA_LANG: "ru" });
    expect(listing.out).toContain("Команды:");
    expect(listing.out).toContain("собрать выпуски в адаптивный HTML");
  });
});

describe("rassylka build", () => {
  it("success, in Russian and in English: the count with its noun after it", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": good, "2026-11-11-b.md": good } });
    const ru = await run(["build", "--lang", "ru", "--root", root, "--no-cache"]);
    expect(ru.code).toBe(0);
    expect(ru.out).toMatch(/^Собрано 2 выпуска в .*dist\/ за [\d\s\u00a0]+ мс\.$/m);
    expect(ru.out).toMatch(/issues\/2026-11-10-a\.md → .*2026-11-10-a\.html, 2026-11-10-a\.txt \(\d+,\d КБ\)/);
    const en = await run(["build", "--lang", "en", "--root", root]);
    expect(en.code).toBe(0);
    expect(en.out).toMatch(/^Built 2 issues into .*dist\/ in [\d,]+ ms\.$/m);
  });

  it("failure, in Russian and in English; --json the same but for the texts", async () => {
    const root = await makeProject({ issues: { "2026-11-10-a.md": good, "2026-11-12-broken.md": "---\ntitle: Без даты\n" } });
    const ru = await run(["build", "--lang", "ru", "--root", root, "--no-cache"]);
    expect(ru.code).toBe(1);
    expect(ru.err).toContain("issues/2026-11-12-broken.md:1: ошибка: шапка выпуска не закрыта [issue/unclosed-frontmatter]");
    expect(ru.err).toContain("  как исправить: добавьте строку `---` после последнего поля шапки");
    expect(ru.out).toMatch(/^Собран 1 выпуск .*; не собран 1: issues\/2026-11-12-broken\.md\.$/m);
    const en = await run(["build", "--lang", "en", "--root", root, "--no-cache"]);
    expect(en.code).toBe(1);
    expect(en.err).toContain("issues/2026-11-12-broken.md:1: error: the front-matter is not closed [issue/unclosed-frontmatter]");
    expect(en.out).toMatch(/^Built 1 issue .*; 1 failed: issues\/2026-11-12-broken\.md\.$/m);
    const [jr, je] = [
      await run(["build", "--lang", "ru", "--root", root, "--no-cache", "--json"]),
      await run(["build", "--lang", "en", "--root", root, "--no-cache", "--json"]),
    ];
    expect(shape(jr.out)).toEqual(shape(je.out));
    expect(jr.out).not.toEqual(je.out);
  });
});

describe("rassylka send and status", () => {
  it("send: the summary in Russian and in English; --json the same but for the texts", async () => {
    const { root, cleanup } = await makeSendProject();
    try {
      await writeCsv(root, "list.csv", "email;name\nanna@example.ru;Анна\nboris@example.ru;Борис\nnot-an-address\n");
      const args = ["send", `${root}/${ISSUE}`, "--root", root, "--to", `${root}/list.csv`, "--yes", "--dry-run"];
      const ru = await run([...args, "--lang", "ru"], { RASSYLKA_SECRET: SECRET });
      expect(ru.code).toBe(0);
      expect(ru.out).toMatch(/^Пробный прогон \(ничего не доставлено\): «.*» через .* за \d+,\d с$/m);
      // a dry run says what would be sent, never "sent"
      expect(ru.out).toContain("  читателей в списке: 2 · было бы отправлено: 2 · не прошло бы: 0 · в стоп-листе: 0 · неверных адресов: 1");
      expect(ru.out).toContain("    строка 4: «not-an-address» — нужна одна @ между именем и доменом");
      expect(ru.out).toContain("  неверные адреса (пропущены):");
      const en = await run([...args, "--lang", "en"], { RASSYLKA_SECRET: SECRET });
      expect(en.out).toMatch(/^Dry run \(nothing delivered\) of «.*» via .* in \d+\.\d s$/m);
      expect(en.out).toContain("  readers in the list: 2 · would be sent: 2");
      expect(en.out).toContain('    line 4: "not-an-address" — expected one @ between a name and a domain');
      const [jr, je] = [
        await run([...args, "--lang", "ru", "--json"], { RASSYLKA_SECRET: SECRET }),
        await run([...args, "--json"], { RASSYLKA_SECRET: SECRET }),
      ];
      const drop = (j: string) => {
        const o = JSON.parse(j) as Record<string, unknown>;
        for (const k of ["elapsedMs", "rate", "startedAt", "finishedAt", "runId"]) delete o[k];
        return shape(JSON.stringify(o));
      };
      expect(drop(jr.out)).toEqual(drop(je.out));
    } finally {
      await cleanup();
    }
  });

  it("send: a failure (no such list) in Russian and in English", async () => {
    const { root, cleanup } = await makeSendProject();
    try {
      const args = ["send", `${root}/${ISSUE}`, "--root", root, "--to", `${root}/missing.csv`, "--yes"];
      const ru = await run([...args, "--lang", "ru"], { RASSYLKA_SECRET: SECRET });
      const en = await run([...args, "--lang", "en"], { RASSYLKA_SECRET: SECRET });
      expect(ru.code).toBe(en.code);
      expect(ru.code).not.toBe(0);
      expect(ru.err).toMatch(/ошибка: /);
      expect(en.err).toMatch(/error: /);
    } finally {
      await cleanup();
    }
  });

  it("status: an empty ledger, then counts and what is pending, in Russian and in English", async () => {
    const { root, cleanup } = await makeSendProject();
    try {
      expect((await run(["status", "--root", root, "--lang", "ru"])).out).toBe("Пока ничего не разослано (журнал отправки пуст).");
      expect((await run(["status", "--root", root, "--lang", "en"])).out).toBe("Nothing sent yet (the ledger is empty).");
      await writeCsv(root, "list.csv", "email\nanna@example.ru\n");
      await run(["send", `${root}/${ISSUE}`, "--root", root, "--to", `${root}/list.csv`, "--yes"], { RASSYLKA_SECRET: SECRET });
      const ru = await run(["status", "--root", root, "--lang", "ru"]);
      // the outbox is a trial: nobody received it, and it does not count as the send
      expect(ru.out).toContain("  всего 0 · отправлено 0 · не дошло 0 · ждут отправки 0");
      expect(ru.out).toContain("никто не получил: записано 1 из 1");
      const en = await run(["status", "--root", root, "--lang", "en"]);
      expect(en.out).toContain("  total 0 · sent 0 · failed 0 · pending 0");
      const bad = await run(["status", "--root", root, "--lang", "ru", "--nope"]);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain("ошибка: неизвестный параметр «--nope»");
    } finally {
      await cleanup();
    }
  });

  it("plurals of what is still pending: 1 читатель, 2 читателя, 5 читателей, 21 читатель", async () => {
    const { translator } = await import("../../src/i18n/index.js");
    const ru = translator("ru");
    expect(
      [1, 2, 5, 11, 21, 22, 25, 111].map((count) => ru.t("send:pending", { count, command: "…" }).split(" ждут")[0].split(" ждёт")[0]),
    ).toEqual([
      "Ещё 1 читатель",
      "Ещё 2 читателя",
      "Ещё 5 читателей",
      "Ещё 11 читателей",
      "Ещё 21 читатель",
      "Ещё 22 читателя",
      "Ещё 25 читателей",
      "Ещё 111 читателей",
    ]);
  });
});
