// Runs the built CLI (`npm run build:ts && node scripts/bundle.mjs` first; `npm test` builds).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import { ISSUE, parse, warmSendTest, writeCsv } from "../send/helpers.js";
import { backends } from "../state/backends.js";

const BACKENDS = backends();
// the hello issue compiled once for the file, not by each project's first send
const sendTest = warmSendTest;
/** What `suppress add` and `subscribers add --confirmed` record, written in this process: a test's set-up. */
async function seed(location: StateLocation, suppressed: [string, string][], confirmed: string[] = [], pending: string[] = []) {
  const store = await openStore(location);
  try {
    for (const [email, reason] of suppressed) await store.suppressions.add(email, reason, "cli");
    const at = new Date().toISOString();
    if (confirmed.length)
      await store.subscribers.upsertMany(
        confirmed.map((address) => ({ address, fields: {} })),
        { status: "confirmed", source: "cli", at },
      );
    if (pending.length)
      await store.subscribers.upsertMany(
        pending.map((address) => ({ address, fields: {} })),
        { status: "pending", source: "cli", at },
      );
  } finally {
    await store.close();
  }
}

beforeAll(() => Promise.all(BACKENDS.map((b) => b.start())), 120_000);
afterAll(async () => {
  for (const b of BACKENDS) await b.stop();
});

const stateArg = (l: StateLocation) => (l.kind === "postgres" ? l.url : l.file);

