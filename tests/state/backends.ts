import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openState } from "../../src/state/db.js";
import type { StateLocation } from "../../src/state/location.js";
import type { Migration } from "../../src/state/migrations.js";
import { raw } from "../../src/state/sql.js";
import { sqliteStore } from "../../src/state/sqlite.js";
import { COPY_KEYS, openStore, STATE_TABLES, type StateRows, type StateStore, type StateTable, type Store } from "../../src/state/store.js";
import { connectPostgres, type TestPostgres } from "../helpers/postgres.js";

/**
 * The two backends one test suite runs against (describe.each): each gives fresh, empty locations.
 * `start` in beforeAll, `stop` in afterAll; the PostgreSQL one makes its databases in the run's cluster
 * (tests/global-setup.ts) and drops them at `stop`.
 */
export interface Backend {
  name: "sqlite" | "postgres";
  start(): Promise<void>;
  /** A new empty state: a file that does not exist yet, or a new database. */
  fresh(): Promise<StateLocation>;
  stop(): Promise<void>;
}

/** `fn` with a store opened on a fresh, empty location of `backend`, closed after. */
export async function withFreshStore<T>(backend: Backend, fn: (store: Store) => Promise<T>): Promise<T> {
  const s = await openStore(await backend.fresh());
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export function backends(): Backend[] {
  let dir = "";
  let n = 0;
  let pg: TestPostgres | undefined;
  return [
    {
      name: "sqlite",
      async start() {
        dir = await mkdtemp(join(tmpdir(), "rsk-state-"));
      },
      async fresh() {
        return { kind: "sqlite", file: join(dir, `state-${++n}.sqlite`) };
      },
      async stop() {
        if (dir) await rm(dir, { recursive: true, force: true });
      },
    },
    {
      name: "postgres",
      async start() {
        pg = await connectPostgres();
      },
      async fresh() {
        if (!pg) throw new Error("postgres backend not started");
        return { kind: "postgres", url: await pg.database() };
      },
      async stop() {
        await pg?.close();
      },
    },
  ];
}

/**
 * A state file with something in every table, written by the real code that writes it in a send:
 * two issues' runs, ledger rows sent, failed, deferred and pending, suppressions, a campaign, a poll and its votes, a scheduled issue.
 */
export async function seedSqlite(file: string): Promise<void> {
  const db = await openState(file);
  try {
    const store = sqliteStore(db);
    const ledger = store.ledger;
    for (const issue of ["2026-11-10-a", "2026-11-24-b"]) {
      const runId = await ledger.beginRun(issue, `hash-${issue}`, `Тема ${issue}`);
      await ledger.addRecipients(
        issue,
        runId,
        ["ivan@example.ru", "Anna@Example.ru", "olga@example.ru", "petr@example.ru"].map((address, i) => ({
          email: address.toLowerCase(),
          address,
          fields: { name: ["Иван", "Анна", "Ольга", "Пётр"][i], city: "Москва" },
          line: i + 2,
          messageId: `<${issue}.${i}@example.ru>`,
          // the reader's key as a send keeps it (migration 13); the last one as a row written before it
          ...(i < 3 ? { readerKey: `${i}`.repeat(16) } : {}),
        })),
      );
      await ledger.setListStats(issue, { total: 4, invalid: 1, duplicates: 0 });
      await ledger.addInvalid(issue, runId, [{ line: 6, address: "not-an-address", reason: "not an email address" }]);
      const { claimed } = await ledger.recordAndClaim(issue, runId, [], 3);
      await ledger.record([
        { id: claimed[0].id, state: "sent", attempts: 1, code: 250, response: "250 OK", providerId: "q1" },
        { id: claimed[1].id, state: "failed", attempts: 1, code: 550, response: "550 no such user" },
        { id: claimed[2].id, state: "deferred", attempts: 1, code: 451, response: "451 try later", nextAt: 1_800_000_000_000 },
      ]);
      await ledger.endRun(issue);
    }
    const s = store.suppressions;
    await s.add("Unsub@Example.ru", "unsubscribed", "one-click");
    await s.add("bounce@example.ru", "bounced", "import:b.csv");
    await s.add("manual@example.ru");
    const campaigns = store.campaigns;
    const id = await campaigns.begin("2026-11-10-a", "group-1", "login", "hash-a", "Тема");
    await campaigns.update(id, { state: "submitted", trackId: "77", trackStatus: 0 });
    await campaigns.begin("2026-11-24-b", "group-1", "login", "hash-b", "Тема b");
    const subscribers = store.subscribers;
    await subscribers.request({
      address: "Pending@Example.ru",
      fields: { name: "Вера" },
      consent: { ip: "203.0.113.9", userAgent: "UA", page: "https://example.ru/", text: "Согласен" },
      nonce: "seed",
      at: "2026-11-30T12:00:00.000Z",
    });
    await subscribers.upsertMany([{ address: "ivan@example.ru", fields: { name: "Иван" } }], {
      status: "confirmed",
      source: "import:list.csv",
      at: "2026-11-30T12:00:01.000Z",
    });
    await store.polls.savePolls("2026-11-24-b", [{ id: "next-topic", question: "Какую тему?", answers: ["Дебиторка", "Цена"] }]);
    await store.polls.vote("next-topic", "00000000000000a1", 1, "2026-11-30T12:00:02.000Z");
    await store.polls.vote("next-topic", "00000000000000b2", 1, "2026-11-30T12:00:03.000Z");
    // a changed vote: the row brought up to date, not a second one
    await store.polls.vote("next-topic", "00000000000000b2", 2, "2026-11-30T12:00:04.000Z");
    await store.schedule.put({
      slug: "2026-12-15-c",
      subject: "Тема c",
      sendAt: "2026-12-15T07:00:00.000Z",
      lateLimitMs: 6 * 3600_000,
      state: "scheduled",
      audience: "subscribers",
      contentHash: "hash-c",
      issue: '{"compiled":{},"config":{}}',
    });
    await store.ab.begin("2026-11-24-b", {
      subjects: ["Тема b", "Другая тема b"],
      sample: 0.1,
      waitMinutes: 240,
      metric: "clicks",
      listId: "list.example.ru",
    });
  } finally {
    db.close();
  }
}

/** Every table's rows, sorted by their copy key, JSON fields parsed: what two equal states share. */
export async function dump(store: Store): Promise<Record<StateTable, unknown[]>> {
  const out = {} as Record<StateTable, unknown[]>;
  for (const table of STATE_TABLES) {
    const rows: StateRows[StateTable][] = [];
    for await (const batch of store.rows(table, 3)) rows.push(...batch);
    const key = (r: StateRows[StateTable]) =>
      COPY_KEYS[table].map((k) => String((r as unknown as Record<string, unknown>)[k])).join("\u0000");
    out[table] = rows.sort((a, b) => key(a).localeCompare(key(b))).map((r) => ("fields" in r ? { ...r, fields: JSON.parse(r.fields) } : r));
  }
  return out;
}

/** A query without parameters, straight on either backend (for what a test reads or breaks by hand). */
export async function sql<T = Record<string, unknown>>(store: Store, text: string): Promise<T[]> {
  const db = (store as StateStore).sql;
  if (/^\s*(select|with)/i.test(text)) return db.all<T>(raw(text));
  await db.exec(text);
  return [];
}

/** A migration whose DDL is the same on both databases (for what the runner does with a list). */
export function migration(version: number, ddl: string): Migration {
  return { version, name: `m${version}`, sqlite: ddl, postgres: ddl };
}

/** Runs the store's migration runner over another list. */
export function migrateWith(store: Store, list: readonly Migration[]) {
  return (store as StateStore).migrate(list);
}
