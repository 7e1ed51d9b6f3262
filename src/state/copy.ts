import { error, RassylkaError } from "../diagnostics.js";
import { type Lang, translator } from "../i18n/index.js";
import { STATE_TABLES, type StateTable, type Store } from "./store.js";

/**
 * `rassylka state copy`: every table of one store into another (usually a state file into the shared
 * PostgreSQL database). Rows are matched by what they are, not by local ids (store.ts `COPY_KEYS`), so a
 * second run — or a run after an interrupted one — copies only what is missing; a row the target already
 * has is kept as it is there. Each batch commits on its own: an interrupted copy is finished by running
 * it again. Ledger rows left in flight in the source (a send that crashed or still runs there) arrive in
 * flight with no lease, so the next send takes them and reports them as resent.
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
