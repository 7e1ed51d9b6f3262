import { type ChildProcess, execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openState } from "../../../../src/state/db.js";
import { sqliteStore } from "../../../../src/state/sqlite.js";
import { openStore } from "../../../../src/state/store.js";
import { connectPostgres, PG_PASSWORD, type TestPostgres } from "../../../helpers/postgres.js";
import { type FakeSendsay, startFakeSendsay } from "../../../sendsay/fake-server.js";
import { KEY, LOGIN, makeProject, PERSONAL_FILE, PLAIN_FILE, REPO, SECRET } from "./helpers.js";

// Runs the built CLI (`npm test` builds dist-lib first) against the fake Sendsay on loopback.
const BIN = join(REPO, "bin/rassylka.js");
let project: Awaited<ReturnType<typeof makeProject>>;
let server: FakeSendsay | undefined;
let n = 0;
beforeAll(async () => {
  project = await makeProject(`sendsay:\n  login: ${LOGIN}\n`);
});
afterAll(async () => {
  await project.cleanup();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function env(s: FakeSendsay, key = KEY): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    SENDSAY_APIKEY: key,
    SENDSAY_API_URL: s.url,
    RASSYLKA_SECRET: SECRET,
    SENDSAY_POLL_INTERVAL: "20",
  };
  delete e.SENDSAY_LOGIN;
  return e;
}

function run(args: string[], e: NodeJS.ProcessEnv, cwd = project.root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: e, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function start(args: string[], e: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: project.root, env: e, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (c) => {
    output += c;
  });
  child.stderr?.on("data", (c) => {
    output += c;
  });
  return { child, exited: new Promise((r) => child.on("exit", (code) => r(code))), output: () => output };
}

const state = () => `.rassylka/cli-${++n}.sqlite`;

describe("rassylka sendsay ping", () => {
  it("says the key and login work", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, accountName: "Практика продаж" });
    const r = await run(["sendsay", "ping"], env(server));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`the key and the login "${LOGIN}" («Практика продаж») work`);
    expect(server.handled("sys.settings.get")).toHaveLength(1);
  });

  it("names the error and the fix for a wrong key, and never prints the key", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: "the-right-key" });
    const r = await run(["sendsay", "ping"], env(server));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error/auth/failed");
    expect(r.stderr).toContain("check SENDSAY_APIKEY");
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it("asks for the key when it is not set", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const e = env(server);
    delete e.SENDSAY_APIKEY;
    const r = await run(["sendsay", "ping"], e);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SENDSAY_APIKEY is not set/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("rassylka send --transport sendsay --group", () => {
  it("submits the campaign, follows redirects, polls the track to -1 and exits 0", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, redirects: 1, trackStatuses: [0, 2, -1] });
    const r = await run(["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl42", "--yes", "--state", state()], env(server));
    expect(r.stderr).toContain("Sendsay accepted it: track 1000");
    expect(r.stderr).toContain("track 1000: in progress (2)");
    expect(r.stdout).toContain('Done: Sendsay sent the issue to list "pl42" (track 1000).');
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(server.handled("issue.send")).toHaveLength(1);
    expect(server.handled("issue.send")[0].body).toMatchObject({ action: "issue.send", group: "pl42", sendwhen: "now" });
    // after the redirect every request went straight to the new place
    // (issue.send, three track.get, then stat.uni for the figures)
    expect(server.requests.map((q) => q.path.startsWith("/hop1/"))).toEqual([false, true, true, true, true, true]);
    expect(r.stdout).toContain("recipients 3 · delivered 2 · not delivered 1 · opened 2 (unique) · clicked 1 (unique) · unsubscribed 1");
  });

  it("exits 2 when the track ends in -2, with the JSON outcome", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [1, -2], trackError: "error/issue/stopped" });
    const r = await run(
      ["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl42", "--yes", "--json", "--state", state()],
      env(server),
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ trackId: "1000", status: -2, phase: "error", error: "error/issue/stopped", exitCode: 2 });
  });

  it("refuses an issue with subscriber fields, naming them, and sends nothing", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const r = await run(["send", PERSONAL_FILE, "--transport", "sendsay", "--group", "pl42", "--yes", "--state", state()], env(server));
    expect(r.code).toBe(1);
    // the project maps no fields: both are named at their line, with the fix
    expect(r.stderr).toContain(`${PERSONAL_FILE}:7: error: subscriber.name has no Sendsay field to read in a campaign`);
    expect(r.stderr).toContain(`${PERSONAL_FILE}:7: error: subscriber.city has no Sendsay field to read in a campaign`);
    expect(r.stderr).toContain("sendsay.fields");
    expect(r.stderr).toContain("--to FILE.csv");
    expect(server.requests).toHaveLength(0);
  });

  it("needs --yes off a terminal, and --group needs --transport sendsay", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const a = await run(["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl42", "--state", state()], env(server));
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("add --yes");
    const b = await run(["send", PLAIN_FILE, "--group", "pl42", "--yes", "--state", state()], env(server));
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("add --transport sendsay");
    expect(server.requests).toHaveLength(0);
  });

  it("a campaign killed mid-request is in doubt: the next run refuses until --force", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [-1] });
    server.addFault({ action: "issue.send", hang: true });
    const file = state();
    const args = ["send", PLAIN_FILE, "--transport", "sendsay", "--group", "main", "--yes", "--state", file];
    const first = start(args, env(server));
    await Promise.race([server.waitFor("issue.send"), first.exited.then(() => Promise.reject(new Error(first.output())))]);
    first.child.kill("SIGKILL");
    await first.exited;

    const again = await run(args, env(server));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("may already be sending it");
    expect(again.stderr).toContain("--force");
    expect(server.requests.filter((q) => q.body?.action === "issue.send")).toHaveLength(1);

    const forced = await run([...args, "--force"], env(server));
    expect(forced.code).toBe(0);
    expect(server.requests.filter((q) => q.body?.action === "issue.send")).toHaveLength(2);
    const db = await openState(join(project.root, file));
    expect((await sqliteStore(db).campaigns.all()).map((row) => row.state)).toEqual(["submitting", "done"]);
    db.close();
  });
});

