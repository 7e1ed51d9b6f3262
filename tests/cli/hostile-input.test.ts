// Issue files that are broken or hostile: each is one error naming the file, the line and the fix (not
// "Handlebars syntax error: -----^", "build/crash", "no front-matter", a silent U+FFFD or no line at all),
// and one bad issue never stops the others.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELLO, makeProject, startCli } from "../send/helpers.js";

let root: string;
let cleanup: () => Promise<void>;
let out: { code: number | null; stdout: string; stderr: string };

/** HELLO (front-matter of 6 lines, body from line 7) dated `day`, with `extra` after its body. */
const issue = (day: string, extra = "") => HELLO.replace("2026-12-01", `2026-12-${day}`) + extra;
const HELLO_LINES = HELLO.split("\n").length - 1;

beforeAll(async () => {
  ({ root, cleanup } = await makeProject());
  const put = (name: string, data: string | Buffer) => writeFile(join(root, "issues", name), data);
  await put("2026-12-10-nul.md", issue("10").replace("Текст выпуска.", "Текст \0 выпуска."));
  await put("2026-12-11-deep.md", issue("11", `\n${"<table><tr><td>".repeat(2000)}x${"</td></tr></table>".repeat(2000)}\n`));
  await put("2026-12-12-format-date.md", issue("12", '\nДата: {{formatDate "zz" "qq"}}\n'));
  await put("2026-12-13-format-date-field.md", issue("13", "\nДата: {{formatDate issue.title}}\n"));
  await put("2026-12-14-dynamic-partial.md", issue("14", '\nФрагмент: {{> (lookup . "nothing")}}\n'));
  await put("2026-12-15-utf16.md", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(issue("15"), "utf16le")]));
  await put("2026-12-16-cr.md", issue("16").replaceAll("\n", "\r"));
  await put("2026-12-17-latin1.md", Buffer.from(issue("17", "\nCafé naïve\n"), "latin1"));
  out = await startCli(root, ["build"], { RASSYLKA_LANG: "en" }).done;
}, 180_000);
afterAll(async () => cleanup?.());

const errorOf = (file: string) => {
  const lines = out.stderr.split("\n");
  const i = lines.findIndex((l) => l.startsWith(`issues/${file}`));
  expect(i, `${file} in:\n${out.stderr}`).toBeGreaterThanOrEqual(0);
  return { head: lines[i], fix: lines[i + 1] };
};

describe("hostile issue files, each one clear error; the good issue still builds", () => {
  it("the build exits 1, builds the good issue and names every bad one; no stack trace", () => {
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("issues/2026-12-01-hello.md → dist/2026-12-01-hello.html");
    expect(out.stdout).toContain("8 failed");
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(out.stderr).not.toContain("build/crash");
  });

  it.each([
    ["2026-12-10-nul.md", HELLO_LINES, "issue/nul-byte", /NUL byte/, /delete the invisible character/],
    ["2026-12-11-deep.md", HELLO_LINES + 2, "issue/too-deep", /HTML nests 6000 tags deep/, /flatten the HTML around this line/],
    [
      "2026-12-12-format-date.md",
      HELLO_LINES + 2,
      "handlebars/format-date",
      /formatDate takes one date \(YYYY-MM-DD\), not "zz" "qq"/,
      /formatDate "2026-12-01"/,
    ],
    [
      "2026-12-13-format-date-field.md",
      HELLO_LINES + 2,
      "handlebars/render",
      /formatDate was given "Привет", which is not a date/,
      /formatDate issue\.date/,
    ],
    [
      "2026-12-14-dynamic-partial.md",
      HELLO_LINES + 2,
      "handlebars/render",
      /the partial chosen on this line by an expression does not exist/,
      /name the partial directly/,
    ],
    ["2026-12-15-utf16.md", 1, "issue/encoding", /UTF-16 text/, /save it as UTF-8/],
    ["2026-12-16-cr.md", 1, "issue/line-endings", /end in CR alone/, /LF \(Unix\) or CRLF/],
    [
      "2026-12-17-latin1.md",
      HELLO_LINES + 2,
      "issue/encoding",
      /not UTF-8/,
      /iconv -f windows-1251 -t UTF-8 issues\/2026-12-17-latin1\.md/,
    ],
  ] as const)("%s: line %i, %s", (file, line, rule, message, fix) => {
    const { head, fix: fixLine } = errorOf(file);
    expect(head).toMatch(new RegExp(`^issues/${file.replace(".", "\\.")}:${line}(:\\d+)?: error: `));
    expect(head).toMatch(message);
    expect(head).toContain(`[${rule}]`);
    expect(fixLine).toMatch(/^ {2}fix: /);
    expect(fixLine).toMatch(fix);
  });
});
