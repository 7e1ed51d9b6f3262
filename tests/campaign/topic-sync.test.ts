import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { syncStopListsAt } from "../../src/campaign/stored.js";
import { SendsayClient } from "../../src/sendsay/client.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { KEY, LOGIN } from "../send/transports/sendsay/helpers.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";
import { backends } from "../state/backends.js";

const config = {
  topics: [
    { id: "treningi", title: "Тренинги", default: true },
    { id: "vopros-otvet", title: "Вопрос-ответ", default: false },
  ],
  sendsay: { topics: { treningi: "pl7" } },
};

let server: FakeSendsay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const client = (s: FakeSendsay) => new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: s.url, backoffMs: 5, timeoutMs: 5000 });

describe.each(backends())("sendsay sync: topic unsubscribes both ways ($name)", (backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  async function seed(location: StateLocation) {
    const store = await openStore(location);
    try {
      const at = "2026-12-01T10:00:00.000Z";
      const readers = ["stay@example.ru", "Left-Here@example.ru", "left-there@example.ru", "new-here@example.ru"];
      await store.subscribers.upsertMany(
        readers.map((address) => ({ address })),
        { status: "confirmed", source: "cli", at },
      );
      // left the topic on the preference page: their own choice of topics lacks it
      await store.subscribers.setTopics("left-here@example.ru", ["vopros-otvet"], { at, source: "preferences" });
    } finally {
      await store.close();
    }
  }
  const subscriber = async (location: StateLocation, email: string) => {
    const store = await openStore(location);
    try {
      return await store.subscribers.get(email);
    } finally {
      await store.close();
    }
  };

  it("a reader who left the topic here leaves its list; one who left the list there loses the topic here; dry runs change nothing", async () => {
    server = await startFakeSendsay({
      login: LOGIN,
      apiKey: KEY,
      groups: { pl7: ["stay@example.ru", "left-here@example.ru", "left-there@example.ru", "only-in-sendsay@example.ru"] },
    });
    const location = await backend.fresh();
    await seed(location);

    // the first sync: Sendsay's list is recorded, nobody loses a topic here (left or never added: not known yet)
    const dry = await syncStopListsAt(location, client(server), { dryRun: true, config });
    expect(dry).toMatchObject({
      dryRun: true,
      topicsToSendsay: [{ email: "left-here@example.ru", topic: "treningi", group: "pl7" }],
      topicsToLocal: [],
    });
    expect(server.handled("member.set")).toHaveLength(0);
    const first = await syncStopListsAt(location, client(server), { config });
    expect(first).toMatchObject({ dryRun: false, topicsToSendsay: [{ email: "left-here@example.ru" }], topicsToLocal: [] });
    expect(server.handled("member.set").map((r) => r.body)).toEqual([
      { action: "member.set", email: "left-here@example.ru", addr_type: "email", obj: { "-group": { pl7: 0 } } },
    ]);
    expect(server.options.groups?.pl7).toEqual(["stay@example.ru", "left-there@example.ru", "only-in-sendsay@example.ru"]);
    expect(server.handled("member.list")[0].body).toEqual({
      action: "member.list",
      group: "pl7",
      addr_type: "email",
      page: 1,
      pagesize: 1000,
    });

    // in Sendsay the reader leaves the topic's list
    server.options.groups!.pl7 = ["stay@example.ru", "only-in-sendsay@example.ru"];
    const dryAgain = await syncStopListsAt(location, client(server), { dryRun: true, config });
    expect(dryAgain).toMatchObject({
      topicsToSendsay: [],
      topicsToLocal: [{ email: "left-there@example.ru", topic: "treningi", group: "pl7" }],
    });
    expect((await subscriber(location, "left-there@example.ru"))?.topics).toBeNull();

    const second = await syncStopListsAt(location, client(server), { config });
    expect(second).toMatchObject({ topicsToSendsay: [], topicsToLocal: [{ email: "left-there@example.ru" }] });
    const gone = await subscriber(location, "left-there@example.ru");
    expect(gone?.topics).toEqual([]);
    expect(gone?.topicsChanged.source).toBe("sendsay");
    expect(Date.parse(gone?.topicsChanged.at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    // never in the list: keeps the topic (nothing adds readers to Sendsay lists); the others as they were
    expect((await subscriber(location, "new-here@example.ru"))?.topics).toBeNull();
    expect((await subscriber(location, "stay@example.ru"))?.topics).toBeNull();
    expect((await subscriber(location, "left-here@example.ru"))?.topics).toEqual(["vopros-otvet"]);
    expect(server.handled("member.set")).toHaveLength(1);

    // a third run has nothing to move either way
    const third = await syncStopListsAt(location, client(server), { config });
    expect(third).toMatchObject({ topicsToSendsay: [], topicsToLocal: [] });
    expect(server.handled("member.set")).toHaveLength(1);
  });

  it("without sendsay.topics nothing is read or changed beyond the stop lists", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, groups: { pl7: ["stay@example.ru"] } });
    const location = await backend.fresh();
    await seed(location);
    const r = await syncStopListsAt(location, client(server), { config: { topics: config.topics } });
    expect(r).toEqual({ dryRun: false, toLocal: [], toSendsay: [], topicsToSendsay: [], topicsToLocal: [] });
    expect(server.handled("member.list")).toHaveLength(0);
  });
});

describe("the local Sendsay API refuses malformed list requests", () => {
  it.each([
    [{ action: "member.list" }, "error/member/list"],
    [{ action: "member.list", group: "pl404" }, "error/group/not_found"],
    [{ action: "member.list", group: "pl7", page: 0 }, "error/member/list"],
    [{ action: "member.set", email: "nobody", obj: { "-group": { pl7: 0 } } }, "error/member/set"],
    [{ action: "member.set", email: "a@example.ru", obj: {} }, "error/member/set"],
    [{ action: "member.set", email: "a@example.ru", obj: { "-group": { pl7: 2 } } }, "error/member/set"],
    [{ action: "member.set", email: "a@example.ru", obj: { "-group": { pl404: 0 } } }, "error/member/set"],
  ])("%j → %s", async (body, id) => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, groups: { pl7: ["a@example.ru"] } });
    const error = await client(server)
      .request(body, { idempotent: true })
      .catch((e: unknown) => e);
    expect((error as { errorId?: string }).errorId).toBe(id);
    expect(server.options.groups?.pl7).toEqual(["a@example.ru"]);
  });
});
