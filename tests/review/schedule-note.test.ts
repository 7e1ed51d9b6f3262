import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLanguage } from "../../src/i18n/index.js";
import { scheduleNote } from "../../src/review/schedule-note.js";
import { config, tempDir } from "../helpers/newsletter.js";

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  setLanguage("en");
});
afterEach(() => remove());

const issue = async (name: string, front: string) => {
  const path = join(dir, name);
  await writeFile(path, `---\ntitle: Привет\ndate: 2026-12-01\n${front}---\nТекст.\n`);
  return path;
};
const cfg = config(`name: Тест\nfrom:\n  name: Редакция\n  email: news@example.org\ntimezone: Europe/Moscow\n`);

describe("the review page's sendAt line", () => {
  it("says when a new scheduled issue goes out, in the newsletter's timezone", async () => {
    const after = await issue("a.md", 'sendAt: "2030-03-02T07:00Z"\n');
    expect(await scheduleNote(undefined, after, cfg)).toBe("will be sent 2030-03-02 10:00 (Europe/Moscow)");
  });

  it("says the time changed from … to …", async () => {
    const before = await issue("b.md", 'sendAt: "2030-03-02 10:00"\n');
    const after = await issue("a.md", 'sendAt: "2030-03-03 09:30"\n');
    expect(await scheduleNote(before, after, cfg)).toBe(
      "time changed from 2030-03-02 10:00 (Europe/Moscow) to 2030-03-03 09:30 (Europe/Moscow)",
    );
  });

  it.each([
    ["sendAt removed", ""],
    ["made a draft", 'sendAt: "2030-03-02 10:00"\ndraft: true\n'],
  ])("%s: will be cancelled", async (_name, front) => {
    const before = await issue("b.md", 'sendAt: "2030-03-02 10:00"\n');
    const after = await issue("a.md", front);
    expect(await scheduleNote(before, after, cfg)).toBe("will be cancelled (was to be sent 2030-03-02 10:00 (Europe/Moscow))");
  });

  it("a deleted issue will be cancelled; an unscheduled one says nothing", async () => {
    const before = await issue("b.md", 'sendAt: "2030-03-02 10:00"\n');
    expect(await scheduleNote(before, undefined, cfg)).toContain("will be cancelled");
    expect(await scheduleNote(await issue("c.md", ""), await issue("d.md", ""), cfg)).toBeUndefined();
  });
});
