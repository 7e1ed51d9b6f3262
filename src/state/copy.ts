import { error, RassylkaError } from "../diagnostics.js";
import { type Lang, translator } from "../i18n/index.js";
import { addressKey } from "../identity/address.js";
import { bulk, type Db, join, raw, sql, tableExists } from "./sql.js";
import { COPY_COLUMNS, COPY_KEYS, copyConflict, STATE_TABLES, type StateRows, type StateTable, type Store } from "./store.js";

/**
 * `rassylka state copy`: every table of one store into another (usually a state file into the shared
 * PostgreSQL database), from the one list of tables (store.ts `STATE_TABLES`). Rows are matched by what
 * they are, not by local ids (store.ts `COPY_KEYS`), so a second run — or a run after an interrupted one —
 * copies only what is missing; a row the target already has is kept as it is there. Each batch commits
 * on its own: an interrupted copy is finished by running it again. Ledger rows left in flight in the
 * source (a send that crashed or still runs there) arrive in flight with no lease, so the next send takes
 * them and reports them as resent.
 */
export interface TableCopy {
  table: StateTable;
  /** Rows in the source. */
  read: number;
  /** Rows inserted into the target (the rest were there already). */
  copied: number;
}

export async function copyState(
  from: Store,
  to: Store,
  options: { batchSize?: number; onBatch?: (table: StateTable, read: number) => void; lang?: Lang } = {},
): Promise<TableCopy[]> {
  await refuseLiveSend(from, "source", options.lang);
  await refuseLiveSend(to, "target", options.lang);
  const out: TableCopy[] = [];
  for (const table of STATE_TABLES) {
    const result: TableCopy = { table, read: 0, copied: 0 };
    for await (const batch of from.rows(table, options.batchSize ?? 1000)) {
      result.read += batch.length;
      result.copied += await to.insertMissing(table, batch);
      options.onBatch?.(table, result.read);
    }
    out.push(result);
  }
  return out;
}

/** A worker of some issue whose lease has not expired: that store is being sent from now. */
async function refuseLiveSend(store: Store, which: "source" | "target", lang: Lang = "en"): Promise<void> {
  for (const run of await store.ledger.issues()) {
    const live = (await store.ledger.workers(run.issue)).find((w) => w.live);
    if (!live) continue;
    const { t } = translator(lang);
    throw new RassylkaError(
      error(
        "state/copy-live-send",
        t("state-copy:liveSend", {
          which: t(`state-copy:${which}`),
          where: store.location,
          issue: run.issue,
          worker: live.worker,
          pid: live.pid,
          host: live.host,
          started: live.startedAt,
        }),
        { field: which === "source" ? "--from" : "--to", fix: t("state-copy:liveSendFix") },
      ),
    );
  }
}
/** A table's rows in batches, keyset-paged (no statement stays open between the batches the caller awaits). A missing table has none. */
export async function* pageRows<T extends StateTable>(db: Db, table: T, batchSize: number): AsyncIterable<StateRows[T][]> {
  if (!(await tableExists(db, table))) return;
  const key = db.dialect.pageKey(table);
  const select = sql`SELECT ${key} AS _key, ${raw(COPY_COLUMNS[table].join(", "))} FROM ${raw(table)}`;
  let after: unknown;
  for (;;) {
    const where = after === undefined ? sql`` : sql`WHERE ${key} > ${after}`;
    const rows = await db.all<StateRows[T] & { _key: unknown }>(sql`${select} ${where} ORDER BY ${key} LIMIT ${batchSize}`);
    if (!rows.length) return;
    after = rows[rows.length - 1]._key;
    yield rows.map(({ _key, ...r }) => r as unknown as StateRows[T]);
    if (rows.length < batchSize) return;
  }
}

/**
 * Inserts the rows the database does not hold yet; how many it inserted. Campaign records (one per
 * submission attempt, keyed by a local id) are matched by their identity; every other table by its key.
 */
export async function insertMissing<T extends StateTable>(db: Db, table: T, rows: StateRows[T][]): Promise<number> {
  if (!rows.length) return 0;
  const columns = COPY_COLUMNS[table] as readonly string[];
  const keys = COPY_KEYS[table] as readonly string[];
  const into = sql`INSERT INTO ${raw(table)} (${raw(columns.join(", "))})`;
  const value = (r: Record<string, unknown>, c: string) =>
    table === "suppressed" && c === "email" ? addressKey(r.email as string) : (r[c] ?? null);
  const records = rows as unknown as Record<string, unknown>[];
  return db.tx(async (t) => {
    let inserted = 0;
    if (table !== "sendsay_campaigns") {
      for (let i = 0; i < records.length; i += 500) {
        const values = bulk(records.slice(i, i + 500).map((r) => columns.map((c) => value(r, c))));
        inserted += await t.run(
          sql`${into} VALUES ${values} ON CONFLICT (${raw(keys.join(", "))}) ${raw(copyConflict(table, columns, keys, table))}`,
        );
      }
      return inserted;
    }
    for (const r of records) {
      const same = join(
        keys.map((k) => sql`${raw(k)} = ${value(r, k)}`),
        " AND ",
      );
      if (await t.get(sql`SELECT 1 AS x FROM ${raw(table)} WHERE ${same}`)) continue;
      inserted += await t.run(sql`${into} VALUES (${join(columns.map((c) => value(r, c)))})`);
    }
    return inserted;
  });
}
