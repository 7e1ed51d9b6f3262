import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertCampaignable,
  type CampaignEvent,
  type CampaignOptions,
  campaignParts,
  campaignRequest,
  runCampaign as run,
} from "../../src/campaign/campaign.js";
import { campaignExitCode, describeCampaign } from "../../src/cli/sendsay.js";
import { RassylkaError } from "../../src/diagnostics.js";
import { SendsayApiError, SendsayClient } from "../../src/sendsay/client.js";
import { openStore } from "../../src/state/store.js";
import { compile, KEY, LOGIN, makeProject, PERSONAL_FILE, PLAIN_FILE } from "../send/transports/sendsay/helpers.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";
import { backends } from "../state/backends.js";

let project: Awaited<ReturnType<typeof makeProject>>;
let server: FakeSendsay | undefined;
let n = 0;
beforeAll(async () => {
  project = await makeProject();
});
afterAll(async () => {
  await project.cleanup();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const stateFile = () => join(project.root, `.rassylka/state-${++n}.sqlite`);
/** A new empty store: a SQLite file here; each backend's own in the suite run against both. */
let fresh = () => openStore({ kind: "sqlite", file: stateFile() }, { durability: "full" });
const client = (s: FakeSendsay) => new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: s.url, backoffMs: 5, timeoutMs: 5000 });

/** The outcome with what the CLI makes of it: its exit code and closing sentence. */
async function runCampaign(options: CampaignOptions) {
  const outcome = await run(options);
  return { ...outcome, exitCode: campaignExitCode(outcome), message: describeCampaign(outcome) };
}