describe.each(BACKENDS)("rassylka subscribers on $name", (backend) => {
  sendTest(
    "add, import (pending unless --confirmed, recording the source), list --json, export with the consent columns, remove",
    async ({ project }) => {
      const { root } = project;
      const state = stateArg(await backend.fresh());
      const s = ["--state", state];
      expect(await project.cli(["subscribers", "add", "Anna@Example.ru", "--name", "Анна", "--confirmed", ...s])).toMatchObject({
        code: 0,
      });
      expect((await project.cli(["subscribers", "add", "not-an-address", ...s])).code).toBe(1);
      // the same CSV as send --to: ; delimiter, windows-1251 not needed, a bad row named with its line
      await writeCsv(root, "list.csv", "email;name;city\nboris@example.ru;Борис;Тула\nbroken@;X;Y\nanna@example.ru;Анна К.;Москва\n");
      const imported = await project.cli(["subscribers", "import", "list.csv", ...s]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/Imported 1 new subscriber as pending; 1 already there; 1 skipped/);
      expect(imported.stderr).toMatch(/list\.csv:3: "broken@"/);
      await writeCsv(root, "more.csv", "email,name\nvera@example.ru,Вера\n");
      expect((await project.cli(["subscribers", "import", "more.csv", "--confirmed", "--consent", "Согласие на бумаге", ...s])).code).toBe(
        0,
      );

      const list = await project.cli(["subscribers", "list", "--json", ...s]);
      expect(list.code).toBe(0);
      const json = JSON.parse(list.stdout);
      expect(json.map((x: { email: string; status: string }) => [x.email, x.status])).toEqual([
        ["anna@example.ru", "confirmed"],
        ["boris@example.ru", "pending"],
        ["vera@example.ru", "confirmed"],
      ]);
      for (const x of json) {
        expect(Object.keys(x)).toEqual(expect.arrayContaining(["email", "status", "fields", "consent"]));
        expect(Object.keys(x.consent)).toEqual(expect.arrayContaining(["at", "ip", "userAgent", "page", "text"]));
      }
      expect(json[0]).toMatchObject({ fields: { name: "Анна К.", city: "Москва" }, source: "cli" });
      expect(json[1]).toMatchObject({
        fields: { name: "Борис", city: "Тула" },
        source: "import:list.csv",
        consent: { page: "import:list.csv" },
      });
      expect(json[2]).toMatchObject({ source: "import:more.csv", consent: { text: "Согласие на бумаге" } });
      const confirmed = JSON.parse((await project.cli(["subscribers", "list", "--status", "confirmed", "--json", ...s])).stdout);
      expect(confirmed).toHaveLength(2);
      expect((await project.cli(["subscribers", "list", "--status", "maybe", ...s])).code).toBe(1);

      expect((await project.cli(["subscribers", "export", "export.csv", ...s])).code).toBe(0);
      const rows = parseCsv(await readFile(join(root, "export.csv"), "utf8"), { columns: true }) as Record<string, string>[];
      expect(Object.keys(rows[0])).toEqual(
        expect.arrayContaining([
          "email",
          "name",
          "city",
          "status",
          "consent_at",
          "consent_ip",
          "consent_user_agent",
          "consent_page",
          "consent_text",
          "consent_hash",
        ]),
      );
      expect(rows.find((r) => r.email === "vera@example.ru")).toMatchObject({
        name: "Вера",
        status: "confirmed",
        consent_text: "Согласие на бумаге",
      });
      // the export is the same CSV send --to reads
      const dry = await project.cli(["send", ISSUE, "--to", "export.csv", "--dry-run", "--json"]);
      expect(JSON.parse(dry.stdout)).toMatchObject({ total: 3, invalid: 0 });

      expect((await project.cli(["subscribers", "remove", "BORIS@example.ru", "nobody@example.ru", ...s])).stdout).toMatch(
        /Removed 1 subscriber; 1 were not on the list/,
      );
      const after = JSON.parse((await project.cli(["subscribers", "list", "--json", ...s])).stdout);
      expect(after.map((x: { email: string }) => x.email)).toEqual(["anna@example.ru", "vera@example.ru"]);
    },
    120_000,
  );

  sendTest(
    "import --confirmed never confirms a reader who unsubscribed or is suppressed; --resubscribe with how they agreed does, but not a bounce",
    async ({ project }) => {
      const { root } = project;
      const location = await backend.fresh();
      const s = ["--state", stateArg(location)];
      // olga unsubscribed by a one-click link of a CSV send (the suppression list only); petr from the list
      await seed(
        location,
        [
          ["olga@example.ru", "unsubscribed"],
          ["bounce@example.ru", "bounced"],
        ],
        ["petr@example.ru"],
      );
      const store = await openStore(location);
      try {
        expect(await store.subscribers.markUnsubscribed(["petr@example.ru"], new Date().toISOString())).toBe(1);
      } finally {
        await store.close();
      }
      await writeCsv(
        root,
        "list.csv",
        "email,name\nanna@example.ru,Анна\nOlga@Example.ru,Ольга\npetr@example.ru,Пётр\nbounce@example.ru,Бо\n",
      );

      const imported = await project.cli(["subscribers", "import", "list.csv", "--confirmed", ...s]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/Imported 1 new subscriber as confirmed/);
      expect(imported.stderr).toMatch(/not confirmed \(they unsubscribed\): list\.csv:3: Olga@Example\.ru/);
      expect(imported.stderr).toMatch(/not confirmed \(they unsubscribed\): list\.csv:4: petr@example\.ru/);
      expect(imported.stderr).toMatch(/not confirmed \(on the suppression list.*\): list\.csv:5: bounce@example\.ru/);
      expect(imported.stderr).toMatch(/3 readers were not confirmed .* --resubscribe/);
      // what `subscribers list --json` shows of each, read in this process (the imports are the subject)
      const statuses = async () => {
        const store = await openStore(location);
        try {
          return Object.fromEntries((await store.subscribers.list()).map((x) => [x.email, `${x.status} ${x.source}`]));
        } finally {
          await store.close();
        }
      };
      expect(await statuses()).toEqual({ "anna@example.ru": "confirmed import:list.csv", "petr@example.ru": "unsubscribed cli" });
      // `add --confirmed` keeps them out the same way
      const added = await project.cli(["subscribers", "add", "olga@example.ru", "--confirmed", ...s]);
      expect(added.stderr).toMatch(/not confirmed \(they unsubscribed\): olga@example\.ru/);

      // they agreed again, and the editor says how: confirmed with that as their source; a bounce still is not
      expect((await project.cli(["subscribers", "import", "list.csv", "--resubscribe", " ", ...s])).code).not.toBe(0);
      const back = await project.cli(["subscribers", "import", "list.csv", "--resubscribe", "asked again by phone", ...s]);
      expect(back.code).toBe(0);
      expect(back.stdout).toMatch(/2 readers who had unsubscribed are confirmed again \(--resubscribe: asked again by phone\)/);
      expect(back.stderr).toMatch(/list\.csv:5: bounce@example\.ru/);
      expect(await statuses()).toEqual({
        "anna@example.ru": "confirmed import:list.csv",
        "olga@example.ru": "confirmed resubscribe: asked again by phone",
        "petr@example.ru": "confirmed resubscribe: asked again by phone",
      });
      const after = await openStore(location);
      try {
        expect((await after.suppressions.list()).map((x) => x.email)).toEqual(["bounce@example.ru"]);
      } finally {
        await after.close();
      }
    },
    180_000,
  );

  sendTest(
    "send --subscribers --state reads the subscribers from that store (a postgres:// URL is the database, not a file named after it)",
    async ({ project }) => {
      const { root } = project;
      const state = stateArg(await backend.fresh());
      expect((await project.cli(["subscribers", "add", "anna@example.ru", "--confirmed", "--state", state])).code).toBe(0);
      const r = await project.cli(["send", ISSUE, "--subscribers", "--state", state, "--yes", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ total: 1, sent: 1, exitCode: 0 });
      expect(await readdir(join(root, "outbox", "2026-12-01-hello"))).toEqual(["anna@example.ru.eml"]);
      // nothing made under the newsletter's folder but what a send writes there
      expect((await readdir(root)).filter((f) => /postgres/i.test(f))).toEqual([]);
    },
    120_000,
  );
});