describe("rassylka send --transport sendsay --to (personal letters)", () => {
  async function csv(name: string, count: number): Promise<string> {
    const rows = Array.from({ length: count }, (_, i) => `reader${i}@example.ru,Читатель ${i},Город ${i}`);
    await writeFile(join(project.root, name), `email,name,city\n${rows.join("\n")}\n`);
    return name;
  }

  it("sends one personal issue.send per reader and exits 0", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const list = await csv("three.csv", 3);
    const r = await run(["send", PERSONAL_FILE, "--transport", "sendsay", "--to", list, "--yes", "--state", state()], env(server));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`via sendsay://${LOGIN}`);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const sends = server.handled("issue.send");
    expect(sends.map((q) => q.body?.email).sort()).toEqual(["reader0@example.ru", "reader1@example.ru", "reader2@example.ru"]);
    for (const q of sends) expect(q.body).toMatchObject({ group: "personal", sendwhen: "now" });
  });

  it("--test sends [TEST] copies the same way", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const r = await run(["send", PERSONAL_FILE, "--transport", "sendsay", "--test", "editor@example.ru", "--state", state()], env(server));
    expect(r.code).toBe(0);
    const [q] = server.handled("issue.send");
    expect(q.body).toMatchObject({ group: "personal", email: "editor@example.ru" });
    expect(q.body?.letter).toMatchObject({ subject: "[TEST] Личная тема" });
  });

  it("a wrong key stops before the first letter with exit 1", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: "the-right-key" });
    const list = await csv("one.csv", 1);
    const r = await run(["send", PERSONAL_FILE, "--transport", "sendsay", "--to", list, "--yes", "--state", state()], env(server));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error/auth/failed");
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(server.requests.filter((q) => q.body?.action === "issue.send")).toHaveLength(0);
  });

  it("resumes after a kill mid-run: everyone gets it, only readers in flight may get it twice", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ action: "issue.send", delayMs: 40, times: Number.POSITIVE_INFINITY });
    const list = await csv("thirty.csv", 30);
    const args = [
      "send",
      PERSONAL_FILE,
      "--transport",
      "sendsay",
      "--to",
      list,
      "--yes",
      "--concurrency",
      "2",
      "--json",
      "--state",
      state(),
    ];
    const first = start(args, env(server));
    await Promise.race([server.waitFor("issue.send", 10), first.exited.then(() => Promise.reject(new Error(first.output())))]);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(server.requests.filter((q) => q.body?.action === "issue.send").length).toBeLessThan(30);

    const r = await run(args, env(server));
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ pending: 0, failed: 0 });
    expect(summary.sent + summary.alreadySent).toBe(30);
    expect(summary.alreadySent).toBeGreaterThan(0);
    const counts = new Map<string, number>();
    for (const q of server.requests.filter((x) => x.body?.action === "issue.send"))
      counts.set(String(q.body?.email), (counts.get(String(q.body?.email)) ?? 0) + 1);
    expect(counts.size).toBe(30);
    const twice = [...counts].filter(([, c]) => c > 1).map(([email]) => email);
    expect(twice.length).toBeLessThanOrEqual(2);
    expect(summary.resentAddresses).toEqual(expect.arrayContaining(twice));
  });
});

