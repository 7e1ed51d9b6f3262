import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignIssueId, clicksPerSecond, domainsOf, STAT_PAGE, statPages } from "../../src/campaign/stats.js";
import { SendsayClient } from "../../src/sendsay/client.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";

const LOGIN = "prodazhi";
const KEY = "test-key-0123456789";
/** More messages than one page holds, so the domains are read in two pages. */
const DELIVERIES = Array.from({ length: STAT_PAGE + 5 }, (_, i) => ({
  email: `reader${i}@${i % 3 ? "mail.ru" : "yandex.ru"}`,
  status: "1",
}));

let server: FakeSendsay;
let client: SendsayClient;
let issueId: string;

beforeAll(async () => {
  server = await startFakeSendsay({
    login: LOGIN,
    apiKey: KEY,
    deliveries: DELIVERIES,
    clicks: [
      { url: "https://prodazhi.example.ru/a", email: "reader1@mail.ru", at: "2026-11-24T21:30:00Z" },
      { url: "https://prodazhi.example.ru/a", email: "reader1@mail.ru", at: "2026-11-24T21:30:00Z" },
      { url: "https://prodazhi.example.ru/b", email: "reader3@yandex.ru", at: "2026-11-24T22:00:01Z" },
    ],
  });
  client = new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: server.url, timeoutMs: 5000 });
  const sent = await client.request<{ "track.id": string }>(
    {
      action: "issue.send",
      group: "pl42",
      letter: { subject: "x", "from.email": "news@prodazhi.example.ru", message: { html: "<p>x</p>" } },
    },
    { idempotent: false },
  );
  issueId = (await campaignIssueId(client, sent["track.id"]))!;
});
afterAll(async () => {
  await server?.close();
});

describe("a campaign's breakdowns from stat.uni", () => {
  it("pages through a list longer than one answer in a stable order, each message counted once under its domain", async () => {
    const domains = await domainsOf(client, issueId);
    const third = Math.ceil((STAT_PAGE + 5) / 3);
    expect(domains.get("yandex.ru")).toEqual({ sent: third, clicked: 1 });
    expect(domains.get("mail.ru")).toEqual({ sent: STAT_PAGE + 5 - third, clicked: 1 });
    const pages = server.handled("stat.uni").filter((q) => (q.body?.select as string[] | undefined)?.[0] === "deliv.member.email");
    expect(pages.map((q) => [q.body?.skip, q.body?.first])).toEqual([
      [0, STAT_PAGE],
      [STAT_PAGE, STAT_PAGE],
    ]);
  });

  it("reads click times on Sendsay's clock (Moscow) as UTC instants, per second", async () => {
    const seconds = [];
    for await (const page of clicksPerSecond(client, issueId)) seconds.push(...page);
    // 00:30 Moscow on the 25th is 21:30 UTC on the 24th
    expect(seconds).toEqual([
      { ms: Date.parse("2026-11-24T21:30:00Z"), n: 2 },
      { ms: Date.parse("2026-11-24T22:00:01Z"), n: 1 },
    ]);
  });
});

describe("the local Sendsay refuses what stat.uni's documentation would not take", () => {
  const ask = (body: Record<string, unknown>) => client.request({ action: "stat.uni", result: "response", ...body }, { idempotent: true });
  const filter = () => [{ a: "click.issue.id", op: "==", v: issueId }];

  it.each([
    ["fields of two areas in one select", { select: ["click.member.email", "deliv.status"], filter: filter() }],
    ["an hour modifier the docs do not name", { select: ["click.dt:YH", "count(*)"], filter: filter() }],
    ["an undocumented operator", { select: ["click.link.url"], filter: [{ a: "click.issue.id", op: "!=", v: issueId }] }],
    ["an order on a column not selected", { select: ["click.link.url"], filter: filter(), order: ["click.member.email"] }],
    ["a negative skip", { select: ["click.link.url"], filter: filter(), order: ["click.link.url"], skip: -1 }],
    ["no select", { filter: filter() }],
  ])("%s", async (_, body) => {
    await expect(ask(body)).rejects.toThrow(/error\/stat\/request/);
  });

  it("answers without an order in a different order on each call, as the docs warn", async () => {
    const select = ["deliv.member.email"];
    const deliv = [{ a: "deliv.issue.id", op: "==", v: issueId }];
    const first = (await ask({ select, filter: deliv, first: 3 })) as { list: unknown[][] };
    const again = (await ask({ select, filter: deliv, first: 3 })) as { list: unknown[][] };
    expect(first.list).not.toEqual(again.list);
    const ordered: unknown[] = [];
    for await (const page of statPages(client, select, deliv, ["deliv.member.email"])) ordered.push(...page.map((r) => r[0]));
    expect(new Set(ordered).size).toBe(STAT_PAGE + 5);
  });
});
