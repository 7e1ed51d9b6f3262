import { describe, expect, it } from "vitest";
import { durationMs, hasOffset, parseZonedTime, wallTime } from "../../src/util/zoned-time.js";

describe("parseZonedTime", () => {
  it.each([
    ["2026-12-08T10:00+03:00", "Europe/Moscow", "2026-12-08T07:00:00.000Z"],
    ["2026-12-08T10:00:30Z", "Europe/Moscow", "2026-12-08T10:00:30.000Z"],
    ["2026-12-08 10:00", "Europe/Moscow", "2026-12-08T07:00:00.000Z"],
    ["2026-12-08 10:00", "Asia/Yekaterinburg", "2026-12-08T05:00:00.000Z"],
    // Berlin in winter (+01:00) and in summer (+02:00): the zone's offset at that date
    ["2026-01-15T09:00", "Europe/Berlin", "2026-01-15T08:00:00.000Z"],
    ["2026-07-15T09:00", "Europe/Berlin", "2026-07-15T07:00:00.000Z"],
    ["2026-12-08T10:00:00.5-0200", "Europe/Moscow", "2026-12-08T12:00:00.500Z"],
  ])("%s in %s is %s", (text, zone, iso) => {
    expect(parseZonedTime(text, zone)?.toISOString()).toBe(iso);
  });

  it.each(["2026-02-30 10:00", "2026-12-08", "tomorrow 10:00", "2026-12-08T25:00"])("%s is not a time", (text) => {
    expect(parseZonedTime(text, "Europe/Moscow")).toBeUndefined();
  });

  it("tells an offset from a local time", () => {
    expect(hasOffset("2026-12-08T10:00+03:00")).toBe(true);
    expect(hasOffset("2026-12-08T10:00Z")).toBe(true);
    expect(hasOffset("2026-12-08 10:00")).toBe(false);
  });

  it("writes an instant as a zone's wall clock", () => {
    expect(wallTime("2026-12-08T07:00:00.000Z", "Europe/Moscow")).toBe("2026-12-08 10:00:00");
    expect(wallTime("2026-12-08T07:00:00.000Z", "Europe/Moscow", false)).toBe("2026-12-08 10:00");
  });

  it("reads durations", () => {
    expect(durationMs("6h")).toBe(6 * 3600_000);
    expect(durationMs("90m")).toBe(90 * 60_000);
    expect(durationMs(2)).toBe(2 * 3600_000);
    expect(durationMs("soon")).toBeUndefined();
  });
});
