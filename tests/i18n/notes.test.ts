import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { noteText, readNote, storeNote } from "../../src/i18n/notes.js";
import { classifySmtpError, senderError } from "../../src/send/transports/smtp.js";

/**
 * Sentences kept in the state (the ledger's last reply, a stopped send's reason, a schedule row's note)
 * are data: a code, its parameters and the server's raw reply, written out in the reader's language when
 * shown. Rows an older version wrote in English are shown as they are.
 */
afterEach(() => setLanguage("en"));

describe("a stored note", () => {
  it("keeps its code and parameters; plain text is not a note", () => {
    const stored = storeNote("send/gave-up", { count: 3, overMs: 150_000, response: "451 4.3.0 try later" });
    expect(readNote(stored)).toEqual({ code: "send/gave-up", params: { count: 3, overMs: 150_000, response: "451 4.3.0 try later" } });
    expect(readNote("451 4.3.0 try later")).toBeUndefined();
    expect(readNote('{"note": broken')).toBeUndefined();
  });

  it("is written in the reader's language, with the plural the count needs and the server's reply as it came", () => {
    const stored = (count: number) => storeNote("send/gave-up", { count, overMs: 150_000, response: "451 4.3.0 try later" });
    expect(noteText(stored(3), "en")).toBe("gave up after 3 attempts over 3 min: 451 4.3.0 try later");
    expect(noteText(stored(1), "en")).toBe("gave up after 1 attempt over 3 min: 451 4.3.0 try later");
    expect([1, 2, 5, 11, 21, 22, 25, 111].map((n) => noteText(stored(n), "ru").split(" в течение")[0])).toEqual([
      "не доставлено за 1 попытку",
      "не доставлено за 2 попытки",
      "не доставлено за 5 попыток",
      "не доставлено за 11 попыток",
      "не доставлено за 21 попытку",
      "не доставлено за 22 попытки",
      "не доставлено за 25 попыток",
      "не доставлено за 111 попыток",
    ]);
    expect(noteText(stored(3), "ru")).toBe("не доставлено за 3 попытки в течение 3 мин: 451 4.3.0 try later");
    expect(noteText(stored(3), "uk")).toBe("не доставлено за 3 спроби протягом 3 хв: 451 4.3.0 try later");
  });

  it("a worker's late note: minutes with their plural", () => {
    const late = (count: number) => noteText(storeNote("schedule/late", { count }), "ru");
    expect([0, 1, 2, 5, 11, 21, 22, 25, 111].map(late)).toEqual([
      "опоздание на 0 минут",
      "опоздание на 1 минуту",
      "опоздание на 2 минуты",
      "опоздание на 5 минут",
      "опоздание на 11 минут",
      "опоздание на 21 минуту",
      "опоздание на 22 минуты",
      "опоздание на 25 минут",
      "опоздание на 111 минут",
    ]);
    expect(noteText(storeNote("schedule/late", { count: 12 }), "en")).toBe("late by 12 min");
  });

  it("a bounce's suppression source: the issues counted with their plural", () => {
    const soft = (count: number, lang: "ru" | "en" | "uk" = "ru") =>
      noteText(storeNote("suppress/soft-bounces", { count, status: "4.2.2", day: "2026-12-02", issue: "i" }), lang).split(
        / (подряд|поспіль)/,
      )[0];
    expect([1, 2, 5, 11, 21, 22, 25, 111].map((n) => soft(n))).toEqual([
      "временные отказы в 1 выпуске",
      "временные отказы в 2 выпусках",
      "временные отказы в 5 выпусках",
      "временные отказы в 11 выпусках",
      "временные отказы в 21 выпуске",
      "временные отказы в 22 выпусках",
      "временные отказы в 25 выпусках",
      "временные отказы в 111 выпусках",
    ]);
    expect(soft(3, "en")).toBe("soft bounces in 3 issues in a row, last 4.2.2 2026-12-02, issue i");
    expect(soft(1, "en")).toBe("soft bounces in 1 issue in a row, last 4.2.2 2026-12-02, issue i");
    expect(soft(21, "uk")).toBe("тимчасові відмови в 21 випуску");
    expect(noteText(storeNote("suppress/bounce", { status: "5.1.1", day: "2026-12-01", issue: "i" }), "ru")).toBe(
      "письмо вернулось (5.1.1) 2026-12-01, выпуск i",
    );
  });

  it("a row written by an older version (English text) is shown as it is, in any language", () => {
    const old = "gave up after 3 attempts over 2 min: 451 4.3.0 try later";
    expect(noteText(old, "ru")).toBe(old);
    expect(noteText("late by 12 min", "ru")).toBe("late by 12 min");
    expect(noteText(null)).toBeUndefined();
  });
});

