// SpamAssassin (Debian's package, stock rules, local tests only) on every message the example newsletter's
// and a fresh `init`'s templates make: at most 0.5 points each.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Built, exampleMessages, initMessages } from "./helpers.js";

interface Score {
  points: number;
  rules: string[];
}

/** `spamassassin -L -t` on one message: its score and the rules that scored. */
function spamassassin(file: string): Promise<Score> {
  return new Promise((resolve, reject) => {
    const child = spawn("spamassassin", ["-L", "-t"], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.on("error", reject);
    child.on("close", () => {
      const m = /Content analysis details:\s+\((-?[\d.]+) points/.exec(out);
      if (!m) return reject(new Error(`no SpamAssassin report for ${file}:\n${out.slice(-2000)}`));
      const rules = [...out.matchAll(/^\s*(-?\d+\.\d+)\s+([A-Z_0-9]+)\s/gm)]
        .filter((r) => Number(r[1]) !== 0)
        .map((r) => `${r[2]} ${r[1]}`);
      resolve({ points: Number(m[1]), rules });
    });
    readFile(file).then((raw) => child.stdin.end(raw), reject);
  });
}

describe.each([
  ["the example newsletter", exampleMessages],
  ["a fresh init", initMessages],
])("SpamAssassin on %s", (_name, make) => {
  let built: Built;
  beforeAll(async () => {
    built = await make();
  }, 180_000);
  afterAll(() => built?.remove());

  it("scores every message at most 0.5 points", { timeout: 300_000 }, async () => {
    expect(built.messages.length).toBeGreaterThanOrEqual(3);
    const scores: string[] = [];
    for (const m of built.messages) {
      const s = await spamassassin(m.file);
      if (s.points > 0.5) scores.push(`${m.file}: ${s.points} (${s.rules.join(", ")})`);
    }
    expect(scores).toEqual([]);
  });

  it("hides the preheader without a colour and keeps the header's links out of the text part", async () => {
    for (const m of built.messages) {
      // the rules behind the old template's points: a white preheader on a light page, URLs on top of the text
      expect(m.raw).not.toMatch(/display:none[^"]*color:#ffffff/);
      const text = (await simpleParser(m.raw)).text ?? "";
      expect(text.split("\n")[0]).not.toMatch(/https?:/);
      expect(text.trimEnd().split("\n").at(-1)).toMatch(/^Открыть в браузере \(https:\/\/.+\.html\) · Все выпуски \(https:\/\//);
    }
  });
});
