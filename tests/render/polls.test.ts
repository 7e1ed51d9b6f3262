import { describe, expect, it } from "vitest";
import { createPersonaliser } from "../../src/render/personalise.js";
import { PollLinks } from "../../src/render/poll-links.js";
import { compileText, config, FM, MINIMAL_CONFIG, only } from "../helpers/newsletter.js";

const WITH_URL = config(`${MINIMAL_CONFIG}url: https://news.example.org/archive\n`);
const FILE = "issues/2026-06-01-test.md";

const POLL = `Вступление.

\`\`\`poll id=next-topic
Какую тему разобрать в следующем выпуске?
- Просроченная дебиторка
- Переговоры о цене
- Холодные звонки
\`\`\`

После голосования.
`;

describe("a poll block in Markdown", () => {
  it("becomes the question and one button per answer, each linking to the web version's poll", async () => {
    const r = await compileText(FM + POLL, { config: WITH_URL, file: FILE });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const c = r.compiled!;
    expect(c.polls).toEqual([
      {
        id: "next-topic",
        question: "Какую тему разобрать в следующем выпуске?",
        answers: ["Просроченная дебиторка", "Переговоры о цене", "Холодные звонки"],
      },
    ]);
    const hrefs = [...c.html.matchAll(/<a href="([^"]+)" data-poll-answer="next-topic\/(\d)"/g)].map((m) => [m[1], m[2]]);
    expect(hrefs).toEqual([1, 2, 3].map((n) => [`https://news.example.org/archive/2026-06-01-test.html#poll-next-topic-${n}`, String(n)]));
    // a button Outlook draws: the colour on the table cell, not only on the link
    expect(c.html).toMatch(
      /<td bgcolor="#1c3b5a"[^>]*><a href="https:\/\/news\.example\.org\/archive\/2026-06-01-test\.html#poll-next-topic-1"/,
    );
    // typography gives the question its non-breaking spaces, as the rest of the issue
    expect(c.html).toMatch(/Какую(\s|&nbsp;|\u00a0)тему(\s|&nbsp;|\u00a0)разобрать(\s|&nbsp;|\u00a0)в(\s|&nbsp;|\u00a0)следующем/);
    expect(c.html).not.toContain("```");
    expect(c.html).not.toContain("<code");
    // the text part names every answer with its link
    expect(c.text).toMatch(/Переговоры.о.цене\s*\(https:\/\/news\.example\.org\/archive\/2026-06-01-test\.html#poll-next-topic-2/);
  });

  it("keeps `closes` from the block's first line", async () => {
    const r = await compileText(`${FM}\`\`\`poll id=dates closes=2026-12-31\nКогда удобно?\n- Утром\n- Вечером\n\`\`\`\n`, {
      config: WITH_URL,
    });
    expect(r.compiled?.polls?.[0]).toMatchObject({ id: "dates", closes: "2026-12-31" });
    const colon = await compileText(`${FM}\`\`\`poll id=dates closes: 2026-12-31\nКогда удобно?\n- Утром\n\`\`\`\n`, { config: WITH_URL });
    expect(colon.compiled?.polls?.[0]).toMatchObject({ closes: "2026-12-31" });
  });

  it("leaves other fenced blocks as code", async () => {
    const r = await compileText(`${FM}\`\`\`js\nconst poll = 1;\n\`\`\`\n`, { config: WITH_URL });
    expect(r.compiled?.html).toContain("<code");
    expect(r.compiled?.polls).toBeUndefined();
  });

  // FM is four lines; the block starts on body line 1 → file line 5
  const cases: [string, string, string, RegExp][] = [
    ["no id", "```poll\nВопрос?\n- Да\n```\n", "poll/no-id", /id/],
    ["an id that cannot stand in a link", "```poll id=Тема_1\nВопрос?\n- Да\n```\n", "poll/bad-id", /Тема_1/],
    ["no answers", "```poll id=q\nВопрос?\n```\n", "poll/no-answers", /no answers/],
    ["no question", "```poll id=q\n- Да\n- Нет\n```\n", "poll/no-question", /no question/],
    [
      "more than 10 answers",
      `\`\`\`poll id=q\nВопрос?\n${Array.from({ length: 11 }, (_, i) => `- ответ ${i + 1}`).join("\n")}\n\`\`\`\n`,
      "poll/too-many-answers",
      /11/,
    ],
    ["a closing day that is not a date", "```poll id=q closes=2026-13-40\nВопрос?\n- Да\n```\n", "poll/bad-closes", /2026-13-40/],
    ["a stray line", "```poll id=q\nВопрос?\nпросто строка\n- Да\n```\n", "poll/stray-line", /просто строка/],
  ];
  for (const [name, block, rule, words] of cases) {
    it(`${name}: a build error naming the file, the block's line and the fix`, async () => {
      const r = await compileText(FM + block, { config: WITH_URL, file: FILE });
      const d = only(r.diagnostics);
      expect(d).toMatchObject({ ruleId: rule, file: FILE, line: 5 });
      expect(d.message).toMatch(words);
      expect(d.fix).toBeTruthy();
      expect(r.compiled).toBeUndefined();
    });
  }

  it("the same id twice in one issue is an error on the second block", async () => {
    const block = "```poll id=q\nВопрос?\n- Да\n```\n";
    const r = await compileText(`${FM}${block}\n${block}`, { config: WITH_URL, file: FILE });
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "poll/duplicate-id", line: 10 });
  });

  it("a poll without the newsletter's url is an error: the answers would lead nowhere", async () => {
    const r = await compileText(`${FM}\`\`\`poll id=q\nВопрос?\n- Да\n\`\`\`\n`, { file: FILE });
    expect(only(r.diagnostics)).toMatchObject({ ruleId: "poll/no-url", file: FILE, line: 5 });
  });
});