describe("classifySmtpError: the sender's problems as data", () => {
  const cases = [
    [
      { code: "EAUTH", responseCode: 535, response: "535 5.7.8 bad" },
      "smtp/login-rejected",
      "сервер 127.0.0.1:25 не принял логин: 535 5.7.8 bad",
    ],
    [
      { code: "EENVELOPE", responseCode: 530, response: "530 5.7.0 Authentication required", command: "MAIL FROM" },
      "smtp/auth-required",
      "сервер 127.0.0.1:25 требует вход по логину: 530 5.7.0 Authentication required",
    ],
    [
      { code: "ETLS", originalCode: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed certificate" },
      "smtp/tls-failed",
      "не удалось установить TLS с сервером 127.0.0.1:25: self-signed certificate",
    ],
    [
      { code: "EPROTOCOL", responseCode: 554, response: "554 go away", command: "CONN" },
      "smtp/greeting-refused",
      "сервер 127.0.0.1:25 отказал в соединении сразу при приветствии: 554 go away",
    ],
    [
      { code: "ESOCKET", originalCode: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:25" },
      "smtp/cannot-connect",
      "не удалось подключиться к серверу 127.0.0.1:25: connect ECONNREFUSED 127.0.0.1:25",
    ],
    [
      { code: "EENVELOPE", responseCode: 553, response: "553 5.7.1 not owned", command: "MAIL FROM" },
      "smtp/sender-refused",
      "сервер 127.0.0.1:25 не принял адрес отправителя: 553 5.7.1 not owned",
    ],
  ] as const;

  it.each(cases)("%o → %s", (error, code, russian) => {
    const result = classifySmtpError(error, "127.0.0.1:25");
    if (result.status !== "sender") throw new Error(`not the sender's: ${result.status}`);
    // what is kept: the code, the server and its raw reply; the same whatever the language
    setLanguage("ru");
    const inRussian = classifySmtpError(error, "127.0.0.1:25");
    expect(inRussian).toEqual(result);
    expect(readNote(result.response)).toMatchObject({ code, params: { where: "127.0.0.1:25" } });
    expect(noteText(result.response, "ru")).toBe(russian);
    expect(noteText(result.fix, "ru")).not.toBe(noteText(result.fix, "en"));
    // what a person reads: the error before the first message, in the editor's language
    const e = senderError(result);
    expect(e.diagnostics[0]).toMatchObject({ ruleId: "send/sender", message: `${russian} — ничего не отправлено` });
    expect(e.diagnostics[0].fix).toBe(noteText(result.fix, "ru"));
  });

  it("in English the sentences read as before notes were data (what scripts matched)", () => {
    const text = (error: object) => noteText((classifySmtpError(error, "127.0.0.1:25") as { response: string }).response, "en");
    expect(text(cases[0][0])).toBe("127.0.0.1:25 rejected the login: 535 5.7.8 bad");
    expect(text(cases[4][0])).toBe("cannot connect to 127.0.0.1:25: connect ECONNREFUSED 127.0.0.1:25");
    // without a server named: "the SMTP server" (Russian: "сервер SMTP")
    const bare = classifySmtpError(cases[0][0]) as { response: string };
    expect(noteText(bare.response, "en")).toBe("the SMTP server rejected the login: 535 5.7.8 bad");
    expect(noteText(bare.response, "ru")).toBe("сервер SMTP не принял логин: 535 5.7.8 bad");
  });

  it("a server's own reply (permanent, transient) stays the raw reply", () => {
    expect(classifySmtpError({ responseCode: 550, response: "550 no such user" })).toEqual({
      status: "permanent",
      code: 550,
      response: "550 no such user",
    });
  });
});