// the campaign records live in the state store, SQLite or PostgreSQL, with the same behaviour
describe.each(backends())("sendsay campaign ($name)", (backend) => {
  const sqliteFresh = fresh;
  beforeAll(async () => {
    await backend.start();
    fresh = async () => openStore(await backend.fresh(), { durability: "full" });
  }, 120_000);
  afterAll(async () => {
    fresh = sqliteFresh;
    await backend.stop();
  });

  it("sends one issue.send to the group and polls the track to -1", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [0, 1, 3, -1] });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const events: CampaignEvent[] = [];
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "pl42",
      pollIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toMatchObject({ trackId: "1000", status: -1, phase: "done", exitCode: 0, submitted: true });

    const sends = server.handled("issue.send");
    expect(sends).toHaveLength(1);
    const parts = campaignParts(compiled, config);
    expect(JSON.parse(sends[0].raw)).toEqual({
      action: "issue.send",
      letter: {
        subject: "Тема кампании",
        "from.name": "Тренинговый центр «Практика продаж»",
        "from.email": "rassylka@prodazhi.example.ru",
        "reply.email": "avtor@prodazhi.example.ru",
        message: { html: parts.html, text: parts.text },
      },
      group: "pl42",
      sendwhen: "now",
    });
    expect(parts.html).toContain("Текст выпуска");
    // email-only parts show (the header tests subscriber.email), and no marker leaks
    expect(parts.html).toContain("Открыть в браузере");
    expect(parts.html).not.toMatch(/marker/);
    // the footer's unsubscribe link is Sendsay's own, in both parts; ours (without a token) is gone
    expect(parts.html).toContain('href="[% param.url_unsub %]"');
    expect(parts.text).toContain("[% param.url_unsub | mark_raw %]");
    expect(parts.html + parts.text).not.toContain("rassylka/unsubscribe");
    expect(sends[0].headers.authorization).toBe(`sendsay apikey=${KEY}`);

    // when the track ends, the figures come back (stat.uni, rows in the order of select)
    expect(outcome.stats).toEqual({ members: 3, delivered: 2, undelivered: 1, opened: 2, clicked: 1, unsubscribed: 1 });
    expect(server.handled("stat.uni").map((r) => r.body)).toEqual([
      {
        action: "stat.uni",
        result: "response",
        select: ["issue.members", "issue.deliv_ok", "issue.deliv_bad", "issue.u_readed", "issue.u_clicked", "issue.unsubed"],
        filter: [{ a: "issue.track.id", op: "==", v: "1000" }],
      },
    ]);

    const polls = server.handled("track.get");
    expect(polls).toHaveLength(4);
    for (const p of polls) expect(JSON.parse(p.raw)).toEqual({ action: "track.get", id: "1000" });
    expect(events.filter((e) => e.type === "status").map((e) => (e as { status: number }).status)).toEqual([0, 1, 3, -1]);

    const rows = await store.campaigns.all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ issue: compiled.slug, groupId: "pl42", login: LOGIN, state: "done", trackId: "1000", trackStatus: -1 });

    // a second run does not send again
    const again = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "pl42",
      pollIntervalMs: 5,
    }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RassylkaError);
    expect((again as Error).message).toMatch(/already sent to Sendsay list "pl42".*--force/s);
    expect(server.handled("issue.send")).toHaveLength(1);
    await store.close();
  });

  it("reports a track ending in -2 with its error and exit code 2", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [0, 2, -2], trackError: "error/issue/moderation_failed" });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "pl42",
      pollIntervalMs: 5,
    });
    expect(outcome).toMatchObject({ status: -2, phase: "error", exitCode: 2, error: "error/issue/moderation_failed" });
    expect(outcome.message).toMatch(/finished with an error \(-2\).*moderation_failed/);
    expect((await store.campaigns.all())[0]).toMatchObject({ state: "failed", trackStatus: -2, error: "error/issue/moderation_failed" });
    await store.close();
  });

  it("stops at a deferred status and follows the same track on the next run", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [0, -5] });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const first = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
    });
    expect(first).toMatchObject({ phase: "waiting", exitCode: 3, status: -5 });
    server.options.trackStatuses = [-1];
    const events: CampaignEvent[] = [];
    const second = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    expect(second).toMatchObject({ phase: "done", exitCode: 0, submitted: false, trackId: "1000" });
    expect(events[0]).toMatchObject({ type: "resuming", trackId: "1000" });
    expect(server.handled("issue.send")).toHaveLength(1);
    await store.close();
  });

  it("retries a 502 on track.get and goes on polling", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [1, -1] });
    server.addFault({ action: "track.get", status: 502 });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
    });
    expect(outcome).toMatchObject({ phase: "done", exitCode: 0 });
    expect(server.requests.filter((r) => r.body?.action === "track.get")).toHaveLength(3);
    await store.close();
  });

  it("records a refused campaign as rejected, so a later run may submit it", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ action: "issue.send", errors: [{ id: "error/group/not_found", explain: "no such group" }] });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const e = (await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "nope",
      pollIntervalMs: 5,
    }).catch((x: unknown) => x)) as SendsayApiError;
    expect(e).toBeInstanceOf(SendsayApiError);
    expect(e.message).toMatch(/error\/group\/not_found/);
    expect(e.message).toMatch(/--group/);
    expect((await store.campaigns.all())[0]).toMatchObject({ state: "rejected", error: "error/group/not_found" });
    const ok = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "nope",
      pollIntervalMs: 5,
    });
    expect(ok.exitCode).toBe(0);
    await store.close();
  });

  it("leaves a campaign whose answer was lost in doubt (502 on issue.send) and needs --force", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [-1] });
    server.addFault({ action: "issue.send", status: 502 });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const e = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RassylkaError);
    expect((e as RassylkaError).diagnostics[0].ruleId).toBe("sendsay/campaign-in-doubt");
    expect((e as Error).message).toMatch(/HTTP 502/);
    expect((e as Error).message).toMatch(/--force/);
    expect((await store.campaigns.all())[0]).toMatchObject({ state: "submitting", trackId: null });
    expect(server.requests.filter((r) => r.body?.action === "issue.send")).toHaveLength(1);
    await store.close();
  });

  it("sends nothing when the editor says no at the prompt", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const asked: unknown[] = [];
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      confirm: async (info) => {
        asked.push(info);
        return false;
      },
    });
    expect(asked).toEqual([{ subject: "Тема кампании", groupId: "g1", login: LOGIN }]);
    expect(outcome).toMatchObject({ phase: "declined", exitCode: 1, submitted: false });
    expect(server.requests).toHaveLength(0);
    expect(await store.campaigns.all()).toHaveLength(0);
    await store.close();
  });

  it("stops following when aborted, and the next run follows the recorded track", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [1] });
    const { compiled, config } = await compile(project.root, PLAIN_FILE);
    const store = await fresh();
    const controller = new AbortController();
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "status") controller.abort();
      },
    });
    expect(outcome).toMatchObject({ phase: "detached", exitCode: 3, trackId: "1000" });
    server.options.trackStatuses = [-1];
    const next = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      pollIntervalMs: 5,
    });
    expect(next).toMatchObject({ phase: "done", submitted: false });
    expect(server.handled("issue.send")).toHaveLength(1);
    await store.close();
  });
});

