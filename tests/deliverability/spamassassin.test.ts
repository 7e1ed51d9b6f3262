// SpamAssassin (Debian's package, stock rules, local tests only) on every message the example newsletter's
// and a fresh `init`'s templates make: at most 0.5 points each.
import { spawn } from "node:child_process";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Built, exampleMessages, initMessages } from "./helpers.js";

interface Score {
  points: number;
  rules: string[];
}

/**
 * `spamassassin -L -t` on several messages in one run, so that its rules load once (about 2 s of CPU a
 * process): each message's score and the rules that scored, by Message-ID. With -t it prints each message,
 * then its report; the report's table is the rule lines after its "----" line.
 */
function spamassassin(files: string[]): Promise<Map<string, Score>> {
  return new Promise((resolve, reject) => {
    const child = spawn("spamassassin", ["-L", "-t", ...files], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.on("error", reject);
    child.on("close", () => {
      // [message 1 and its report's start], [its score, its table, message 2 and its report's start], …
      const parts = out.split(/^Content analysis details:[ \t]+/m);
      const scores = new Map<string, Score>();
      for (let k = 1; k < parts.length; k++) {
        const id = /^Message-ID:\s*(\S+)/im.exec(parts[k - 1])?.[1];
        const points = /^\((-?[\d.]+) points/.exec(parts[k])?.[1];
        if (!id || points === undefined)
          return reject(new Error(`a SpamAssassin report without its message or score:\n${parts[k].slice(0, 2000)}`));
        const lines = parts[k].split("\n");
        const table = lines.findIndex((l) => /^\s*-{4} -{10,}/.test(l));
        const summary: string[] = [];
        for (const l of lines.slice(table + 1)) {
          // a rule's line (" 0.1 RULE …", "-0.1 RULE …") or its description's next line; the next message ends it
          if (!/^\s*-?\d+\.\d+\s|^\s{5,}\S/.test(l)) break;
          summary.push(l);
        }
        const rules = [...summary.join("\n").matchAll(/^\s*(-?\d+\.\d+)\s+([A-Z_0-9]+)\s/gm)]
          .filter((r) => Number(r[1]) !== 0)
          .map((r) => `${r[2]} ${r[1]}`);
        scores.set(id, { points: Number(points), rules });
      }
      resolve(scores);
    });
  });
}

const messageId = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? "";

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
    const byId = await spamassassin(built.messages.map((m) => m.file));
    const scores: string[] = [];
    for (const m of built.messages) {
      const s = byId.get(messageId(m.raw));
      if (!s) scores.push(`${m.file}: no SpamAssassin report`);
      else if (s.points > 0.5) scores.push(`${m.file}: ${s.points} (${s.rules.join(", ")})`);
    }
    expect(scores).toEqual([]);
    // one report for each message, none left over
    expect(byId.size).toBe(built.messages.length);
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
