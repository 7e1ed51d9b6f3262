import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSearchIndex } from "../../src/search/build.js";
import { RECORDS_FILE } from "../../src/search/records.js";
import { config, MINIMAL_CONFIG, tempDir } from "../helpers/newsletter.js";

/**
 * The index's fingerprint (src/search/build.ts): an unchanged build leaves the index as it was, and each
 * record's date as the archive writes it (`day`) is made only for an index that is written — so the
 * fingerprint must change with anything `day` follows from.
 */
const ENTRY = { slug: "2026-11-10-vypusk", title: "Выпуск", preheader: "", date: "2026-11-10", draft: false };
const SOURCE = { slug: ENTRY.slug, tags: ["звонки"], bodyText: "Текущая дебиторка." };

describe("the search index of one issue", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir("rsk-search-"));
  });
  afterAll(() => remove());

  const saved = async () => JSON.parse(await readFile(join(dir, RECORDS_FILE), "utf8")) as { records: { day: string }[] };
  const index = (language: string) =>
    buildSearchIndex(dir, config(MINIMAL_CONFIG.replace("language: ru", `language: ${language}`)), [ENTRY], [SOURCE]);

  it("is written, with the day in the newsletter's language, then left as it is", async () => {
    expect((await index("en-US")).rebuilt).toBe(true);
    expect((await saved()).records[0].day).toBe("November 10, 2026");
    const again = await index("en-US");
    expect(again.rebuilt).toBe(false);
    expect(again.rubrics).toEqual([{ tag: "звонки", name: "звонки", count: 1 }]);
  });

  it("is written again when `language:` changes though the index's language does not (regression: en-GB writes dates apart)", async () => {
    expect((await index("en-GB")).rebuilt).toBe(true);
    expect((await saved()).records[0].day).toBe("10 November 2026");
  });
});
