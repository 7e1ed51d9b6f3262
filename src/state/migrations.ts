import { error, RassylkaError } from "../diagnostics.js";
import { t } from "../i18n/index.js";
import baseline from "./migrations/001-baseline.js";
import leases from "./migrations/002-leases.js";
import bounces from "./migrations/003-bounces.js";
import subscribers from "./migrations/004-subscribers.js";
import invalidRows from "./migrations/005-invalid-rows.js";
import audienceAndUnverified from "./migrations/006-audience-and-unverified-bounces.js";
import trials from "./migrations/007-trials.js";
import clicks from "./migrations/008-clicks.js";
import schedule from "./migrations/009-schedule.js";
import polls from "./migrations/010-polls.js";
import topics from "./migrations/011-topics.js";
import abTests from "./migrations/012-ab-tests.js";
import readerKeys from "./migrations/013-reader-keys.js";
import sendsayListMembers from "./migrations/014-sendsay-list-members.js";
import { type Db, sql, tableExists } from "./sql.js";

/**
 * Versioned schema migrations, one file each (src/state/migrations/NNN-name.ts) with both databases'
 * DDL side by side, and the one runner below. A database records what it has in `schema_migrations
 * (version, name, applied_at)`; opening a store applies the missing ones (and `rassylka state migrate`
 * does it explicitly and says what it applied). Never edit a migration that has shipped: add the next
 * number. Both sides must give a table the same meaning, so a row copied from one database to the other
 * (`rassylka state copy`) means the same thing there.
 */
export interface Migration {
  version: number;
  name: string;
  /** A DDL script, or a step DDL alone cannot say, over the seam. */
  sqlite: string | ((db: Db) => Promise<void>);
  postgres: string | ((db: Db) => Promise<void>);
}

export interface MigrationResult {
  /** What this call applied, in order (empty when the database was up to date). */
  applied: { version: number; name: string }[];
  /** The database's schema version afterwards. */
  version: number;
}

/** Numbers are handed out per feature, so one may arrive before a lower one: the runner applies what is missing. */
export const MIGRATIONS: readonly Migration[] = [
  baseline,
  leases,
  bounces,
  subscribers,
  invalidRows,
  audienceAndUnverified,
  trials,
  clicks,
  schedule,
  polls,
  topics,
  abTests,
  readerKeys,
  sendsayListMembers,
];

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 0);
}

/** A database migrated by a newer rassylka: this one does not know its tables, so it must not write them. */
export function newerSchemaError(where: string, version: number, known: number): RassylkaError {
  return new RassylkaError(
    error("state/newer-schema", t("state:newerSchema", { where, version, known }), { fix: t("state:newerSchema.fix") }),
  );
}

/** The versions a database records (none before its first migration). */
async function applied(db: Db): Promise<Set<number>> {
  if (!(await tableExists(db, "schema_migrations"))) return new Set();
  return new Set((await db.all<{ version: number }>(sql`SELECT version FROM schema_migrations`)).map((r) => r.version));
}

/** The schema version the database has now (0: never migrated). */
export async function schemaVersion(db: Db): Promise<number> {
  return Math.max(0, ...(await applied(db)));
}

/**
 * Applies the missing migrations. Up to date is answered without a lock or any DDL (a PostgreSQL user
 * without CREATE can run `serve` once the owner migrated; opening a file a send is writing does not
 * wait). Otherwise one transaction re-reads what is there and applies the rest, so processes opening
 * a new state at once apply each migration once (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
 * By set, not by the highest number: a database that has 4 but not 2 (made while 2 was on another
 * branch) still gets 2.
 */
export async function migrate(db: Db, where: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const known = latestVersion(migrations);
  const before = await applied(db);
  const current = Math.max(0, ...before);
  if (current > known) throw newerSchemaError(where, current, known);
  if (migrations.every((m) => before.has(m.version))) return { applied: [], version: current };
  return db.tx(
    async (t) => {
      await t.exec(t.dialect.migrationsTable);
      const have = await applied(t);
      const done: MigrationResult["applied"] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (have.has(m.version)) continue;
        const step = m[t.dialect.name];
        await (typeof step === "string" ? t.exec(step) : step(t));
        await t.run(sql`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`);
        done.push({ version: m.version, name: m.name });
      }
      return { applied: done, version: Math.max(known, ...have) };
    },
    ["rassylka:schema_migrations"],
  );
}
