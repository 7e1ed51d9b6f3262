import { describe, expect, it } from "vitest";
import { footerEvents, formatDate } from "../../src/render/events.js";
import { config, MINIMAL_CONFIG } from "../helpers/newsletter.js";

const cfg = config(`${MINIMAL_CONFIG}eventsWindowDays: 30
events:
  - date: 2026-07-20
    title: Позже окна
  - date: 2026-06-24
    title: Дебиторка
    time: "10:00"
  - date: 2026-06-10
    title: В день выпуска
  - date: 2026-06-05
    title: До выпуска
  - date: 2026-07-10
    title: Последний день окна
  - date: 2026-06-11
    title: Назавтра
`);

describe("events: the footer's trainings", () => {
  it.each([
    // issue date, expected titles in order
    ["2026-06-10", ["Назавтра", "Дебиторка", "Последний день окна"]],
    ["2026-06-01", ["До выпуска", "В день выпуска", "Назавтра", "Дебиторка"]],
    ["2026-06-24", ["Последний день окна", "Позже окна"]],
    ["2026-08-01", []],
  ])("issue of %s: after its date, within eventsWindowDays, by date", (date, titles) => {
    expect(footerEvents({ date, events: undefined }, cfg).map((e) => e.title)).toEqual(titles);
  });

  it("events: false hides them", () => {
    expect(footerEvents({ date: "2026-06-10", events: false }, cfg)).toEqual([]);
  });

  it("a front-matter list replaces them, sorted, whatever their dates", () => {
    const own = [
      { date: "2026-12-01", title: "Б" },
      { date: "2026-05-01", title: "А" },
    ];
    const out = footerEvents({ date: "2026-06-10", events: own }, cfg);
    expect(out.map((e) => [e.title, e.dateText])).toEqual([
      ["А", "1 мая"],
      ["Б", "1 декабря"],
    ]);
  });

  it("an empty front-matter list means no events", () => {
    expect(footerEvents({ date: "2026-06-10", events: [] }, cfg)).toEqual([]);
  });

  it("each event keeps its fields and gets its date in words", () => {
    const [e] = footerEvents({ date: "2026-06-20", events: undefined }, cfg);
    expect(e).toEqual({ date: "2026-06-24", title: "Дебиторка", time: "10:00", dateText: "24 июня" });
  });

  it("the year is written when it differs from the issue's", () => {
    const c = config(`${MINIMAL_CONFIG}events:\n  - date: 2027-01-15\n    title: Новый год\n`);
    expect(footerEvents({ date: "2026-12-20", events: undefined }, c)[0].dateText).toBe("15 января 2027 г.");
  });

  it("the newsletter's language writes the dates", () => {
    const c = config(`${MINIMAL_CONFIG.replace("language: ru", "language: en")}events:\n  - date: 2026-06-24\n    title: T\n`);
    expect(footerEvents({ date: "2026-06-01", events: undefined }, c)[0].dateText).toBe("June 24");
  });
});

describe("formatDate", () => {
  it.each([
    ["2026-06-24", "ru", {}, "24 июня"],
    ["2026-03-01", "ru", {}, "1 марта"],
    ["2026-11-10", "ru", { withYear: true }, "10 ноября 2026 г."],
    ["2026-06-24", "en", {}, "June 24"],
    ["2026-12-31", "ru", {}, "31 декабря"],
  ])("%s in %s → %s", (iso, lang, opts, text) => {
    expect(formatDate(iso, lang, opts)).toBe(text);
  });
});
