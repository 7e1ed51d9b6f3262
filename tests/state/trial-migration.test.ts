import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MIGRATIONS } from "../../src/state/migrations.js";
import { openStore } from "../../src/state/store.js";
import { backends, migrateWith, sql } from "./backends.js";

/**
 * State migration 7 (trials): a state where an outbox send was recorded as delivery (before trials had a
 * ledger of their own) gets those readers back as pending, so the real send reaches them; readers a real
 * transport delivered stay sent.
 */
describe.each(backends())("state migration 7 ($name)", (backend) => {
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  test("readers an outbox send recorded as sent are pending again; SMTP deliveries and trials stay as they were", async () => {
    const location = await backend.fresh();
    const store = await openStore(location, { migrate: false });
    try {
      await migrateWith(
        store,
        MIGRATIONS.filter((m) => m.version < 7),
      );
      const at = "'2026-12-01T10:00:00.000Z'";
      const row = (issue: string, email: string, response: string) =>
        `INSERT INTO send_ledger (issue, email, address, run_id, state, attempts, last_response, message_id, created_at, updated_at, sent_at)
         VALUES ('${issue}', '${email}', '${email}', 1, 'sent', 1, '${response}', '<${email}>', ${at}, ${at}, ${at});`;
      await sql(
        store,
        `INSERT INTO send_runs (issue, content_hash, subject, run_id, started_at, updated_at) VALUES ('2026-12-01-hello', 'h', 'Тема', 1, ${at}, ${at});
         ${row("2026-12-01-hello", "anna@example.ru", "written /srv/news/outbox/2026-12-01-hello/anna@example.ru.eml")}
         ${row("2026-12-01-hello", "boris@example.ru", "250 2.0.0 Ok: queued as 4F2")}
         ${row("test:2026-12-01-hello:w", "vera@example.ru", "written /srv/news/outbox/x/vera@example.ru.eml")}`,
      );
      expect((await store.ledger.counts("2026-12-01-hello")).sent).toBe(2);
      expect((await store.migrate()).applied.map((m) => m.version)).toContain(7);
      const rows = await sql<{ email: string; state: string; sent_at: string | null }>(
        store,
        "SELECT email, state, sent_at FROM send_ledger ORDER BY email",
      );
      expect(rows).toEqual([
        { email: "anna@example.ru", state: "pending", sent_at: null },
        { email: "boris@example.ru", state: "sent", sent_at: expect.any(String) },
        { email: "vera@example.ru", state: "sent", sent_at: expect.any(String) },
      ]);
      // the runs made before it name no transport
      expect(await store.ledger.getRun("2026-12-01-hello")).toMatchObject({ transport: null });
    } finally {
      await store.close();
    }
  });
});
