import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CampaignEvent } from "../../src/campaign/campaign.js";
import { type CampaignSubmission, submitCampaign } from "../../src/campaign/submit.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { KEY, LOGIN, makeProject } from "../send/transports/sendsay/helpers.js";
import { type FakeSendsay, startFakeSendsay } from "../sendsay/fake-server.js";
import { backends } from "../state/backends.js";

// topics mapped to Sendsay lists (docs/audiences.md, "Sendsay: a topic's list"): vopros-otvet has no list
const TOPICS = `topics:
  - id: treningi
    title: Тренинги
  - id: vopros-otvet
    title: Вопрос-ответ
sendsay:
  topics:
    treningi: pl7
`;
const issue = (topic: string, extra = "") => `---
title: Выпуск о теме
date: 2026-12-08
subject: Тема «${topic}»
topic: ${topic}
${extra}---
Текст выпуска.
`;
const TRENINGI = "issues/2026-12-08-treningi.md";
const VOPROS = "issues/2026-12-09-vopros.md";
const OWN_LIST = "issues/2026-12-10-own-list.md";

let project: Awaited<ReturnType<typeof makeProject>>;
let server: FakeSendsay | undefined;
beforeAll(async () => {
  project = await makeProject(TOPICS);
  await writeFile(join(project.root, TRENINGI), issue("treningi"));
  await writeFile(join(project.root, VOPROS), issue("vopros-otvet"));
  await writeFile(join(project.root, OWN_LIST), issue("treningi", "audience:\n  sendsay: pl12\n"));
});
afterAll(async () => {
  await project.cleanup();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(backends())("a Sendsay campaign of an issue with a topic ($name)", (backend) => {
  beforeAll(() => backend.start(), 120_000);
  afterAll(() => backend.stop());

  const submission = (location: StateLocation, file: string, extra: Partial<CampaignSubmission> = {}): CampaignSubmission => ({
    root: project.root,
    issue: file,
    transport: "sendsay",
    group: "pl1",
    yes: true,
    interactive: false,
    state: location,
    env: { SENDSAY_APIKEY: KEY, SENDSAY_LOGIN: LOGIN, SENDSAY_API_URL: server!.url },
    pollIntervalMs: 5,
    ...extra,
  });

  it("goes to the topic's mapped list instead of --group, and says so; the record is the topic list's", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [0, -1] });
    const location = await backend.fresh();
    const dry = await submitCampaign(submission(location, TRENINGI, { dryRun: true }));
    expect(dry).toMatchObject({ dryRun: { groupId: "pl7", topic: "treningi", via: "topic" } });
    expect(server.handled("issue.send")).toHaveLength(0);

    const events: CampaignEvent[] = [];
    const result = await submitCampaign(submission(location, TRENINGI), { onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: { groupId: "pl7", phase: "done" } });
    const sends = server.handled("issue.send");
    expect(sends.map((r) => r.body?.group)).toEqual(["pl7"]);
    expect(events[0]).toEqual({ type: "submitting", groupId: "pl7", topic: "treningi", via: "topic" });
    const store = await openStore(location);
    try {
      expect((await store.campaigns.all()).map((c) => c.groupId)).toEqual(["pl7"]);
    } finally {
      await store.close();
    }
  });

  it("an issue naming its own list goes there, not to its topic's", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [-1] });
    const result = await submitCampaign(submission(await backend.fresh(), OWN_LIST));
    expect(result).toMatchObject({ outcome: { groupId: "pl12", phase: "done" } });
    expect(server.handled("issue.send").map((r) => r.body?.group)).toEqual(["pl12"]);
  });

  it("a topic without a list is refused with file, line, field and fix: nothing submitted, nothing recorded", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const location = await backend.fresh();
    for (const dryRun of [true, false]) {
      const error = await submitCampaign(submission(location, VOPROS, { dryRun })).catch((e: unknown) => e);
      if (!isRassylkaError(error)) throw error;
      expect(error.diagnostics).toEqual([
        expect.objectContaining({ ruleId: "sendsay/unmapped-topic", file: VOPROS, line: 5, field: "topic" }),
      ]);
      expect(error.diagnostics[0].fix).toContain("sendsay.topics");
    }
    expect(server.requests).toHaveLength(0);
    const store = await openStore(location);
    try {
      expect(await store.campaigns.all()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
