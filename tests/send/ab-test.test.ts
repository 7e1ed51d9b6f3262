import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abBucket, abGroup } from "../../src/identity/ab-bucket.js";
import { verifyClickToken } from "../../src/identity/click-token.js";
import { parseIssue } from "../../src/issue/load.js";
import { writeReport } from "../../src/report/report.js";
import { chiSquareTest, verdict } from "../../src/send/ab-stats.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue } from "../../src/send/send-issue.js";
import { SmtpTransport } from "../../src/send/transports/smtp.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { abLines } from "../../src/status/ab.js";
import { spawnServe } from "../helpers/serve.js";
import { backends } from "../state/backends.js";
import { CONFIG, ISSUE, makeProject, parse, SECRET, type Sink, startCli, startSmtp } from "./helpers.js";

/**
 * A/B tests of subjects end to end (docs/ab-testing.md): the sample sent to a real SMTP server and read
 * back, readers' clicks through `rassylka serve` (the built CLI) favouring one subject, the decision, the
 * winner to the rest — every reader exactly once — on both state backends; a tie, a too-small sample and
 * an editor's pick.
 */
const LIST_ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const BASE = "https://prodazhi.example.ru/rassylka";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SUBJECTS = ["Дебиторка: как вернуть долг", "Пять писем, после которых платят"];
const AB_ISSUE = "issues/2026-12-08-ab.md";
const SLUG = "2026-12-08-ab";
const issueText = (sample: string) => `---
title: Дебиторка
date: 2026-12-08
subject:
  - "${SUBJECTS[0]}"
  - "${SUBJECTS[1]}"
abTest:
  sample: ${sample}
  wait: 30m
---
Здравствуйте! Читайте [статью](https://prodazhi.example.ru/stati/debitorka).
`;
const readers = (n: number, prefix = "reader") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, "0")}@example.ru`);
const where = (l: StateLocation) => (l.kind === "sqlite" ? l.file : l.url);
const variantOf = (email: string, sample: number) => abGroup(abBucket(SECRET, LIST_ID, SLUG, email), 2, sample);
const articleLink = (html: string) =>
  [...html.matchAll(/<a\s[^>]*?href="([^"]*)"/g)]
    .map((m) => m[1])
    .find((h) => h.startsWith(`${BASE}/c/`) && (verifyClickToken(h.slice(`${BASE}/c/`.length), LIST_ID, SECRET)?.link ?? 0) > 0) ?? "";

describe("A/B buckets, the test and the front-matter", () => {
  it("a reader's bucket is the same on every call and for any spelling of the address; another issue shuffles anew", () => {
    const a = abBucket(SECRET, LIST_ID, SLUG, "Anna@Example.ru");
    expect(abBucket(SECRET, LIST_ID, SLUG, "anna@example.ru")).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
    const groups = readers(2000).map((r) => abGroup(abBucket(SECRET, LIST_ID, SLUG, r), 2, 0.1));
    const count = (g: number | "held") => groups.filter((x) => x === g).length;
    // 10 % per variant, give or take: the HMAC spreads readers evenly
    expect(count(0)).toBeGreaterThan(150);
    expect(count(0)).toBeLessThan(250);
    expect(count(1)).toBeGreaterThan(150);
    expect(count(1)).toBeLessThan(250);
    const other = readers(2000).map((r) => abGroup(abBucket(SECRET, LIST_ID, "2026-12-15-next", r), 2, 0.1));
    expect(other).not.toEqual(groups);
  });

  it("chi-square: equal rates are no difference, 30 % against 10 % of 100 each is; fewer than 50 deliveries is too small", () => {
    expect(
      chiSquareTest([
        { unique: 10, delivered: 100 },
        { unique: 10, delivered: 100 },
      ]).pValue,
    ).toBeCloseTo(1, 6);
    const strong = chiSquareTest([
      { unique: 10, delivered: 100 },
      { unique: 30, delivered: 100 },
    ]);
    // (2×2 table: χ² = 12.5, p ≈ 0.000407)
    expect(strong.chiSquare).toBeCloseTo(12.5, 6);
    expect(strong.pValue).toBeCloseTo(0.000407, 5);
    expect(
      verdict([
        { unique: 10, delivered: 100 },
        { unique: 30, delivered: 100 },
      ]),
    ).toMatchObject({ winner: 1, reason: "significant" });
    expect(
      verdict([
        { unique: 12, delivered: 100 },
        { unique: 10, delivered: 100 },
      ]),
    ).toMatchObject({ winner: 0, reason: "no-difference" });
    expect(
      verdict([
        { unique: 1, delivered: 49 },
        { unique: 30, delivered: 100 },
      ]),
    ).toMatchObject({ winner: 0, reason: "too-small" });
    // three variants: 2 degrees of freedom
    expect(
      chiSquareTest([
        { unique: 10, delivered: 100 },
        { unique: 10, delivered: 100 },
        { unique: 30, delivered: 100 },
      ]).pValue,
    ).toBeLessThan(0.05);
  });

  it("front-matter: a list of subjects with abTest's defaults; bad values name the field and the fix", () => {
    const ok = parseIssue(issueText("20%"), AB_ISSUE, {});
    expect(ok.issue).toMatchObject({
      subject: SUBJECTS[0],
      subjects: SUBJECTS,
      abTest: { sample: 0.2, waitMinutes: 30, metric: "clicks" },
    });
    const defaults = parseIssue(issueText("20%").replace(/abTest:\n.*\n.*\n/, ""), AB_ISSUE, {});
    expect(defaults.issue?.abTest).toEqual({ sample: 0.1, waitMinutes: 240, metric: "clicks" });
    const wait = parseIssue(issueText("20%").replace("wait: 30m", "wait: 49h"), AB_ISSUE, {});
    expect(wait.diagnostics[0]).toMatchObject({ field: "abTest.wait", line: 9 });
    expect(wait.diagnostics[0].fix).toMatch(/4h/);
    const sample = parseIssue(issueText("60%"), AB_ISSUE, {});
    expect(sample.diagnostics[0]).toMatchObject({ field: "abTest.sample" });
    const one = parseIssue(issueText("20%").replace(/subject:\n.*\n.*\n/, "subject: Одна тема\n"), AB_ISSUE, {});
    expect(one.diagnostics[0]).toMatchObject({ field: "abTest", line: 5 });
  });
});

describe("rassylka send --ab-decide / --ab-winner (the built CLI)", () => {
  it("an issue with one subject has no test to decide; --ab-winner takes a subject number; nothing is sent", async () => {
    const { root, cleanup } = await makeProject(`${CONFIG}tracking:\n  clicks: true\n`);
    const sink = await startSmtp();
    try {
      const args = ["send", ISSUE, "--to", "anna@example.ru", "--transport", "smtp", "--smtp-url", sink.url, "--yes"];
      const decide = await startCli(root, [...args, "--ab-decide"], { RASSYLKA_LANG: "en" }).done;
      expect(decide.code).toBe(1);
      expect(decide.stderr).toMatch(/--ab-decide: this issue has one subject, so there is no A\/B test to decide/);
      const zero = await startCli(root, [...args, "--ab-winner", "0"], { RASSYLKA_LANG: "en" }).done;
      expect(zero.code).not.toBe(0);
      expect(zero.stderr).toMatch(/--ab-winner/);
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.close();
      await cleanup();
    }
  }, 60_000);
});

describe.each(backends())("A/B test of subjects on $name", (backend) => {
  let root: string;
  let cleanup: () => Promise<void>;
  let sink: Sink;

  beforeAll(async () => {
    await backend.start();
    ({ root, cleanup } = await makeProject(`${CONFIG}tracking:\n  clicks: true\n`));
    sink = await startSmtp();
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await cleanup?.();
    await backend.stop();
  });

  const send = (location: StateLocation, list: string[], abRequest?: { decide?: "now" | "due"; winner?: number }) =>
    sendIssue({
      root,
      issue: AB_ISSUE,
      stateFile: where(location),
      audience: addressList(list.join(",")),
      // the pool on the test's thread (the SMTP thread's ~0.8 s start under tsx, for every send, is tested
      // in transports/smtp-pool.test.ts); this file tests what the A/B test sends
      transport: new SmtpTransport({ url: sink.url, maxConnections: 2, thread: false }),
      concurrency: 4,
      env: { RASSYLKA_SECRET: SECRET },
      abRequest,
    });

  /**
   * Each message received since the last call: reader → subject (mailparser on the header block alone, a
   * third of a whole message's parse, for the 760 messages a backend gets) and the raw message.
   */
  async function received(): Promise<Map<string, { subject: string; raw: Buffer }[]>> {
    const out = new Map<string, { subject: string; raw: Buffer }[]>();
    for (const m of sink.received.splice(0)) {
      const subject = String((await parse(m.raw.subarray(0, m.raw.indexOf("\r\n\r\n") + 4))).subject);
      const to = m.to[0];
      out.set(to, [...(out.get(to) ?? []), { subject, raw: m.raw }]);
    }
    return out;
  }

  it("the sample goes out with its subjects, readers click one more through serve, --ab-decide picks it, the rest get it: every reader once", async () => {
    await writeFile(join(root, AB_ISSUE), issueText("25%"));
    const location = await backend.fresh();
    const list = readers(400);
    const first = await send(location, list);
    const inSample = list.filter((r) => variantOf(r, 0.25) !== "held");
    expect(first).toMatchObject({ sent: inSample.length, failed: 0, pending: 0 });
    expect(first.ab?.rest.held).toBe(400 - inSample.length);
    expect(first.ab?.decision).toBeUndefined();
    expect(first.ab?.decideAt).toBeDefined();
    const sample = await received();
    expect([...sample.keys()].sort()).toEqual([...inSample].sort());
    for (const [to, [m]] of sample) expect(m.subject).toBe(SUBJECTS[variantOf(to, 0.25) as number]);

    // a run again before the decision sends nobody: the rest stay held
    const again = await send(location, list);
    expect(again).toMatchObject({ sent: 0, alreadySent: inSample.length });
    expect(sink.received).toHaveLength(0);

    // 40 % of the second subject's readers click, 10 % of the first's, as people (a browser, one link)
    const served = await spawnServe(root, ["--state", where(location)], { RASSYLKA_SECRET: SECRET, RASSYLKA_DATABASE_URL: "" });
    try {
      let i = 0;
      for (const [to, [m]] of sample) {
        const v = variantOf(to, 0.25);
        const share = v === 1 ? 0.4 : 0.1;
        if (i++ % 10 >= share * 10) continue;
        const url = new URL(articleLink(String((await parse(m.raw)).html)).slice(BASE.length + 1), served.base).toString();
        const res = await fetch(url, { redirect: "manual", headers: { "user-agent": CHROME } });
        expect(res.status).toBe(302);
        await res.text();
      }
    } finally {
      await served.stop();
    }

    const decided = await send(location, list, { decide: "now" });
    expect(decided.ab?.decision).toMatchObject({ winner: 1, by: "hand", reason: "significant" });
    expect(decided.ab?.decision?.figures.pValue).toBeLessThan(0.05);
    const [a, b] = decided.ab?.variants ?? [];
    expect(b.unique).toBeGreaterThan(a.unique);
    expect(a.delivered + b.delivered).toBe(inSample.length);
    expect(decided).toMatchObject({ sent: 400 - inSample.length, failed: 0, pending: 0 });
    const rest = await received();
    expect(rest.size).toBe(400 - inSample.length);
    for (const [to, messages] of rest) {
      expect(sample.has(to)).toBe(false);
      expect(messages.map((m) => m.subject)).toEqual([SUBJECTS[1]]);
    }
    expect(new Set([...sample.keys(), ...rest.keys()]).size).toBe(400);

    const lines = abLines(decided.ab!, SLUG).join("\n");
    expect(lines).toContain(SUBJECTS[1]);
    expect(lines).toMatch(/p = /);
    const store = await openStore(location);
    try {
      expect((await store.ab.summary(SLUG))?.rest).toEqual({ held: 0, waiting: 0, delivered: 400 - inSample.length });
    } finally {
      await store.close();
    }
    // decided once: asking again is refused, a plain run sends nobody
    await expect(send(location, list, { winner: 1 })).rejects.toThrow(/decided already|уже решён/);
    expect(await send(location, list)).toMatchObject({ sent: 0, alreadySent: 400 });
  }, 240_000);

  it("no clicks at all is a tie: the first subject goes to the rest; a too-small sample does the same and says why; an editor's pick wins", async () => {
    await writeFile(join(root, AB_ISSUE), issueText("25%"));
    const tie = await backend.fresh();
    const list = readers(240, "tie");
    await send(tie, list);
    await received();
    const decided = await send(tie, list, { decide: "now" });
    expect(decided.ab?.decision).toMatchObject({ winner: 0, reason: "no-difference" });
    const rest = await received();
    for (const [, messages] of rest) expect(messages.map((m) => m.subject)).toEqual([SUBJECTS[0]]);
    // `rassylka report`: the figures and the page show each subject and the decision
    const report = await writeReport({ root, location: tie, ref: SLUG, now: new Date("2026-12-09T10:00:00Z") });
    if (report.kind !== "issue") throw new Error("an issue's report expected");
    expect(report.report.figures.ab?.variants.map((v) => v.subject)).toEqual(SUBJECTS);
    const page = await readFile(report.file, "utf8");
    expect(page).toContain('id="ab-test"');
    expect(page).toContain(SUBJECTS[1]);

    const small = await backend.fresh();
    const few = readers(60, "few");
    await send(small, few);
    await received();
    const tooSmall = await send(small, few, { decide: "now" });
    expect(tooSmall.ab?.decision).toMatchObject({ winner: 0, reason: "too-small" });
    expect(abLines(tooSmall.ab!, SLUG).join("\n")).toMatch(/50/);
    await received();

    const picked = await backend.fresh();
    await send(picked, few);
    const sample = await received();
    const chosen = await send(picked, few, { winner: 2 });
    expect(chosen.ab?.decision).toMatchObject({ winner: 1, by: "winner", reason: "chosen" });
    const rest2 = await received();
    expect(rest2.size + sample.size).toBe(60);
    for (const [, messages] of rest2) expect(messages.map((m) => m.subject)).toEqual([SUBJECTS[1]]);
  }, 240_000);
});
