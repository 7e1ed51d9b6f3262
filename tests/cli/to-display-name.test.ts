import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { expect } from "vitest";
import { ISSUE, sendTest as test } from "../send/helpers.js";

/** A right-to-left override in a CSV name never reaches the To display name (it reverses what follows it). */
test("a name with U+202E and U+2066: the To line carries the name without them", async ({ project }) => {
  await project.write("list.csv", "email,name\nanna@example.ru,Анна\u202Egnp.exe\u2066x\u2069\n");
  const r = await project.cli(["send", ISSUE, "--to", "list.csv", "--transport", "outbox", "--yes"]);
  expect(r.code, r.stderr).toBe(0);
  const dir = join(project.root, "outbox", "2026-12-01-hello");
  const [file] = (await readdir(dir)).filter((f) => f.endsWith(".eml"));
  const mail = await simpleParser(await readFile(join(dir, file)));
  const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined;
  expect(to?.address).toBe("anna@example.ru");
  expect(to?.name).toBe("Аннаgnp.exex");
  expect(to?.name).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
});
