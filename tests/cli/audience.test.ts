// `rassylka audience`, `send --subscribers --audience`, `subscribers import|list|export` with topics and
// `status` naming the audience, through the CLI in this process against a real SMTP server.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, expect, test } from "vitest";
import { stateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { rassylka, run } from "../helpers/cli.js";
import { CONFIG, makeProject, SECRET, type Sink, startSmtp } from "../send/helpers.js";

const TOPICS = `topics:
  - id: treningi
    title: Тренинги
  - id: tehnika
    title: Техника продаж
  - id: vopros-otvet
    title: Вопрос-ответ
    default: false
`;
const ISSUE = "issues/2026-12-05-treningi.md";

let root: string;
let cleanup: () => Promise<void>;
let sink: Sink;
let prev: string;

const cli = (args: string[]) => run([...args, "--root", root], { RASSYLKA_SECRET: SECRET, RASSYLKA_LANG: "en" });
const json = async (args: string[]) => {
  const r = await cli([...args, "--json"]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
};

beforeAll(async () => {
  ({ root, cleanup } = await makeProject(`${CONFIG}${TOPICS}`));
  prev = process.cwd();
  process.chdir(root);
  await writeFile(join(root, ISSUE), "---\ntitle: Тренинги\ndate: 2026-12-05\ntopic: treningi\n---\nРасписание.\n");
  await mkdir(join(root, "audiences"));
  await writeFile(join(root, "audiences", "moskva.yaml"), "description: Москва\nwhere:\n  city: Москва\n");
  await writeFile(join(root, "audiences", "broken.yaml"), "where:\n  city: {is: Москва}\n");
  await writeFile(
    join(root, "readers.csv"),
    [
      "email,city,topics",
      "anna@example.ru,Москва,treningi",
      "boris@example.ru,Казань,treningi;tehnika",
      "vera@example.ru,Москва,vopros-otvet",
      "gleb@example.ru,Уфа,",
    ].join("\n"),
  );
  sink = await startSmtp();
}, 120_000);
afterAll(async () => {
  process.chdir(prev);
  await sink?.close();
  await cleanup?.();
});

test("subscribers import reads the topics column; list --json gives each reader's topics (the defaults for one who never chose); export writes them back", async () => {
  expect((await cli(["subscribers", "import", "readers.csv", "--confirmed"])).code).toBe(0);
  const list = await json(["subscribers", "list"]);
  const topics = Object.fromEntries(list.map((s: { email: string; topics: string[] }) => [s.email, s.topics]));
  expect(topics).toEqual({
    "anna@example.ru": ["treningi"],
    "boris@example.ru": ["tehnika", "treningi"],
    "vera@example.ru": ["vopros-otvet"],
    "gleb@example.ru": ["treningi", "tehnika"],
  });
  expect((await cli(["subscribers", "export", "out.csv"])).code).toBe(0);
  const rows = parseCsv(await readFile(join(root, "out.csv"), "utf8"), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => [r.email, r.topics])).toEqual([
    ["anna@example.ru", "treningi"],
    ["boris@example.ru", "tehnika;treningi"],
    ["gleb@example.ru", ""],
    ["vera@example.ru", "vopros-otvet"],
  ]);
});

test("export marks a reader who unticked every topic with «-» (never chose: empty); an import into another state gives each back as they were", async () => {
  const store = await openStore(stateLocation(root));
  expect(await store.subscribers.setTopics("vera@example.ru", [], { at: new Date().toISOString(), source: "preferences" })).toBe(true);
  await store.close();
  expect((await cli(["subscribers", "export", "none.csv"])).code).toBe(0);
  const rows = parseCsv(await readFile(join(root, "none.csv"), "utf8"), { columns: true }) as Record<string, string>[];
  expect(Object.fromEntries(rows.map((r) => [r.email, r.topics]))).toMatchObject({ "vera@example.ru": "-", "gleb@example.ru": "" });

  const other = ["--state", join(root, "other.sqlite")];
  expect((await cli(["subscribers", "import", join(root, "none.csv"), "--confirmed", ...other])).code).toBe(0);
  const list = await json(["subscribers", "list", ...other]);
  const topics = Object.fromEntries(list.map((s: { email: string; topics: string[] }) => [s.email, s.topics]));
  expect(topics).toEqual({
    "anna@example.ru": ["treningi"],
    "boris@example.ru": ["tehnika", "treningi"],
    "vera@example.ru": [],
    "gleb@example.ru": ["treningi", "tehnika"],
  });
  // the chosen-none reader stays chosen-none: the marker is not a topic id, and it is kept apart from never-chosen
  const back = await openStore({ kind: "sqlite", file: join(root, "other.sqlite") });
  const stored = Object.fromEntries((await back.subscribers.confirmedPage("", 10)).map((s) => [s.email, s.topics]));
  await back.close();
  expect(stored).toMatchObject({ "vera@example.ru": [], "gleb@example.ru": null });

  const restore = await openStore(stateLocation(root));
  await restore.subscribers.setTopics("vera@example.ru", ["vopros-otvet"], { at: new Date().toISOString(), source: "cli" });
  await restore.close();
});

test("audience --json: readers now, per topic, and the change since the last send of that audience; send --audience reaches exactly them; status names it", async () => {
  expect(await json(["audience"])).toEqual({
    audience: "subscribers",
    readers: 4,
    byTopic: { treningi: 3, tehnika: 2, "vopros-otvet": 1 },
    change: null,
  });
  expect(await json(["audience", "moskva"])).toMatchObject({ audience: "moskva", readers: 2, byTopic: { treningi: 1, "vopros-otvet": 1 } });
  // an issue: its topic, and its front-matter audience when it names one
  expect(await json(["audience", ISSUE])).toMatchObject({ audience: "subscribers+topic:treningi", readers: 3, change: null });

  // the built CLI in a process of its own: its SMTP transport runs in a worker thread
  const sent = await rassylka(
    ["send", ISSUE, "--subscribers", "--audience", "moskva", "--transport", "smtp", "--smtp-url", sink.url, "--yes", "--json"],
    root,
    { PATH: process.env.PATH, RASSYLKA_SECRET: SECRET, RASSYLKA_LANG: "en" },
  );
  expect(sent.code, sent.err).toBe(0);
  expect(JSON.parse(sent.out)).toMatchObject({ total: 1, sent: 1 });
  expect(sink.received.flatMap((r) => r.to)).toEqual(["anna@example.ru"]);

  const status = await json(["status", ISSUE]);
  expect(status.audience).toBe("--subscribers --audience moskva (topic treningi)");
  expect((await cli(["status", ISSUE])).out).toContain("audience: --subscribers --audience moskva (topic treningi)");
  const report = await cli(["report", ISSUE]);
  expect(report.code, report.err).toBe(0);
  const page = await readFile(join(root, "report", "2026-12-05-treningi", "index.html"), "utf8");
  expect(page).toContain("audience: --subscribers --audience moskva (topic treningi)");

  // a reader of Moscow joins: the audience grew by one since its last send
  expect((await cli(["subscribers", "add", "dina@example.ru", "--confirmed"])).code).toBe(0);
  await writeFile(join(root, "dina.csv"), "email,city\ndina@example.ru,Москва\n");
  expect((await cli(["subscribers", "import", "dina.csv", "--confirmed"])).code).toBe(0);
  expect(await json(["audience", "moskva"])).toMatchObject({
    readers: 3,
    change: { issue: "2026-12-05-treningi", readers: 1, by: 2 },
  });
  const text = (await cli(["audience", "moskva"])).out;
  expect(text).toMatch(/moskva: 3 readers now/);
  expect(text).toMatch(/2 more than at the last send/);
});

test("a bad audience file or a missing one: exit 1 with file, line and fix; --audience without --subscribers is a usage error", async () => {
  const broken = await cli(["audience", "broken"]);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/audiences\/broken\.yaml:2/);
  expect(broken.err).toMatch(/fix: write city: value/);
  const missing = await cli(["send", ISSUE, "--subscribers", "--audience", "kazan", "--dry-run"]);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/audiences\/kazan\.yaml/);
  expect(missing.err).toMatch(/broken, moskva/);
  const alone = await cli(["send", ISSUE, "--to", "a@example.ru", "--audience", "moskva", "--dry-run"]);
  expect(alone.code).not.toBe(0);
  expect(alone.err).toMatch(/--subscribers/);
});