describe("rassylka status of an issue sent as a campaign", () => {
  it("reads the campaign's figures from Sendsay, as text and as campaign.stats in --json", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [-1] });
    const file = state();
    const sent = await run(["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl7", "--yes", "--state", file], env(server));
    expect(sent.code).toBe(0);
    server.options.issueStats = {
      "issue.members": "120",
      "issue.deliv_ok": "117",
      "issue.deliv_bad": "3",
      "issue.u_readed": "64",
      "issue.u_clicked": "21",
      "issue.unsubed": "2",
    };
    const text = await run(["status", PLAIN_FILE, "--state", file], env(server));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Sendsay campaign to list "pl7": done (track 1000, done (-1)');
    expect(text.stdout).toContain(
      "recipients 120 · delivered 117 · not delivered 3 · opened 64 (unique) · clicked 21 (unique) · unsubscribed 2",
    );
    const json = await run(["status", PLAIN_FILE, "--state", file, "--json"], env(server));
    expect(JSON.parse(json.stdout).campaign).toMatchObject({
      groupId: "pl7",
      trackId: "1000",
      state: "done",
      stats: { members: 120, delivered: 117, undelivered: 3, opened: 64, clicked: 21, unsubscribed: 2 },
    });
    expect(server.handled("stat.uni").at(-1)?.body?.filter).toEqual([{ a: "issue.track.id", op: "==", v: "1000" }]);

    // without the key the ledger's part still shows, and the figures say why they are missing
    const e = env(server);
    delete e.SENDSAY_APIKEY;
    const offline = await run(["status", PLAIN_FILE, "--state", file, "--json"], e);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).campaign).toMatchObject({ stats: null, statsError: expect.stringContaining("SENDSAY_APIKEY") });

    // statsError stays in English whatever the editor's language (scripts read it); note says it in theirs
    const ru = await run(["status", PLAIN_FILE, "--state", file, "--json"], { ...e, RASSYLKA_LANG: "ru" });
    const en = await run(["status", PLAIN_FILE, "--state", file, "--json"], { ...e, RASSYLKA_LANG: "en" });
    const [ruCampaign, enCampaign] = [JSON.parse(ru.stdout).campaign, JSON.parse(en.stdout).campaign];
    expect(ruCampaign.statsError).toBe(enCampaign.statsError);
    expect(enCampaign.note).toBe(enCampaign.statsError);
    expect(ruCampaign.note).toMatch(/[а-яё]/i);
    expect(ruCampaign.note).toContain("SENDSAY_APIKEY");
    expect({ ...ruCampaign, note: "" }).toEqual({ ...enCampaign, note: "" });
    const ruText = await run(["status", PLAIN_FILE, "--state", file], { ...e, RASSYLKA_LANG: "ru" });
    expect(ruText.stdout).toContain(ruCampaign.note);
  });
});

describe("rassylka send --group of an issue with an A/B test of subjects", () => {
  const AB_FILE = "issues/2026-12-06-ab.md";
  const AB_ISSUE = "---\ntitle: Тест тем\ndate: 2026-12-06\nsubject:\n  - Первая тема\n  - Вторая тема\n---\nТекст.\n";

  it("creates Sendsay's split test, and status reads its decision back as campaign.split in --json", async () => {
    await writeFile(join(project.root, AB_FILE), AB_ISSUE);
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const file = state();
    const sent = await run(["send", AB_FILE, "--transport", "sendsay", "--group", "pl9", "--yes", "--state", file], env(server));
    expect(sent.code, sent.stderr).toBe(3);
    expect(sent.stdout).toContain('split test 70 for list "pl9" is running (testing)');
    expect(server.handled("issue.send")).toHaveLength(0);
    expect(server.handled("issue.split.create")[0]?.body).toMatchObject({
      "split.size": 20,
      "split.time": 240,
      "split.criterion": "clicks",
    });

    server.options.splitWinner = 2;
    const text = await run(["status", AB_FILE, "--state", file], env(server));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('split test 70 for list "pl9" is decided: subject 2 won');
    const json = await run(["status", AB_FILE, "--state", file, "--json"], env(server));
    expect(JSON.parse(json.stdout).campaign).toMatchObject({
      groupId: "pl9",
      trackId: "split:70",
      split: { splitId: "70", winner: 2, status: "decided" },
    });
    expect(server.handled("issue.split.create")).toHaveLength(1);
    expect(server.handled("issue.send")).toHaveLength(0);
  });

  it("stops with a clear message naming the fix when the account refuses the split test, and sends nothing", async () => {
    await writeFile(join(project.root, AB_FILE), AB_ISSUE);
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, splitRefusal: { id: "error/split/not_allowed" } });
    const r = await run(["send", AB_FILE, "--transport", "sendsay", "--group", "pl9", "--yes", "--state", state()], env(server));
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain("Sendsay refused the split test");
    expect(out).toContain("error/split/not_allowed");
    expect(out).toMatch(/turn on A\/B tests/);
    expect(out).not.toMatch(/\n\s+at /);
    expect(server.handled("issue.send")).toHaveLength(0);
  });
});

