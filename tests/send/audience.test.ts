import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailProblem } from "../../src/identity/address.js";
import { type AudienceRow, addressList, csvFile, detectDelimiter } from "../../src/send/audience.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rassylka-audience-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rows(name: string, content: string | Buffer, encoding?: string): Promise<AudienceRow[]> {
  const path = join(dir, name);
  await writeFile(path, content);
  const out: AudienceRow[] = [];
  for await (const r of csvFile(path, { encoding, label: name }).rows()) out.push(r);
  return out;
}

describe("recipient CSV", () => {
  it("reads a header with an email column in any case; other columns become fields", async () => {
    const r = await rows("plain.csv", "Name,EMAIL,city\nАнна,anna@example.ru,Краснодар\nБорис,boris@example.ru,\n");
    expect(r).toEqual([
      { line: 2, address: "anna@example.ru", invalid: undefined, fields: { Name: "Анна", city: "Краснодар" } },
      { line: 3, address: "boris@example.ru", invalid: undefined, fields: { Name: "Борис", city: "" } },
    ]);
  });

  it("strips a UTF-8 BOM (Excel's “CSV UTF-8”) and detects ; as the delimiter", async () => {
    const r = await rows("bom.csv", "\uFEFFemail;name\r\nanna@example.ru;Анна\r\n");
    expect(r).toEqual([{ line: 2, address: "anna@example.ru", invalid: undefined, fields: { name: "Анна" } }]);
  });

  it("detects tab as the delimiter", async () => {
    const r = await rows("tab.tsv", "email\tname\nanna@example.ru\tАнна, с запятой\n");
    expect(r[0].fields).toEqual({ name: "Анна, с запятой" });
  });

  it("handles quotes, doubled quotes, delimiters and line breaks inside fields, and reports the line a row starts on", async () => {
    const r = await rows(
      "quotes.csv",
      'email,name,note\n"anna@example.ru","Анна ""Аня"" Петрова","строка 1\r\nстрока 2, с запятой"\n\nboris@example.ru,Борис,\nbad@@example.ru,x,y\n',
    );
    expect(r.map((x) => [x.line, x.address, x.invalid === undefined])).toEqual([
      [2, "anna@example.ru", true],
      [5, "boris@example.ru", true],
      [6, "bad@@example.ru", false],
    ]);
    expect(r[0].fields).toEqual({ name: 'Анна "Аня" Петрова', note: "строка 1\nстрока 2, с запятой" });
  });

  it("reads windows-1251 with --encoding windows-1251", async () => {
    const bytes = iconv.encode("email;имя\r\nanna@example.ru;Анна Ивановна\r\n", "windows-1251");
    const r = await rows("cp1251.csv", bytes, "windows-1251");
    expect(r).toEqual([{ line: 2, address: "anna@example.ru", invalid: undefined, fields: { имя: "Анна Ивановна" } }]);
  });

  it("rejects input that is not UTF-8, naming the line and suggesting --encoding windows-1251", async () => {
    const bytes = Buffer.concat([
      Buffer.from("email,name\nanna@example.ru,Anna\n"),
      iconv.encode("boris@example.ru,Борис\n", "windows-1251"),
    ]);
    await expect(rows("not-utf8.csv", bytes)).rejects.toMatchObject({
      diagnostics: [
        {
          file: "not-utf8.csv",
          line: 3,
          message: "the recipient list is not valid UTF-8",
          fix: expect.stringContaining("--encoding windows-1251"),
        },
      ],
    });
  });

  it("reports invalid addresses with their line numbers", async () => {
    const r = await rows("invalid.csv", "email\nok@example.ru\nno-at-sign\n\n  spaced@example.ru  \na b@example.ru\nx@localhost\n,\n");
    expect(r.map((x) => [x.line, x.address, x.invalid ? "invalid" : "ok"])).toEqual([
      [2, "ok@example.ru", "ok"],
      [3, "no-at-sign", "invalid"],
      [5, "spaced@example.ru", "ok"],
      [6, "a b@example.ru", "invalid"],
      [7, "x@localhost", "invalid"],
      [8, "", "invalid"],
    ]);
  });

  it("says what to do when there is no email column or the CSV is broken", async () => {
    await expect(rows("nocol.csv", "name,city\nАнна,Сочи\n")).rejects.toThrow(/no "email" column[\s\S]*fix:/);
    await expect(rows("broken.csv", 'email,name\nanna@example.ru,"unclosed\n')).rejects.toThrow(/not valid CSV[\s\S]*quotes/);
  });

  it("streams: a large list is read row by row", async () => {
    const n = 20_000;
    const text = `email,name\n${Array.from({ length: n }, (_, i) => `r${i}@example.ru,Читатель ${i}`).join("\n")}\n`;
    const path = join(dir, "big.csv");
    await writeFile(path, text);
    let count = 0;
    let last = 0;
    for await (const r of csvFile(path).rows()) {
      count++;
      last = r.line;
    }
    expect(count).toBe(n);
    expect(last).toBe(n + 1);
  });
});

describe("addresses", () => {
  it("--to a,b splits and checks addresses", async () => {
    const out: AudienceRow[] = [];
    for await (const r of addressList("a@x.ru, b@y.ru;bad").rows()) out.push(r);
    expect(out.map((r) => [r.address, r.invalid === undefined])).toEqual([
      ["a@x.ru", true],
      ["b@y.ru", true],
      ["bad", false],
    ]);
  });

  it.each([
    ["ivan.petrov@example.ru", true],
    ["Ivan+news@Example.RU", true],
    ["почта@пример.рф", true],
    ["a..b@example.ru", false],
    [".a@example.ru", false],
    ["a@example", false],
    ["a@-example.ru", false],
    ["a@example.ru\r\nBcc: x@y.ru", false],
    ["<a@example.ru>", false],
  ])("%s valid: %s", (address, ok) => {
    expect(emailProblem(address) === undefined).toBe(ok);
  });

  it("detects the delimiter from the header only, ignoring quoted ones", () => {
    expect(detectDelimiter("email,name")).toBe(",");
    expect(detectDelimiter('"e;mail",name,city')).toBe(",");
    expect(detectDelimiter("email;name;city")).toBe(";");
    expect(detectDelimiter("email\tname")).toBe("\t");
    expect(detectDelimiter("email")).toBe(",");
  });
});

describe("CSV leftovers", () => {
  it("removes NUL and other control characters from fields and addresses, keeps line breaks in quoted fields", async () => {
    const r = await rows("controls.csv", 'email,name,note\nanna@example.ru\u0000,Ан\u0000на\u0007,"две\nстроки\u001b"\n');
    expect(r).toEqual([{ line: 2, address: "anna@example.ru", invalid: undefined, fields: { name: "Анна", note: "две\nстроки" } }]);
  });

  it("reads UTF-16 with its byte-order mark (little and big endian), not the windows-1251 hint", async () => {
    const text = "email;name\r\nanna@example.ru;Анна\r\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, "utf-16be")]);
    for (const [name, bytes] of [
      ["le.csv", le],
      ["be.csv", be],
    ] as const) {
      expect(await rows(name, bytes)).toEqual([{ line: 2, address: "anna@example.ru", invalid: undefined, fields: { name: "Анна" } }]);
    }
  });

  it("refuses UTF-16 without a mark with the hint to save as CSV UTF-8", async () => {
    await expect(rows("nobom.csv", iconv.encode("email,name\nanna@example.ru,Анна\n", "utf-16le"))).rejects.toMatchObject({
      diagnostics: [{ message: expect.stringContaining("UTF-16"), fix: expect.stringContaining("CSV UTF-8") }],
    });
  });
});
