import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { unsubscribeProblems } from "../../src/send/guards.js";

const base = `name: N\nfrom:\n  name: A\n  email: a@example.ru\n`;
const config = (extra = "") => parseConfig(base + extra).config!;

// no bulk mail without an unsubscribe
describe("unsubscribeProblems", () => {
  it("a real send without unsubscribe.url or mailto is refused with the fix; test copies and dry runs are not", () => {
    expect(unsubscribeProblems(config(), "send")).toEqual([
      expect.objectContaining({
        severity: "error",
        ruleId: "send/no-unsubscribe",
        fix: expect.stringMatching(/unsubscribe: \{ url: https/),
      }),
    ]);
    expect(unsubscribeProblems(config(), "test")).toEqual([]);
    expect(unsubscribeProblems(config(), "dry-run")).toEqual([]);
  });

  it("a mailto is enough; an http: URL is a warning (one-click needs https)", () => {
    expect(unsubscribeProblems(config("unsubscribe:\n  mailto: u@example.ru\n"), "send")).toEqual([]);
    expect(unsubscribeProblems(config("unsubscribe:\n  url: http://example.ru/u\n"), "send")).toEqual([
      expect.objectContaining({ severity: "warning", field: "unsubscribe.url" }),
    ]);
  });
});
