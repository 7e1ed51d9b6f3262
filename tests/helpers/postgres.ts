import { randomInt } from "node:crypto";
import { inject } from "vitest";
import { databases, type PostgresCluster } from "./postgres-cluster.js";

export { PG_PASSWORD, type PostgresCluster } from "./postgres-cluster.js";

/**
 * The run's one PostgreSQL cluster (started by tests/global-setup.ts, see ./postgres-cluster.ts), for
 * one test file: fresh empty databases in it, dropped again by `close()`.
 *
 *   const pg = await connectPostgres();        // beforeAll
 *   const url = await pg.database();           // postgres://rassylka:…@127.0.0.1:PORT/t_…
 *   await pg.close();                          // afterAll
 */
declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresCluster;
  }
}

export interface TestPostgres extends PostgresCluster {
  /** A new empty database owned by `rassylka`; its URL. */
  database(name?: string): Promise<string>;
  /** Drops the databases this file made (closing whatever still uses them). */
  close(): Promise<void>;
}

export async function connectPostgres(): Promise<TestPostgres> {
  const cluster = inject("postgres");
  if (!cluster)
    throw new Error("no PostgreSQL cluster: this file runs in the integration lane only (vitest.config.ts, tests/global-setup.ts)");
  // test files run side by side in one cluster: a prefix of their own keeps their databases apart
  // (digits only: tests read a masked URL back as …/t_<digits>)
  return { ...cluster, ...databases(cluster, `t_${randomInt(100_000, 1_000_000)}0`) };
}
