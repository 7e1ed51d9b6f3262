import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isRassylkaError } from "../../src/diagnostics.js";
import { copyState } from "../../src/state/copy.js";
import { latestVersion, MIGRATIONS } from "../../src/state/migrations.js";
import { type Steps, sql as sqlOf, step } from "../../src/state/sql.js";
import { COPY_COLUMNS, openStore, STATE_TABLES, type StateStore, type Store } from "../../src/state/store.js";
import { PG_PASSWORD } from "../helpers/postgres.js";
import { backends, dump, migrateWith, migration, seedSqlite, sql } from "./backends.js";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(backends())("the $name store", (backend) => {
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  async function withStore<T>(fn: (store: Store) => Promise<T>, store?: Store): Promise<T> {
    const s = store ?? (await openStore(await backend.fresh()));
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  // the Sendsay campaign records behind the seam
  test("campaigns: begin, update, latest (refused attempts do not count), all by issue", () =>
    withStore(async (store) => {
      const c = store.campaigns;
      expect(await c.latest("i1", "g1", "acc")).toBeUndefined();
      const first = await c.begin("i1", "g1", "acc", "h1", "Тема");
      expect(typeof first).toBe("number");
      await c.update(first, { state: "rejected", error: "error/group/not_found" });
      expect(await c.latest("i1", "g1", "acc")).toBeUndefined();
      const second = await c.begin("i1", "g1", "acc", "h1", "Тема");
      expect(second).toBeGreaterThan(first);
      await c.update(second, { state: "submitted", trackId: "1000" });
      await c.update(second, { trackStatus: 3 }); // only the fields given change
      const other = await c.begin("i2", "g1", "acc", "h2", "Другая");
      expect(await c.latest("i1", "g1", "acc")).toMatchObject({
        id: second,
        issue: "i1",
        groupId: "g1",
        login: "acc",
        contentHash: "h1",
        state: "submitted",
        trackId: "1000",
        trackStatus: 3,
        error: null,
      });
      expect(await c.latest("i1", "g2", "acc")).toBeUndefined();
      expect(await c.latest("i1", "g1", "other")).toBeUndefined();
      expect((await c.all("i1")).map((r) => [r.id, r.state])).toEqual([
        [first, "rejected"],
        [second, "submitted"],
      ]);
      const all = await c.all();
      expect(all.map((r) => r.id)).toEqual([first, second, other]);
      for (const r of all) {
        expect(r.createdAt).toMatch(ISO_MS);
        expect(r.updatedAt).toMatch(ISO_MS);
      }
    }));

  // the seam's units of steps (the send loop's record-and-claim): synchronous on SQLite, awaited on PostgreSQL
  test("work(): a unit's statements answer in order; in a transaction a failure part-way leaves nothing written", () =>
    withStore(async (store) => {
      const db = (store as StateStore).sql;
      const add = (email: string) =>
        sqlOf`INSERT INTO suppressed (email, reason, source, created_at) VALUES (${email}, 'manual', 'test', ${db.dialect.now})`;
      function* unit(fail: boolean): Steps<number> {
        const before = (yield* step.get<{ n: number }>(sqlOf`SELECT count(*) AS n FROM suppressed`))!.n;
        yield* step.run(add("a@example.ru"));
        if (fail) yield* step.run(add("a@example.ru")); // the primary key refuses it
        return before + (yield* step.all(sqlOf`SELECT email FROM suppressed`)).length;
      }
      await expect(db.work(() => unit(true), { tx: true })).rejects.toThrow();
      expect(await store.suppressions.count()).toBe(0);
      // a unit that catches the failure of a statement goes on (the generator sees the error)
      function* tolerant(): Steps<string> {
        try {
          yield* step.run(sqlOf`INSERT INTO no_such_table VALUES (1)`);
          return "ran";
        } catch {
          return "caught";
        }
      }
      expect(await db.work(tolerant, { tx: true })).toBe("caught");
      // SQLite: a unit started while a transaction is open waits for it (one at a time in a process) and sees
      // its rows; PostgreSQL runs the two side by side, so there the second starts after the first
      const first = db.tx(async (t) => (await t.run(add("b@example.ru"))) + (await t.run(add("c@example.ru"))));
      if (backend.name === "postgres") await first;
      const [x, y] = await Promise.all([first, db.work(() => unit(false), { tx: true })]);
      expect(x).toBe(2);
      expect(y).toBe(5);
      expect(await db.work(() => unit(false)).catch((e: Error) => e.message)).toMatch(/unique|duplicate/i);
      expect(await store.suppressions.count()).toBe(3);
    }));

  describe("suppressions", () => {
    test("add, has, list, count, remove: keyed by the canonical address, whatever its case", () =>
      withStore(async (store) => {
        const s = store.suppressions;
        expect(await s.add(" Ivan.Petrov@Example.RU ", "unsubscribed", "one-click")).toBe(true);
        expect(await s.add("ivan.petrov@example.ru", "bounced")).toBe(false);
        expect(await s.add("anna@example.ru")).toBe(true);
        expect(await s.has("IVAN.PETROV@example.ru")).toBe(true);
        expect(await s.has("olga@example.ru")).toBe(false);
        expect(await s.count()).toBe(2);
        // oldest first; two in the same millisecond (SQLite keeps milliseconds) by address
        const list = (await s.list()).sort((a, b) => a.email.localeCompare(b.email));
        expect(list).toMatchObject([
          { email: "anna@example.ru", reason: "manual", source: null },
          { email: "ivan.petrov@example.ru", reason: "unsubscribed", source: "one-click" },
        ]);
        for (const row of list) expect(row.created_at).toMatch(ISO_MS);
        expect(await s.remove("Anna@Example.ru")).toBe(true);
        expect(await s.remove("anna@example.ru")).toBe(false);
        expect(await s.count()).toBe(1);
      }));

    test("addMany is one group: an address already there, or twice in the group, is not new", () =>
      withStore(async (store) => {
        const s = store.suppressions;
        await s.add("old@example.ru");
        const added = await s.addMany([
          { email: "new@example.ru", reason: "unsubscribed", source: "one-click" },
          { email: "OLD@example.ru" },
          { email: "New@Example.ru" },
          { email: "other@example.ru", reason: "complained" },
        ]);
        expect(added).toEqual([true, false, false, true]);
        expect(await s.addMany([])).toEqual([]);
        expect((await s.list()).map((r) => [r.email, r.reason]).sort()).toEqual([
          ["new@example.ru", "unsubscribed"],
          ["old@example.ru", "manual"],
          ["other@example.ru", "complained"],
        ]);
      }));

    test("what one connection records, another one (another process, another machine) sees at once", async () => {
      const location = await backend.fresh();
      const web = await openStore(location);
      const sender = await openStore(location);
      try {
        expect(await sender.suppressions.has("reader@example.ru")).toBe(false);
        await web.suppressions.addMany([{ email: "Reader@example.ru", reason: "unsubscribed", source: "one-click" }]);
        expect(await sender.suppressions.has("reader@example.ru")).toBe(true);
      } finally {
        await web.close();
        await sender.close();
      }
    });
  });

  describe("migrations", () => {
    const latest = latestVersion(MIGRATIONS);
    const all = MIGRATIONS.map(({ version, name }) => ({ version, name }));

    test("opening a new state applies every migration; opening it again applies none", async () => {
      const location = await backend.fresh();
      await withStore(
        async (store) => {
          expect(await store.schemaVersion()).toBe(latest);
          expect(await store.migrate()).toEqual({ applied: [], version: latest });
        },
        await openStore(location),
      );
      await withStore(async (store) => expect(await store.schemaVersion()).toBe(latest), await openStore(location));
    });

    test("opened with migrate: false, migrate() applies them and says which", async () => {
      const store = await openStore(await backend.fresh(), { migrate: false });
      await withStore(async (s) => {
        expect(await s.schemaVersion()).toBe(0);
        expect(await s.migrate()).toEqual({ applied: all, version: latest });
        expect(await s.migrate()).toEqual({ applied: [], version: latest });
      }, store);
    });

    test("a migration numbered below one already applied is still applied (3 may come before 2)", async () => {
      const store = await openStore(await backend.fresh(), { migrate: false });
      const migrate = (list: ReturnType<typeof migration>[]) => migrateWith(store, list);
      try {
        const [one, two, three] = [1, 2, 3].map((v) => migration(v, `CREATE TABLE t${v} (x int)`));
        expect((await migrate([one, three])).applied.map((m) => m.version)).toEqual([1, 3]);
        expect(await migrate([one, two, three])).toEqual({ applied: [{ version: 2, name: "m2" }], version: 3 });
        expect(await migrate([one, two, three])).toEqual({ applied: [], version: 3 });
      } finally {
        await store.close();
      }
    });

    test("concurrent first opens apply each migration once", async () => {
      const location = await backend.fresh();
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore(location, { migrate: false })));
      try {
        const results = await Promise.all(stores.map((s) => s.migrate()));
        expect(results.flatMap((r) => r.applied)).toEqual(all);
        expect(results.map((r) => r.version)).toEqual([latest, latest, latest, latest]);
        for (const s of stores) expect(await s.suppressions.count()).toBe(0);
      } finally {
        for (const s of stores) await s.close();
      }
    });

    test("a state migrated by a newer rassylka is refused, with the fix", async () => {
      const location = await backend.fresh();
      const store = await openStore(location);
      await sql(store, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
      await store.close();
      const error = await openStore(location).catch((e: unknown) => e);
      expect(isRassylkaError(error)).toBe(true);
      if (!isRassylkaError(error)) return;
      expect(error.diagnostics[0]).toMatchObject({ ruleId: "state/newer-schema" });
      expect(error.diagnostics[0].message).toContain("schema version 99");
      expect(error.diagnostics[0].fix).toContain("upgrade rassylka");
    });

    test("every table exists with every column the copy moves (read from the database's catalogue)", () =>
      withStore(async (store) => {
        // expected independently of the store's own reading (rows() of a missing table yields nothing): the
        // tables the migrations create, plus every table `state copy` moves; found: what the catalogue lists
        const created = MIGRATIONS.flatMap((m) =>
          typeof m[backend.name] === "string"
            ? [...(m[backend.name] as string).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((x) => x[1])
            : [],
        );
        const expected = [
          ...new Set([...created, ...STATE_TABLES, "send_ledger", "send_workers", "subscribe_limits", "schema_migrations"]),
        ];
        expect(expected).toEqual(expect.arrayContaining(["bounces", "bounce_messages", "subscribers", "send_invalid", "suppressed"]));
        const columns = await sql<{ table_name: string; column_name: string }>(
          store,
          backend.name === "postgres"
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            : "SELECT m.name AS table_name, c.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table'",
        );
        const found = new Set(columns.map((c) => c.table_name));
        for (const table of expected) expect(found.has(table), table).toBe(true);
        const has = (t: string, c: string) => columns.some((r) => r.table_name === t && r.column_name === c);
        for (const table of STATE_TABLES) for (const c of COPY_COLUMNS[table]) expect(has(table, c), `${table}.${c}`).toBe(true);
        // the lease of a claim, and the ledger columns a file made before migrations gets in place
        for (const c of ["claimed_by", "lease_expires_at", "listed_by", "in_doubt", "deferred_since"])
          expect(has("send_ledger", c), c).toBe(true);
        for (const table of STATE_TABLES) {
          const batches = [];
          for await (const b of store.rows(table)) batches.push(b);
          expect(batches, table).toEqual([]);
          expect(await store.insertMissing(table, [])).toBe(0);
        }
      }));
  });

  describe("state copy", () => {
    test("a state file copies in whole, counts per table; again, nothing twice; and back again, the same rows", async () => {
      const sourceLocation = { kind: "sqlite" as const, file: tmpFile() };
      await seedSqlite(sourceLocation.file);
      const source = await openStore(sourceLocation, { readonly: true });
      const target = await openStore(await backend.fresh());
      const back = await openStore({ kind: "sqlite", file: tmpFile() });
      try {
        const first = await copyState(source, target, { batchSize: 3 });
        expect(first).toEqual([
          { table: "send_runs", read: 2, copied: 2 },
          { table: "send_ledger", read: 8, copied: 8 },
          { table: "suppressed", read: 3, copied: 3 },
          { table: "sendsay_campaigns", read: 2, copied: 2 },
          { table: "subscribers", read: 2, copied: 2 },
          { table: "bounces", read: 0, copied: 0 },
          { table: "bounce_messages", read: 0, copied: 0 },
          { table: "send_invalid", read: 2, copied: 2 },
          { table: "unverified_bounces", read: 0, copied: 0 },
          { table: "tracked_issues", read: 0, copied: 0 },
          { table: "issue_links", read: 0, copied: 0 },
          { table: "click_events", read: 0, copied: 0 },
          { table: "open_events", read: 0, copied: 0 },
          { table: "event_totals", read: 0, copied: 0 },
          { table: "polls", read: 1, copied: 1 },
          { table: "poll_votes", read: 2, copied: 2 },
          { table: "scheduled_issues", read: 1, copied: 1 },
          { table: "ab_tests", read: 1, copied: 1 },
        ]);
        const again = await copyState(source, target);
        expect(again.map((t) => [t.table, t.read, t.copied])).toEqual([
          ["send_runs", 2, 0],
          ["send_ledger", 8, 0],
          ["suppressed", 3, 0],
          ["sendsay_campaigns", 2, 0],
          ["subscribers", 2, 0],
          ["bounces", 0, 0],
          ["bounce_messages", 0, 0],
          ["send_invalid", 2, 0],
          ["unverified_bounces", 0, 0],
          ["tracked_issues", 0, 0],
          ["issue_links", 0, 0],
          ["click_events", 0, 0],
          ["open_events", 0, 0],
          ["event_totals", 0, 0],
          ["polls", 1, 0],
          ["poll_votes", 2, 0],
          ["scheduled_issues", 1, 0],
          ["ab_tests", 1, 0],
        ]);
        expect(await target.suppressions.has("unsub@example.ru")).toBe(true);
        expect(await target.suppressions.count()).toBe(3);

        await copyState(target, back, { batchSize: 2 });
        const original = await dump(source);
        expect(await dump(target)).toEqual(original);
        expect(await dump(back)).toEqual(original);
        expect(original.send_ledger).toContainEqual(
          expect.objectContaining({
            email: "anna@example.ru",
            address: "Anna@Example.ru",
            fields: { name: "Анна", city: "Москва" },
            reader_key: "1111111111111111",
          }),
        );
      } finally {
        for (const s of [source, target, back]) await s.close();
      }
    });

    test("rows the target already has are kept as they are there", async () => {
      const file = tmpFile();
      await seedSqlite(file);
      const source = await openStore({ kind: "sqlite", file }, { readonly: true });
      const target = await openStore(await backend.fresh());
      try {
        await target.suppressions.add("UNSUB@example.ru", "manual", "cli");
        const result = await copyState(source, target);
        expect(result.find((t) => t.table === "suppressed")).toEqual({ table: "suppressed", read: 3, copied: 2 });
        expect((await target.suppressions.list()).find((s) => s.email === "unsub@example.ru")).toMatchObject({ reason: "manual" });
      } finally {
        await source.close();
        await target.close();
      }
    });
  });

  if (backend.name === "postgres") {
    test("a store's location never shows the password", async () => {
      const location = await backend.fresh();
      await withStore(
        async (store) => {
          expect(store.location).toMatch(/^postgres:\/\/rassylka:\*\*\*@127\.0\.0\.1:\d+\/t_\d+$/);
          expect(store.location).not.toContain(PG_PASSWORD);
        },
        await openStore(location),
      );
    });
  }
});

let files = 0;
const tmpDir = `${process.env.TMPDIR ?? "/tmp"}/rsk-store-${process.pid}`;
function tmpFile(): string {
  return `${tmpDir}/source-${++files}.sqlite`;
}
afterAll(async () => {
  const { rm } = await import("node:fs/promises");
  await rm(tmpDir, { recursive: true, force: true });
});
