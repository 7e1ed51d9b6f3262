// `rassylka schedule push|list` and lint's sendAt rule, in this process (the worker tests run them as processes).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/state/store.js";
import { run } from "../helpers/cli.js";
import { CONFIG, HELLO, ISSUE, makeProject } from "../send/helpers.js";
import { isSendsayTime, LATER_STATUS, startFakeSendsay } from "../sendsay/fake-server.js";
import { backends } from "../state/backends.js";
import { addSubscribers, inSeconds, SLUG, stateArgs, writeIssue } from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}timezone: Europe/Moscow\n`));
});
afterEach(() => cleanup());

interface Pushed {
  timezone: string;
  issues: { slug: string; sendAt: string; previousSendAt?: string; state: string; action: string; audience: unknown }[];
  diagnostics: { ruleId: string; file?: string; message: string; fix?: string }[];
  exitCode: number;
}
const EN = { RASSYLKA_LANG: "en" };

describe.each(backends())("schedule push and list ($name)", (backend) => {
  beforeAll(() => backend.start(), 60_000);
  afterAll(() => backend.stop());

  let state: string[];
  const push = async () => {
    const r = await run(["schedule", "push", "--root", root, ...state, "--json"], EN);
    return { code: r.code, ...(JSON.parse(r.out) as Pushed) };
  };
  const list = async () =>
    JSON.parse((await run(["schedule", "list", "--root", root, ...state, "--json"], EN)).out) as Record<string, unknown>[];
  beforeEach(async () => {
    state = stateArgs(await backend.fresh());
  });

  it("records, leaves alone, moves, cancels (sendAt removed, made a draft, file deleted) and records again", async () => {
    const at = "2030-03-02 10:00"; // Moscow: 07:00 UTC
    await writeIssue(root, at);
    let r = await push();
    expect(r.code).toBe(0);
    expect(r.timezone).toBe("Europe/Moscow");
    expect(r.issues).toEqual([
      { slug: SLUG, file: ISSUE, sendAt: "2030-03-02T07:00:00.000Z", state: "scheduled", action: "added", audience: "subscribers" },
    ]);
    expect((await push()).issues[0].action).toBe("unchanged");

    await writeIssue(root, "2030-03-02T12:30:00+05:00");
    r = await push();
    expect(r.issues[0]).toMatchObject({
      action: "updated",
      sendAt: "2030-03-02T07:30:00.000Z",
      previousSendAt: "2030-03-02T07:00:00.000Z",
    });

    await writeIssue(root, "2030-03-02T12:30:00+05:00", "", "Новый текст.");
    expect((await push()).issues[0]).toMatchObject({ action: "updated", sendAt: "2030-03-02T07:30:00.000Z" });
    expect((await push()).issues[0].action).toBe("unchanged");

    await writeIssue(root, undefined);
    expect((await push()).issues).toEqual([
      { slug: SLUG, sendAt: "2030-03-02T07:30:00.000Z", state: "cancelled", action: "cancelled", audience: "subscribers" },
    ]);
    expect((await push()).issues).toEqual([]);

    await writeIssue(root, at);
    expect((await push()).issues[0]).toMatchObject({ action: "updated", state: "scheduled" });
    await writeIssue(root, at, "draft: true\n");
    expect((await push()).issues[0]).toMatchObject({ action: "cancelled", state: "cancelled" });

    await writeIssue(root, at);
    await push();
    await rm(join(root, ISSUE));
    expect((await push()).issues[0]).toMatchObject({ slug: SLUG, action: "cancelled" });
    expect(await list()).toEqual([
      {
        slug: SLUG,
        subject: "Тема письма",
        sendAt: "2030-03-02T07:00:00.000Z",
        state: "cancelled",
        audience: "subscribers",
        readers: 0,
        note: null,
      },
    ]);
  });

  it("an issue past its late limit when pushed is recorded missed, and the push succeeds; a new time schedules it again", async () => {
    await writeIssue(root, "2020-01-01T10:00:00+03:00");
    const r = await push();
    expect(r.code).toBe(0);
    expect(r.issues[0]).toMatchObject({ action: "missed", state: "missed", sendAt: "2020-01-01T07:00:00.000Z" });
    const later = inSeconds(3600);
    await writeIssue(root, later);
    expect((await push()).issues[0]).toMatchObject({ action: "updated", state: "scheduled", previousSendAt: "2020-01-01T07:00:00.000Z" });
  });

  it("list gives the audience's size now: confirmed subscribers that are not suppressed", async () => {
    const location = await backend.fresh();
    state = stateArgs(location);
    const readers = await addSubscribers(location, 4);
    const store = await openStore(location);
    await store.suppressions.add(readers[0], "unsubscribed");
    await store.close();
    await writeIssue(root, "2030-03-02T10:00:00+03:00");
    await push();
    expect(await list()).toMatchObject([{ slug: SLUG, state: "scheduled", audience: "subscribers", readers: 3 }]);
  });

  it("list counts an issue's audience as its send would: its topic and its audience file, not the whole list", async () => {
    const location = await backend.fresh();
    state = stateArgs(location);
    const config = join(root, "newsletter.yaml");
    await writeFile(
      config,
      `${await readFile(config, "utf8")}topics:\n  - id: treningi\n    title: Тренинги\n  - id: tehnika\n    title: Техника\n    default: false\n`,
    );
    const store = await openStore(location);
    const at = new Date().toISOString();
    await store.subscribers.upsertMany(
      [
        { address: "anna@example.ru", fields: { city: "Москва" }, topics: ["treningi"] },
        { address: "boris@example.ru", fields: { city: "Казань" }, topics: ["tehnika"] },
        // never chose: gets the default topic treningi
        { address: "vera@example.ru", fields: { city: "Москва" } },
        { address: "gleb@example.ru", fields: { city: "Москва" }, topics: [] },
      ],
      { status: "confirmed", source: "test", at },
    );
    await store.close();
    await writeIssue(root, "2030-03-02T10:00:00+03:00", "topic: treningi\n");
    await push();
    expect(await list()).toMatchObject([{ slug: SLUG, readers: 2 }]);

    await mkdir(join(root, "audiences"), { recursive: true });
    await writeFile(join(root, "audiences", "moskva.yaml"), "where:\n  city: Москва\n");
    await writeIssue(root, "2030-03-02T10:00:00+03:00", "audience: moskva\n");
    await push();
    expect(await list()).toMatchObject([{ slug: SLUG, audience: "moskva", readers: 3 }]);

    await writeIssue(root, "2030-03-02T10:00:00+03:00", "topic: tehnika\naudience: moskva\n");
    await push();
    expect(await list()).toMatchObject([{ slug: SLUG, readers: 0 }]);
    await writeIssue(root, "2030-03-02T10:00:00+03:00", "topic: treningi\naudience: moskva\n");
    await push();
    expect(await list()).toMatchObject([{ slug: SLUG, readers: 2 }]);

    // the audience file gone from the repository the list runs in: not counted, rather than counted wrong
    await rm(join(root, "audiences", "moskva.yaml"));
    expect(await list()).toMatchObject([{ slug: SLUG, readers: null }]);
  });

  it("an issue that does not compile is reported (exit 1), its record left as it was; the others are recorded", async () => {
    await writeIssue(root, "2030-03-02T10:00:00+03:00");
    await push();
    await writeFile(join(root, ISSUE), `---\ntitle: [broken\nsendAt: "2030-03-09T10:00:00+03:00"\n---\nТекст\n`);
    await writeFile(
      join(root, "issues/2026-12-05-other.md"),
      HELLO.replace("2026-12-01", "2026-12-05").replace(
        "preheader: Коротко.\n",
        'preheader: Коротко.\nsendAt: "2030-03-05T10:00:00+03:00"\n',
      ),
    );
    const r = await push();
    expect(r.code).toBe(1);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.map((d) => d.file)).toEqual([ISSUE]);
    expect(r.issues).toMatchObject([{ slug: "2026-12-05-other", action: "added" }]);
    expect((await list()).map((i) => [i.slug, i.state])).toEqual([
      [SLUG, "scheduled"],
      ["2026-12-05-other", "scheduled"],
    ]);
  });

  it("an audience with no audience file is an error naming the field and the fix", async () => {
    await writeIssue(root, "2030-03-02T10:00:00+03:00", "audience: vip\n");
    const r = await push();
    expect(r.code).toBe(1);
    expect(r.diagnostics).toMatchObject([{ ruleId: "schedule/unknown-audience", file: ISSUE, field: "audience" }]);
    // audience files (docs/audiences.md): the fix names the file to write
    expect(r.diagnostics[0].fix).toContain("audiences/vip.yaml");
  });

  it("a Sendsay list: the push hands Sendsay the campaign for later, moves it with issue.later.set, cancels it with issue.later.delete; list asks Sendsay what became of it", async () => {
    const sendsay = await startFakeSendsay({ login: "acc", apiKey: "key-123" });
    const env = { ...EN, SENDSAY_APIKEY: "key-123", SENDSAY_LOGIN: "acc", SENDSAY_API_URL: sendsay.url };
    const pushWith = async () => JSON.parse((await run(["schedule", "push", "--root", root, ...state, "--json"], env)).out) as Pushed;
    const issue = (at: string) =>
      `---\ntitle: Привет\ndate: 2026-12-01\nsendAt: "${at}"\naudience:\n  sendsay: "7"\n---\nТекст выпуска для списка.\n`;
    try {
      await writeFile(join(root, ISSUE), issue("2030-03-02T10:00:00+03:00"));
      const r = await pushWith();
      expect(r.issues).toMatchObject([{ slug: SLUG, action: "added", state: "scheduled", audience: { sendsay: "7" } }]);
      const [sent] = sendsay.handled("issue.send");
      expect(sent.body).toMatchObject({ group: "7", sendwhen: "later", "later.time": "2030-03-02 10:00:00" });
      const [id] = [...sendsay.later.keys()];
      const listWith = async (e: NodeJS.ProcessEnv = env) =>
        JSON.parse((await run(["schedule", "list", "--root", root, ...state, "--json"], e)).out) as Record<string, unknown>[];
      // Sendsay is asked what became of the campaign: it holds it for later
      expect(await listWith()).toMatchObject([
        {
          slug: SLUG,
          state: "scheduled",
          audience: { sendsay: "7" },
          readers: null,
          sendsayIssueId: id,
          sendsay: { state: "waiting", status: LATER_STATUS },
        },
      ]);
      expect(sendsay.handled("track.get").map((x) => x.body)).toEqual([{ action: "track.get", id }]);
      const text = await run(["schedule", "list", "--root", root, ...state], env);
      expect(text.code).toBe(0);
      expect(text.out).toContain(`at Sendsay: deferred or under moderation (${LATER_STATUS})`);
      // without the key the list still answers, saying Sendsay could not be asked
      const blind = await run(["schedule", "list", "--root", root, ...state, "--json"], { ...EN, SENDSAY_API_URL: sendsay.url });
      expect(blind.code).toBe(0);
      expect(JSON.parse(blind.out)).toMatchObject([{ slug: SLUG, sendsay: { state: "unknown", status: null } }]);
      expect(JSON.parse(blind.out)[0].sendsay.text).toContain("SENDSAY_APIKEY");
      // text is English whatever the editor's language; note is theirs
      const blindRu = JSON.parse(
        (await run(["schedule", "list", "--root", root, ...state, "--json"], { ...EN, RASSYLKA_LANG: "ru", SENDSAY_API_URL: sendsay.url }))
          .out,
      );
      expect(blindRu[0].sendsay.text).toBe(JSON.parse(blind.out)[0].sendsay.text);
      expect(blindRu[0].sendsay.note).toMatch(/[а-яё]/i);
      expect(JSON.parse(blind.out)[0].sendsay.note).toBe(JSON.parse(blind.out)[0].sendsay.text);

      await writeFile(join(root, ISSUE), issue("2030-03-02T11:15:00+03:00"));
      expect((await pushWith()).issues[0]).toMatchObject({ action: "updated" });
      expect(sendsay.handled("issue.later.set").map((x) => x.body)).toEqual([
        { action: "issue.later.set", id, "later.time": "2030-03-02 11:15:00" },
      ]);
      expect(sendsay.handled("issue.send")).toHaveLength(1);
      expect(sendsay.later.get(id)?.time).toBe("2030-03-02 11:15:00");

      await writeFile(join(root, ISSUE), issue("2030-03-02T11:15:00+03:00").replace(/sendAt: .*\n/, ""));
      expect((await pushWith()).issues[0]).toMatchObject({ action: "cancelled" });
      expect(sendsay.handled("issue.later.delete").map((x) => x.body)).toEqual([{ action: "issue.later.delete", id }]);
      expect(sendsay.later.size).toBe(0);
      // a cancelled issue is ours to tell: Sendsay is not asked about it
      const asked = sendsay.handled("track.get").length;
      expect(await listWith()).toMatchObject([{ slug: SLUG, state: "cancelled" }]);
      expect(sendsay.handled("track.get")).toHaveLength(asked);

      // pushed again, and its time comes at Sendsay: the list shows Sendsay sent it
      await writeFile(join(root, ISSUE), issue("2030-03-03T09:30:00+03:00"));
      expect((await pushWith()).issues[0]).toMatchObject({ action: "updated", state: "scheduled" });
      const [again] = [...sendsay.later.keys()];
      expect(sendsay.later.get(again)?.time).toBe("2030-03-03 09:30:00");
      // status: before the time Sendsay has no figures for it, after it status shows Sendsay's
      const status = async () => {
        const r = await run(["status", SLUG, "--root", root, ...state, "--json"], env);
        expect(r.code).toBe(0);
        return JSON.parse(r.out).campaign;
      };
      expect(await status()).toMatchObject({
        groupId: "7",
        trackId: again,
        state: "scheduled",
        sendAt: "2030-03-03T06:30:00.000Z",
        stats: null,
        asked: true,
      });
      const waiting = await run(["status", SLUG, "--root", root, ...state], env);
      expect(waiting.out).toContain(`track ${again}, Sendsay sends it`);
      sendsay.release(again);
      sendsay.options.trackStatuses = [-1];
      expect(await listWith()).toMatchObject([{ slug: SLUG, sendsayIssueId: again, sendsay: { state: "done", status: -1 } }]);
      expect((await status()).stats).toEqual({ members: 3, delivered: 2, undelivered: 1, opened: 2, clicked: 1, unsubscribed: 1 });
    } finally {
      await sendsay.close();
    }
  });
});

describe("the local Sendsay's later.time check", () => {
  it("takes Sendsay's date-time only: YYYY-MM-DD hh:mm:ss, a real date and time", () => {
    expect(isSendsayTime("2030-03-02 10:00:00")).toBe(true);
    for (const bad of [
      "2030-03-02 10:00",
      "2030-03-02T10:00:00",
      "2030-03-02 10:00:00+03:00",
      "2030-02-30 10:00:00",
      "2030-03-02 24:00:00",
      "",
    ])
      expect(isSendsayTime(bad), bad).toBe(false);
  });

  it("refuses issue.send for later with a time in another form", async () => {
    const sendsay = await startFakeSendsay({ login: "acc", apiKey: "key-123" });
    try {
      const answer = await fetch(`${sendsay.url}/general/api/v100/json/acc`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "sendsay apikey=key-123" },
        body: JSON.stringify({
          action: "issue.send",
          group: "7",
          sendwhen: "later",
          "later.time": "2030-03-02T10:00:00+03:00",
          letter: { subject: "Тема", "from.email": "news@example.ru", message: { html: "<p>x</p>" } },
        }),
      });
      expect(await answer.json()).toMatchObject({ errors: [{ id: "error/later/time" }] });
      expect(sendsay.later.size).toBe(0);
    } finally {
      await sendsay.close();
    }
  });
});

describe("lint/send-at", () => {
  const lint = async () => {
    const r = await run(["lint", ISSUE, "--root", root, "--format", "json"], EN);
    const out = JSON.parse(r.out) as { results: { diagnostics: { ruleId: string; message: string; fix?: string; line?: number }[] }[] };
    return out.results.flatMap((x) => x.diagnostics).filter((d) => d.ruleId === "lint/send-at");
  };

  it("a sendAt in the past for an issue not sent is an error with its line and fix; once the send began it is not", async () => {
    await writeIssue(root, "2020-01-01T10:00:00+03:00");
    const found = await lint();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: 6 });
    expect(found[0].message).toContain("past");
    expect(found[0].fix).toBeTruthy();
    // the state says the send began (a run of the ledger): no finding
    const store = await openStore({ kind: "sqlite", file: join(root, ".rassylka/state.sqlite") });
    await store.ledger.beginRun(SLUG, "hash", "Тема письма");
    await store.close();
    expect(await lint()).toHaveLength(0);
  });

  it("a sendAt without an offset is an error when newsletter.yaml sets no timezone, and fine when it does", async () => {
    await writeIssue(root, "2030-03-02 10:00");
    expect(await lint()).toHaveLength(0);
    await writeFile(join(root, "newsletter.yaml"), CONFIG);
    const found = await lint();
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain("no offset");
    expect(found[0].fix).toContain("timezone: Europe/Moscow");
    await writeIssue(root, "2030-03-02T10:00+03:00");
    expect(await lint()).toHaveLength(0);
  });
});

describe("newsletter.yaml timezone and scheduleLateLimit", () => {
  it.each([
    ["timezone: Europe/Mosсow\n", "timezone"],
    ["scheduleLateLimit: soon\n", "scheduleLateLimit"],
  ])("%s is refused with the field and a fix", async (line, field) => {
    await writeFile(join(root, "newsletter.yaml"), `${CONFIG}${line}`);
    const r = await run(["schedule", "push", "--root", root, "--state", join(root, "s.sqlite")], EN);
    expect(r.code).toBe(1);
    expect(r.err).toContain(field);
    expect(r.err).toMatch(/fix/i);
  });
});