describe("campaign and subscriber fields", () => {
  it("refuses an issue that reads subscriber fields, naming them and the alternatives", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const { compiled, config } = await compile(project.root, PERSONAL_FILE);
    expect(compiled.subscriberFields).toEqual(expect.arrayContaining(["name", "city", "unsubscribeUrl"]));
    const store = await fresh();
    const e = await runCampaign({ client: client(server), campaigns: store.campaigns, compiled, config, groupId: "g1" }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RassylkaError);
    const message = (e as Error).message;
    expect(message).toContain("subscriber.name has no Sendsay field");
    expect(message).toContain("subscriber.city has no Sendsay field");
    expect(message).not.toContain("subscriber.unsubscribeUrl");
    expect(message).toMatch(/sendsay\.fields/);
    expect(message).toMatch(/--to FILE\.csv/);
    expect(message).toMatch(/remove/);
    expect(server.requests).toHaveLength(0);
    expect(await store.campaigns.all()).toHaveLength(0);
    await store.close();
  });

  it("hands an A/B test of subjects to Sendsay's split test, never to issue.send, and reads its decision back", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    await writeFile(
      join(project.root, "issues/2026-12-04-ab.md"),
      "---\ntitle: Тест тем\ndate: 2026-12-04\nsubject:\n  - Первая тема\n  - Вторая тема\nabTest:\n  sample: 20%\n  wait: 2h\n---\nТекст.\n",
    );
    const { compiled, config } = await compile(project.root, "issues/2026-12-04-ab.md");
    const store = await fresh();
    const outcome = await runCampaign({ client: client(server), campaigns: store.campaigns, compiled, config, groupId: "g1" });
    expect(server.handled("issue.send")).toHaveLength(0);
    const body = server.handled("issue.split.create")[0]?.body;
    expect(body).toMatchObject({
      action: "issue.split.create",
      group: "g1",
      variants: [{ subject: "Первая тема" }, { subject: "Вторая тема" }],
      "split.size": 40,
      "split.time": 120,
      "split.criterion": "clicks",
      sendwhen: "now",
    });
    expect((body?.letter as Record<string, unknown> | undefined)?.["from.email"]).toBeTruthy();
    expect(outcome).toMatchObject({ phase: "split", trackId: "split:70", split: { splitId: "70", winner: null, status: "testing" } });

    // a second run reads the decision back and creates nothing again
    server.options.splitWinner = 2;
    const again = await runCampaign({ client: client(server), campaigns: store.campaigns, compiled, config, groupId: "g1" });
    expect(again).toMatchObject({ phase: "split", submitted: false, split: { winner: 2, subject: "Вторая тема" } });
    expect(server.handled("issue.split.create")).toHaveLength(1);
    expect(server.handled("issue.send")).toHaveLength(0);

    // handing it to Sendsay for later (issue.send) would send the first subject to everybody: refused
    const e = (() => {
      try {
        return campaignRequest(compiled, config, "g1");
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(RassylkaError);
    expect((e as RassylkaError).diagnostics[0]).toMatchObject({ ruleId: "sendsay/ab-test", file: "issues/2026-12-04-ab.md" });
    await store.close();
  });

  it("stops before anything goes out when Sendsay refuses the split test", async () => {
    server = await startFakeSendsay({
      login: LOGIN,
      apiKey: KEY,
      splitRefusal: { id: "error/split/not_allowed", explain: "split tests are not in the plan" },
    });
    await writeFile(
      join(project.root, "issues/2026-12-05-ab.md"),
      "---\ntitle: Тест тем\ndate: 2026-12-05\nsubject:\n  - Первая тема\n  - Вторая тема\n---\nТекст.\n",
    );
    const { compiled, config } = await compile(project.root, "issues/2026-12-05-ab.md");
    const store = await fresh();
    const e = await runCampaign({ client: client(server), campaigns: store.campaigns, compiled, config, groupId: "g1" }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RassylkaError);
    expect((e as RassylkaError).diagnostics[0]).toMatchObject({ ruleId: "sendsay/ab-split-refused", file: "issues/2026-12-05-ab.md" });
    expect((e as Error).message).toContain("error/split/not_allowed");
    expect((e as Error).message).toMatch(/Nothing was sent/);
    expect((e as RassylkaError).diagnostics[0]?.fix).toMatch(/turn on A\/B tests/);
    expect(server.handled("issue.split.create")).toHaveLength(1);
    expect(server.handled("issue.send")).toHaveLength(0);
    expect((await store.campaigns.all()).map((r) => r.state)).toEqual(["rejected"]);
    await store.close();
  });

  it("prints the reader's address as the member's, filled by Sendsay", async () => {
    await writeFile(
      join(project.root, "issues/2026-12-03-email.md"),
      "---\ntitle: Адрес\ndate: 2026-12-03\n---\nПисьмо для {{subscriber.email}}.\n",
    );
    const { compiled, config } = await compile(project.root, "issues/2026-12-03-email.md");
    expect(() => assertCampaignable(compiled, config)).not.toThrow();
    expect(campaignParts(compiled, config).html).toMatch(/Письмо для.\[% anketa\.member\.email %\]\./);
  });

  it("sends the fields-empty version when asked to", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [-1] });
    const { compiled, config } = await compile(project.root, PERSONAL_FILE);
    expect(() => assertCampaignable(compiled, config, { withoutFields: true })).not.toThrow();
    const store = await fresh();
    const outcome = await runCampaign({
      client: client(server),
      campaigns: store.campaigns,
      compiled,
      config,
      groupId: "g1",
      withoutFields: true,
      pollIntervalMs: 5,
    });
    expect(outcome.exitCode).toBe(0);
    const letter = server.handled("issue.send")[0].body?.letter as { message: { html: string } };
    expect(letter.message.html).toContain("Добрый день!");
    expect(letter.message.html).not.toMatch(/RSK[A-Z]+\d+Z|\{\{|rsksendsay/);
    expect(letter.message.html).toContain('href="[% param.url_unsub %]"');
    await store.close();
  });
});
