import type { Command } from "commander";
import { error, RassylkaError } from "../diagnostics.js";
import { language, t } from "../i18n/index.js";
import { copyState } from "../state/copy.js";
import { openStore } from "../state/store.js";
import type { Io } from "./print.js";
import { DATABASE_URL_ENV, locationText, stateFromFlags } from "./state-flag.js";

/**
 * `rassylka state migrate|copy`: the state store itself. A location is a state file
 * (relative to the current folder) or a postgres:// URL; everything printed shows the URL with its
 * password masked (`postgres://user:***@host:5432/db`).
 */
export interface StateFlags {
  root: string;
  state?: string;
  json?: boolean;
}

export interface CopyFlags {
  root: string;
  from: string;
  to?: string;
  json?: boolean;
}

export async function runMigrate(flags: StateFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const location = stateFromFlags(flags, env);
  const where = locationText(location);
  const store = await openStore(location, { migrate: false });
  try {
    const result = await store.migrate();
    if (flags.json) io.out(JSON.stringify({ state: where, ...result }, null, 2));
    else if (!result.applied.length) io.out(`${where}: up to date (schema version ${result.version}), nothing to apply.`);
    else {
      io.out(`${where}: applied ${result.applied.length} migration(s):`);
      for (const m of result.applied) io.out(`  ${String(m.version).padStart(4, "0")} ${m.name}`);
      io.out(`Schema version ${result.version}.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function runCopy(flags: CopyFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const to = flags.to ?? env[DATABASE_URL_ENV];
  if (!to) {
    throw new RassylkaError(
      error("state/copy-no-target", "state copy needs a target", {
        field: "--to",
        fix: `pass --to postgres://user:password@host:5432/database (or set ${DATABASE_URL_ENV})`,
      }),
    );
  }
  const source = stateFromFlags({ root: flags.root, state: flags.from }, {});
  const target = stateFromFlags({ root: flags.root, state: to }, {});
  const same =
    source.kind === target.kind &&
    (source.kind === "sqlite" ? source.file : source.url) === (target.kind === "sqlite" ? target.file : target.url);
  if (same) {
    throw new RassylkaError(
      error("state/copy-same", `--from and --to are the same state (${locationText(source)})`, {
        field: "--to",
        fix: "copy into another state: --to postgres://…",
      }),
    );
  }
  // the source is only read: a file opened read-only, a database not migrated
  const from = await openStore(source, { readonly: true, migrate: false });
  try {
    const into = await openStore(target);
    try {
      const tables = await copyState(from, into, { lang: language() });
      const total = tables.reduce((n, t) => n + t.copied, 0);
      if (flags.json) {
        io.out(JSON.stringify({ from: locationText(source), to: locationText(target), tables, copied: total }, null, 2));
        return 0;
      }
      io.out(`Copied ${locationText(source)} → ${locationText(target)}:`);
      const width = Math.max(...tables.map((t) => String(t.copied).length));
      for (const t of tables) {
        const already = t.read - t.copied;
        io.out(`  ${t.table.padEnd(18)} ${String(t.copied).padStart(width)} copied${already ? `, ${already} already there` : ""}`);
      }
      io.out(`${total} row(s) copied. Running it again copies only what is missing or changed.`);
      return 0;
    } finally {
      await into.close();
    }
  } finally {
    await from.close();
  }
}

export function registerState(program: Command, io: Io, setCode: (c: number) => void): void {
  const cmd = program.command("state").description(t("cli:command.state"));
  cmd
    .command("migrate")
    .description("apply the missing schema migrations and say which (opening a store does it too)")
    .option("--state <file|url>", `the state file, or postgres://… (default ${DATABASE_URL_ENV}, else .rassylka/state.sqlite)`)
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--json", "print { state, applied: [{ version, name }], version }")
    .action(async (flags: StateFlags) => setCode(await runMigrate(flags, io)));
  cmd
    .command("copy")
    .description("copy every table (ledger, runs, suppressions, Sendsay campaigns) into another store; idempotent")
    .requiredOption("--from <file|url>", "the state to copy, e.g. .rassylka/state.sqlite (only read)")
    .option("--to <url|file>", `where to, e.g. postgres://user:password@host:5432/db (default ${DATABASE_URL_ENV})`)
    .option("--root <dir>", "the newsletter's folder", ".")
    .option("--json", "print { from, to, tables: [{ table, read, copied }], copied }")
    .action(async (flags: CopyFlags) => setCode(await runCopy(flags, io)));
}
