// The welcome issue a confirmed reader gets (subscribe.welcome), on both state backends: it goes through
// send's ledger in the same store serve uses, so the shared PostgreSQL state sends it too (it was SQLite only).
// Over SMTP (a real smtp-server): a welcome written to the outbox is a trial, which never counts as sending.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { subscribeBackend } from "../../src/server/subscribe-backend.js";
import type { StateLocation } from "../../src/state/location.js";
import { openStore } from "../../src/state/store.js";
import type { Subscriber } from "../../src/state/subscribers.js";
import { copyExampleNewsletter, writeFiles } from "../helpers/newsletter.js";
import { connectPostgres, type TestPostgres } from "../helpers/postgres.js";
import { startSmtp } from "../send/helpers.js";
import { subscribeYaml } from "../site/fixtures.js";

const WELCOME = "2026-11-10-tekushchaya-debitorka";
const SECRET = "serve-subscribe-secret-0123456789";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await connectPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.close();
});

const reader = (address: string): Subscriber => ({
  email: address,
  address,
  status: "confirmed",
  fields: { name: "Мария" },
  source: "form",
  consent: { at: "2026-12-01T10:00:00.000Z", ip: "127.0.0.1", userAgent: "test", page: "/", text: "Да", textHash: "x" },
  confirmed: { at: "2026-12-01T10:05:00.000Z", ip: "127.0.0.1", userAgent: "test" },
  unsubscribedAt: null,
  topics: null,
  topicsChanged: { at: null, source: null },
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:05:00.000Z",
});

describe.each(["sqlite", "postgres"] as const)("the welcome issue on %s state", (kind) => {
  test("a confirmed reader gets it once, recorded in that store's ledger", async () => {
    const t = await copyExampleNewsletter();
    try {
      await writeFiles(t.dir, { "newsletter.yaml": await subscribeYaml(`  welcome: ${WELCOME}\n`) });
      const location: StateLocation =
        kind === "postgres" ? { kind, url: await pg.database() } : { kind, file: join(t.dir, ".rassylka", "state.sqlite") };
      const store = await openStore(location);
      const out: string[] = [];
      const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
      const { config } = await loadConfig(t.dir);
      const sink = await startSmtp();
      const env = { PATH: process.env.PATH, RASSYLKA_SECRET: SECRET, SMTP_URL: sink.url };
      const backend = subscribeBackend(t.dir, config, store, location, env, io);
      try {
        backend.options.onConfirmed?.(reader("maria@example.ru"));
        backend.options.onConfirmed?.(reader("maria@example.ru"));
        await backend.close();
        expect(out.join("\n")).not.toMatch(/error|warning/);
        expect(out.filter((l) => l.startsWith("welcome:")).map((l) => JSON.parse(l.slice(9)))).toMatchObject([
          { issue: WELCOME, sent: 1 },
          { issue: WELCOME, sent: 0, alreadySent: 1 },
        ]);
        expect(sink.received.map((m) => m.to)).toEqual([["maria@example.ru"]]);
        expect(await store.ledger.isSent(WELCOME, "maria@example.ru")).toBe(true);
      } finally {
        await sink.close();
        await store.close();
      }
    } finally {
      await t.remove();
    }
  }, 120_000);
});
