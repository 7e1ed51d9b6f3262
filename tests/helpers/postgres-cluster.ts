import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/**
 * PostgreSQL for the tests: ONE throwaway cluster per test run, a fresh database per test in it
 * (test files reach it through tests/helpers/postgres.ts; the state benchmark starts one of its own).
 *
 * tests/global-setup.ts starts the cluster (`startCluster`: `initdb` into a temp folder, `pg_ctl start` on
 * a free loopback port and a Unix socket in the same folder) and hands its address to the test files
 * with vitest's `provide`; a test file reaches it with `connectPostgres()` (vitest's `inject`). PostgreSQL
 * refuses to run as root, so as root the server runs as the `postgres` OS user (the folder is given to it).
 *
 * Clients connect as `rassylka` with a password over TCP (scram-sha-256), the way a real deployment
 * does, so tests see a URL with a password to mask. `database()` makes a fresh empty database:
 *
 *   const pg = await connectPostgres();        // beforeAll
 *   const url = await pg.database();           // postgres://rassylka:…@127.0.0.1:PORT/t_…
 *   await pg.close();                          // afterAll: drops this file's databases
 *
 * Without the server binaries it throws (no test skips): `.ci/run` installs Debian's `postgresql`.
 */
export const PG_PASSWORD = "pg-test-Secret-4711";
const run = promisify(execFile);

/** initdb's folder: PG_BIN, else the newest /usr/lib/postgresql/N/bin, else initdb on the PATH. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length) return join(base, versions[0], "bin");
  try {
    return execFileSync("sh", ["-c", "dirname $(command -v initdb)"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("PostgreSQL server binaries not found (no initdb): apt-get install postgresql (.ci/run does), or set PG_BIN");
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Where the run's cluster listens: what the global set-up provides to every test file. */
export interface PostgresCluster {
  /** postgres://rassylka:PASSWORD@127.0.0.1:PORT/ */
  base: string;
  host: string;
  port: number;
  /** The folder of the Unix socket the `postgres` superuser connects through (trust auth). */
  socketDir: string;
}

/**
 * Starts the run's cluster; `stop` takes it down and removes its folder. `restart` stops the server
 * (`pg_ctl stop -m fast`: every connection is ended, as when the database host restarts), keeps it down
 * for `downMs`, and starts it again on the same port with the same data — for a test that starts a
 * cluster of its own, never the run's shared one.
 */
export async function startCluster(): Promise<{
  cluster: PostgresCluster;
  stop: () => Promise<void>;
  restart: (downMs: number) => Promise<void>;
}> {
  const bin = postgresBin();
  const dir = await mkdtemp(join(tmpdir(), "rsk-pg-"));
  const asRoot = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  const pwfile = join(dir, "pw");
  await writeFile(pwfile, `${PG_PASSWORD}\n`);
  if (asRoot) await chown(pwfile, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), 0);
  const data = join(dir, "data");
  await as("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--pwfile",
    pwfile,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  let port = 0;
  const start = () =>
    as("pg_ctl", [
      "-D",
      data,
      "-w",
      "-t",
      "120",
      "-l",
      join(dir, "log"),
      "-o",
      // two test files at a time, each with its pools: room for them all
      `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      "start",
    ]);
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
  const stopSync = () => {
    try {
      execFileSync(asRoot ? "runuser" : join(bin, "pg_ctl"), [
        ...(asRoot ? ["-u", "postgres", "--", join(bin, "pg_ctl")] : []),
        "-D",
        data,
        "-m",
        "immediate",
        "stop",
      ]);
    } catch {}
  };
  // a run that dies still takes its server down
  process.once("exit", stopSync);
  const admin = new pg.Client({ host: dir, port, user: "postgres", database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE rassylka LOGIN PASSWORD '${PG_PASSWORD}'`);
  } finally {
    await admin.end();
  }
  return {
    cluster: { base: `postgres://rassylka:${PG_PASSWORD}@127.0.0.1:${port}/`, host: "127.0.0.1", port, socketDir: dir },
    async stop() {
      process.off("exit", stopSync);
      await as("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
    async restart(downMs) {
      await as("pg_ctl", ["-D", data, "-w", "-m", "fast", "stop"]);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}

/** Databases made in a cluster through its superuser's socket; `close` drops them. */
export function databases(cluster: PostgresCluster, prefix = "t_"): { database(name?: string): Promise<string>; close(): Promise<void> } {
  const admin = new pg.Pool({ host: cluster.socketDir, port: cluster.port, user: "postgres", database: "postgres", max: 1 });
  // a restart of the server (`restart`) ends the idle admin connection: the pool connects again on its next
  // query, and the ended one's error must not surface as an uncaught exception of the test run
  admin.on("error", () => {});
  const made: string[] = [];
  return {
    async database(name = `${prefix}${made.length + 1}`) {
      await admin.query(`CREATE DATABASE ${name} OWNER rassylka`);
      made.push(name);
      return `${cluster.base}${name}`;
    },
    async close() {
      for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end().catch(() => {});
    },
  };
}