describe("rassylka sendsay sync", () => {
  it("moves suppressions both ways, prints what it added on each side, and adds nothing the second time", async () => {
    server = await startFakeSendsay({
      login: LOGIN,
      apiKey: KEY,
      stopLists: { member: ["Self@Example.ru", "both@example.ru"], owner: ["blocked@example.ru", "both@example.ru"] },
    });
    const file = state();
    // set-up and read-back in this process (what `suppress add` records); the sync is the built CLI
    const store = () => openStore({ kind: "sqlite", file: join(project.root, file) });
    const setUp = await store();
    try {
      await setUp.suppressions.add("bounced@example.ru", "bounced", "cli");
    } finally {
      await setUp.close();
    }

    const dry = await run(["sendsay", "sync", "--dry-run", "--state", file], env(server));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Sendsay → our suppression list: would add 3 addresses.");
    expect(dry.stdout).toContain("Dry run: nothing was changed on either side.");
    expect(server.handled("stoplist.add")).toHaveLength(0);

    const r = await run(["sendsay", "sync", "--state", file], env(server));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Sendsay → our suppression list: added 3 addresses.");
    expect(r.stdout).toContain("  + self@example.ru (unsubscribed, sendsay:unsubscribed)");
    expect(r.stdout).toContain("  + both@example.ru (unsubscribed, sendsay:unsubscribed)");
    expect(r.stdout).toContain("  + blocked@example.ru (manual, sendsay:blocked)");
    expect(r.stdout).toContain("Our suppression list → Sendsay «Заблокированы вручную»: added 1 address.");
    expect(r.stdout).toContain("  + bounced@example.ru (bounced)");
    expect(server.options.stopLists?.owner).toContain("bounced@example.ru");
    expect(server.options.stopLists?.member).toEqual(["Self@Example.ru", "both@example.ru"]);

    const again = await run(["sendsay", "sync", "--state", file, "--json"], env(server));
    expect(JSON.parse(again.stdout)).toEqual({ toLocal: [], toSendsay: [], dryRun: false, topicsToSendsay: [], topicsToLocal: [] });
    expect(server.handled("stoplist.add")).toHaveLength(1);
    for (const action of ["stoplist.delete", "stoplist.erase"]) expect(server.handled(action)).toHaveLength(0);

    const after = await store();
    try {
      expect((await after.suppressions.list()).map((x) => x.email)).toContain("blocked@example.ru");
    } finally {
      await after.close();
    }
  });
});

