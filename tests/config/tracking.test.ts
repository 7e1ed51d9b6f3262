import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/cli/print.js";
import { parseConfig } from "../../src/config/load.js";
import { issueTracking } from "../../src/config/tracking.js";
import { parseIssue } from "../../src/issue/load.js";

const BASE = "name: N\nfrom:\n  name: A\n  email: a@example.org\n";
const ISSUE = (fm: string) => `---\ntitle: T\ndate: 2026-06-01\n${fm}---\nТекст\n`;

describe("tracking: in newsletter.yaml", () => {
  it("is off unless turned on", () => {
    const r = parseConfig(BASE);
    expect(r.config?.tracking).toEqual({ clicks: false, opens: false, anonymous: false });
  });

  it("takes clicks, opens, anonymous and keepDays", () => {
    const r = parseConfig(`${BASE}tracking:\n  clicks: true\n  anonymous: true\n  keepDays: 90\n`);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.config?.tracking).toEqual({ clicks: true, opens: false, anonymous: true, keepDays: 90 });
  });

  it.each([
    ["clicks not a boolean", `${BASE}tracking:\n  clicks: yes please\n`, 6, "tracking.clicks"],
    ["keepDays negative", `${BASE}tracking:\n  keepDays: -1\n`, 6, "tracking.keepDays"],
    ["an unknown key", `${BASE}tracking:\n  clickz: true\n`, 6, "tracking.clickz"],
  ])("%s: an error naming file, line and field", (_name, yaml, line, field) => {
    const r = parseConfig(yaml, "newsletter.yaml");
    expect(r.config).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: "error", file: "newsletter.yaml", line, field });
    expect(formatDiagnostic(r.diagnostics[0])).toContain("newsletter.yaml");
  });
});

describe("tracking: in an issue's front-matter", () => {
  const newsletter = { clicks: true, opens: false, anonymous: false, keepDays: 30 };
  const parse = (fm: string) => parseIssue(ISSUE(fm), "issues/2026-06-01-t.md", { author: "A" });

  it("absent: the newsletter's settings", () => {
    const r = parse("");
    expect(issueTracking(newsletter, r.issue?.tracking)).toEqual(newsletter);
  });

  it("false: nothing measured for this issue", () => {
    const r = parse("tracking: false\n");
    expect(r.diagnostics).toEqual([]);
    expect(issueTracking(newsletter, r.issue?.tracking)).toMatchObject({ clicks: false, opens: false });
  });

  it("keys given override the newsletter's, the rest is kept", () => {
    const r = parse("tracking:\n  opens: true\n  anonymous: true\n");
    expect(r.diagnostics).toEqual([]);
    expect(issueTracking(newsletter, r.issue?.tracking)).toEqual({ clicks: true, opens: true, anonymous: true, keepDays: 30 });
  });

  it("a bad value names the issue's file and line", () => {
    const r = parse("tracking:\n  clicks: often\n");
    expect(r.issue).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: "error", file: "issues/2026-06-01-t.md", line: 5 });
  });
});