describe("vote links per reader", () => {
  it("each answer becomes the reader's own link in both parts; the issue's static pieces stay shared", async () => {
    const c = (await compileText(FM + POLL, { config: WITH_URL, file: FILE })).compiled!;
    const links = new PollLinks(c.polls!, {
      webUrl: "https://news.example.org/archive/2026-06-01-test.html",
      url: (poll, answer, s) => `https://v.example/${poll}/${answer}/${s.email}`,
    });
    const inner = createPersonaliser(c);
    const a = links.link(inner.render({ email: "a@example.org" }), { email: "a@example.org" });
    const b = links.link(inner.render({ email: "b@example.org" }), { email: "b@example.org" });
    for (const n of [1, 2, 3]) {
      expect(a.html).toContain(`href="https://v.example/next-topic/${n}/a@example.org"`);
      expect(a.text).toContain(`https://v.example/next-topic/${n}/a@example.org`);
      expect(b.html).toContain(`https://v.example/next-topic/${n}/b@example.org`);
    }
    expect(a.html).not.toContain("#poll-next-topic-");
    expect(a.text).not.toContain("#poll-next-topic-");
    expect(a.htmlParts.statics).toBe(b.htmlParts.statics);
  });

  it("answer 1 of a poll with ten or more answers is not taken for the start of answer 10", async () => {
    const answers = Array.from({ length: 10 }, (_, i) => `- ответ ${i + 1}`).join("\n");
    const c = (await compileText(`${FM}\`\`\`poll id=q\nВопрос?\n${answers}\n\`\`\`\n`, { config: WITH_URL, file: FILE })).compiled!;
    const links = new PollLinks(c.polls!, {
      webUrl: "https://news.example.org/archive/2026-06-01-test.html",
      url: (poll, answer) => `https://v.example/${poll}/${answer}/x`,
    });
    const out = links.link(createPersonaliser(c).render({ email: "a@example.org" }), { email: "a@example.org" });
    expect(out.html).toContain('href="https://v.example/q/1/x"');
    expect(out.html).toContain('href="https://v.example/q/10/x"');
    expect(out.html).not.toContain("/q/1/x0");
  });
});