describe("rassylka send --subscribers", () => {
  sendTest(
    "every confirmed, not suppressed subscriber, through the ledger and the outbox; again, nobody twice",
    async ({ project }) => {
      const { root } = project;
      await writeCsv(
        root,
        "list.csv",
        "email,name,city\nanna@example.ru,Анна,Москва\nboris@example.ru,Борис,Тула\noleg@example.ru,Олег,Орёл\n",
      );
      // the list's readers confirmed with their fields (what `subscribers import list.csv --confirmed` records)
      const location: StateLocation = { kind: "sqlite", file: join(root, ".rassylka", "state.sqlite") };
      const store = await openStore(location);
      try {
        await store.subscribers.upsertMany(
          [
            { address: "anna@example.ru", fields: { name: "Анна", city: "Москва" } },
            { address: "boris@example.ru", fields: { name: "Борис", city: "Тула" } },
            { address: "oleg@example.ru", fields: { name: "Олег", city: "Орёл" } },
          ],
          { status: "confirmed", source: "import:list.csv", at: new Date().toISOString() },
        );
      } finally {
        await store.close();
      }
      await seed(location, [["oleg@example.ru", "unsubscribed"]], [], ["pending@example.ru"]);
      const r = await project.cli(["send", ISSUE, "--subscribers", "--yes", "--json"]);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ total: 2, sent: 2, exitCode: 0 });
      const files = (await readdir(join(root, "outbox", "2026-12-01-hello"))).sort();
      expect(files).toEqual(["anna@example.ru.eml", "boris@example.ru.eml"]);
      const mail = await parse(await readFile(join(root, "outbox", "2026-12-01-hello", "boris@example.ru.eml")));
      expect(mail.html).toContain("Здравствуйте, Борис!");
      expect(mail.html).toContain("Город: Тула.");
      // the outbox is a trial: again, every reader's file is written again, and none counts as sent
      const again = await project.cli(["send", ISSUE, "--subscribers", "--yes", "--json"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ trial: true, sent: 2, alreadySent: 0, exitCode: 0 });
      expect((await project.cli(["send", ISSUE, "--subscribers", "--to", "list.csv", "--yes"])).code).toBe(1);
    },
    120_000,
  );

  sendTest(
    "over SMTP, read back from a real smtp-server",
    async ({ project }) => {
      const { root } = project;
      const sink = await project.smtp();
      const location: StateLocation = { kind: "sqlite", file: join(root, ".rassylka", "state.sqlite") };
      const store = await openStore(location);
      await store.subscribers.upsertMany([{ address: "Ivan@Example.ru", fields: { name: "Иван" } }], {
        status: "confirmed",
        source: "cli",
        at: new Date().toISOString(),
      });
      await store.close();
      const r = await project.cli(["send", ISSUE, "--subscribers", "--transport", "smtp", "--yes"], { SMTP_URL: sink.url });
      expect(r.code).toBe(0);
      expect(sink.received.map((m) => m.to.map((a) => a.toLowerCase()))).toEqual([["ivan@example.ru"]]);
      expect((await parse(sink.received[0].raw)).html).toContain("Здравствуйте, Иван!");
      // again: nobody twice
      const again = await project.cli(["send", ISSUE, "--subscribers", "--transport", "smtp", "--yes", "--json"], { SMTP_URL: sink.url });
      expect(JSON.parse(again.stdout)).toMatchObject({ sent: 0, alreadySent: 1, exitCode: 0 });
      expect(sink.received).toHaveLength(1);
    },
    120_000,
  );
});