// topics mapped to Sendsay lists (docs/audiences.md, docs/sendsay.md "Topic lists")
describe("rassylka … with sendsay.topics", () => {
  let topics: Awaited<ReturnType<typeof makeProject>>;
  const TOPIC_FILE = "issues/2026-12-09-vopros.md";
  beforeAll(async () => {
    topics = await makeProject(`sendsay:
  login: ${LOGIN}
  topics:
    treningi: pl7
topics:
  - id: treningi
    title: Тренинги
  - id: vopros-otvet
    title: Вопрос-ответ
`);
    await writeFile(
      join(topics.root, TOPIC_FILE),
      "---\ntitle: Вопрос-ответ\ndate: 2026-12-09\nsubject: Вопрос недели\ntopic: vopros-otvet\n---\nТекст.\n",
    );
  });
  afterAll(() => topics.cleanup());

  it("send --group refuses a topic without a list (file:line, field, fix; exit 1, nothing sent), and lint says it first", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const r = await run(["send", TOPIC_FILE, "--transport", "sendsay", "--group", "pl1", "--yes"], env(server), topics.root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${TOPIC_FILE}:5: error: topic «vopros-otvet» has no Sendsay list`);
    expect(r.stderr).toContain("add `vopros-otvet: <list id>` under sendsay.topics in newsletter.yaml");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests).toHaveLength(0);
    const lint = await run(["lint", TOPIC_FILE], env(server), topics.root);
    expect(lint.stdout + lint.stderr).toContain(`${TOPIC_FILE}:5:`);
    expect(lint.stdout + lint.stderr).toContain("topic «vopros-otvet» has no Sendsay list");
    expect(lint.stdout + lint.stderr).toContain("lint/sendsay-topic");
  });

  it("sendsay sync prints topic changes with masked addresses, and --json gives them whole", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, groups: { pl7: ["leaver@example.ru", "stays@example.ru"] } });
    const file = state();
    // two confirmed subscribers (what `subscribers add --confirmed` records), one who left the topic since
    const store = await openStore({ kind: "sqlite", file: join(topics.root, file) });
    try {
      await store.subscribers.upsertMany(
        ["leaver@example.ru", "stays@example.ru"].map((address) => ({ address, fields: {} })),
        { status: "confirmed", source: "cli", at: new Date().toISOString() },
      );
      await store.subscribers.setTopics("leaver@example.ru", [], { at: new Date().toISOString(), source: "preferences" });
    } finally {
      await store.close();
    }
    const dry = await run(["sendsay", "sync", "--dry-run", "--state", file], env(server), topics.root);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Topics left here → out of their Sendsay lists: would take out 1 reader.");
    expect(dry.stdout).toContain("  − l***@example.ru: treningi (Sendsay list «pl7»)");
    expect(dry.stdout).not.toContain("leaver@example.ru");
    expect(dry.stdout).toContain("Sendsay lists left → topics here: would take the topic from 0 readers.");
    expect(dry.stdout).toContain("Dry run: nothing was changed on either side.");
    expect(server.handled("member.set")).toHaveLength(0);

    const r = await run(["sendsay", "sync", "--state", file, "--json"], env(server), topics.root);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: false,
      topicsToSendsay: [{ email: "leaver@example.ru", topic: "treningi", group: "pl7" }],
      topicsToLocal: [],
    });
    expect(server.options.groups?.pl7).toEqual(["stays@example.ru"]);
  });
});

// campaign records and the sync on the shared PostgreSQL store
describe("rassylka sendsay … on PostgreSQL", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await connectPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.close();
  });
  const records = async (url: string) => {
    const store = await openStore({ kind: "postgres", url });
    try {
      return await store.campaigns.all();
    } finally {
      await store.close();
    }
  };

  it("send --group with RASSYLKA_DATABASE_URL records the campaign there; the next run (--state URL) sees it", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, trackStatuses: [0, -1] });
    const url = await pg.database();
    const r = await run(["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl42", "--yes"], {
      ...env(server),
      RASSYLKA_DATABASE_URL: url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PG_PASSWORD);
    expect(await records(url)).toMatchObject([{ groupId: "pl42", login: LOGIN, state: "done", trackId: "1000", trackStatus: -1 }]);
    const rows = await records(url);
    expect(rows[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof rows[0].id).toBe("number");

    // another machine, the same database by flag: already sent, nothing submitted again
    const again = await run(["send", PLAIN_FILE, "--transport", "sendsay", "--group", "pl42", "--yes", "--state", url], env(server));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already sent to Sendsay list "pl42".*--force/s);
    expect(again.stderr).not.toContain(PG_PASSWORD);
    expect(server.handled("issue.send")).toHaveLength(1);
    expect(await records(url)).toHaveLength(1);

    // status on the shared database shows the campaign too (it read the SQLite file only before)
    const status = await run(["status", PLAIN_FILE, "--state", url, "--json"], env(server));
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout + status.stderr).not.toContain(PG_PASSWORD);
    expect(JSON.parse(status.stdout).campaign).toMatchObject({ groupId: "pl42", trackId: "1000", state: "done" });
  });

  it("sendsay sync --state postgres://… moves Sendsay's stop lists into the shared suppression list", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, stopLists: { member: ["Gone@Example.ru"], owner: [] } });
    const url = await pg.database();
    const r = await run(["sendsay", "sync", "--state", url], env(server));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("  + gone@example.ru (unsubscribed, sendsay:unsubscribed)");
    const store = await openStore({ kind: "postgres", url });
    try {
      expect(await store.suppressions.has("gone@example.ru")).toBe(true);
    } finally {
      await store.close();
    }
  });
});
